"""Zero-width joiners in the PDF's text layer.

Pango draws no glyph for ZWNJ (U+200C) and ZWJ (U+200D): it shapes them to an empty glyph of no
width, and WeasyPrint writes nothing for an empty glyph. A Persian name such as "زرین‌کوب" would
then read "زرینکوب" to any software that extracts the page's text, a different spelling. The
shipped fonts have a glyph of their own for both characters, with no width and no outline
(``uni200C``, ``uni200D``): ``keep_joiners`` has WeasyPrint draw that glyph in place of the empty
one, so the text layer maps it to the joiner at its position (ToUnicode), while the picture stays
exactly the same.

This reaches into WeasyPrint's text drawing (``draw_first_line`` and Pango's glyph strings), which
is why WeasyPrint is pinned in pyproject.toml; ``tests/certificates/test_joiners.py`` guards it.
"""

JOINERS = frozenset({0x200C, 0x200D})
JOINER_CHARACTERS = ("\u200c", "\u200d")
_declared = False


def _nominal_glyph(ffi, harfbuzz, pango, pango_font, codepoint: int) -> int | None:
    glyph = ffi.new("hb_codepoint_t *")
    hb_font = pango.pango_font_get_hb_font(pango_font)
    if not harfbuzz.hb_font_get_nominal_glyph(hb_font, codepoint, glyph):
        return None
    return glyph[0]


def show_joiners(textbox) -> None:
    """Replace the empty glyphs that stand for a joiner in ``textbox``'s first line by the font's
    own (invisible, zero-width) glyph of that joiner."""
    from weasyprint.text.ffi import ffi, harfbuzz, pango

    # As ``draw_first_line`` will: setting it changes the layout, and the change is to come first.
    pango.pango_layout_set_single_paragraph_mode(textbox.pango_layout.layout, True)
    text = None
    run = textbox.pango_layout.get_first_line()[0].runs
    while run != ffi.NULL:
        item = ffi.cast("PangoGlyphItem *", run.data)
        run = run.next
        glyphs = item.glyphs
        for index in range(glyphs.num_glyphs):
            info = glyphs.glyphs[index]
            if info.glyph != pango.PANGO_GLYPH_EMPTY or info.geometry.width:
                continue
            text = text if text is not None else textbox.pango_layout.text.encode()
            start = item.item.offset + glyphs.log_clusters[index]
            codepoint = ord(text[start : start + 3].decode("utf-8", "replace")[0])
            if codepoint in JOINERS:
                glyph = _nominal_glyph(ffi, harfbuzz, pango, item.item.analysis.font, codepoint)
                if glyph:
                    info.glyph = glyph


def keep_joiners() -> None:
    """Have WeasyPrint draw joiners as their zero-width glyphs (once per process)."""
    global _declared
    import weasyprint.draw.text as text_drawing
    from weasyprint.text.ffi import ffi

    original = text_drawing.draw_first_line
    if getattr(original, "portal_joiners", False):
        return
    if not _declared:
        ffi.cdef(
            "hb_bool_t hb_font_get_nominal_glyph (hb_font_t *font, hb_codepoint_t unicode, "
            "hb_codepoint_t *glyph);"
        )
        _declared = True

    def draw_first_line(stream, textbox, text_overflow, block_ellipsis, matrix):
        if (
            text_overflow != "ellipsis"  # an ellipsis lays the line out again
            and block_ellipsis == "none"
            and any(joiner in textbox.text for joiner in JOINER_CHARACTERS)
        ):
            show_joiners(textbox)
        return original(stream, textbox, text_overflow, block_ellipsis, matrix)

    draw_first_line.portal_joiners = True
    text_drawing.draw_first_line = draw_first_line
