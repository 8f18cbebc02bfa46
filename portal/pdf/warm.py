"""A warm foreground: the laid-out foreground of one document kept, and reused for the next
document of the same kind with only the text of some lines replaced.

A cohort's certificates differ in a few single lines (name, municipality, number, code) at fixed
places. Laying out their foreground anew (parsing, cascade, boxes, page and margin boxes, line
layout) costs far more than drawing it. A line's text can take another's place without a new
layout where nothing around it moves: the line is one text box whose text Pango lays out to the
same height and baseline (the same fonts, so the same line box), and it still fits where the
kept one did. ``retext`` checks exactly that and otherwise declines, and the caller lays the
document out as usual. Drawing shapes the new text anyway (WeasyPrint draws a text box from its
text), so the page is the one a fresh layout would give.
"""

from collections.abc import Hashable
from dataclasses import dataclass, field

KEPT = 8  # foregrounds kept per thread (a worker renders one cohort, one language at a time)


@dataclass(frozen=True)
class Warm:
    """What a foreground may reuse: ``key`` names everything but ``texts`` that the foreground
    shows; ``texts`` maps element ids to the whole text of their one line; ``metadata`` the
    document's title and description; ``right`` the element id whose box a line must not pass."""

    key: Hashable
    texts: dict[str, str]
    metadata: dict[str, str] = field(default_factory=dict)
    right: str = ""


@dataclass
class _Kept:
    document: object
    stylesheet_keys: tuple
    lines: dict  # element id -> (text box, its height and baseline as laid out)


def element_box(document, element_id: str):
    """The box of the element with this id on the first page, or None. (Boxes' own descendants()
    stops at absolutely positioned boxes, hence the walk.)"""
    pending = [document.pages[0]._page_box]
    while pending:
        box = pending.pop()
        element = getattr(box, "element", None)
        if element is not None and element.get("id") == element_id:
            return box
        pending.extend(reversed(getattr(box, "children", ())))
    return None


def _text_box(document, element_id: str):
    box = element_box(document, element_id)
    if box is None:
        return None
    found, pending = [], [box]
    while pending:
        current = pending.pop()
        if type(current).__name__ == "TextBox":
            found.append(current)
        pending.extend(getattr(current, "children", ()))
    return found[0] if len(found) == 1 else None


def _measure(style, text: str) -> tuple[float, float, float]:
    """Width, height and baseline of ``text`` on one line, as WeasyPrint's line layout gets them."""
    from weasyprint.text.ffi import FROM_UNITS, pango
    from weasyprint.text.line_break import Layout, line_size

    layout = Layout(style)
    layout.set_text(text)
    width, height = line_size(layout.get_first_line()[0], style)
    baseline = pango.pango_layout_get_baseline(layout.layout) * FROM_UNITS
    layout.deactivate()
    return width, height, baseline


def _plain(text: str) -> bool:
    """Text that WeasyPrint's white-space processing leaves as it is (one line, single spaces)."""
    return bool(text) and " ".join(text.split()) == text


def keep(kept: dict, warm: Warm, document, stylesheet_keys: tuple) -> None:
    """Keep ``document`` (laid out for ``warm``'s texts) for the next foreground of its kind."""
    lines = {}
    for element_id, text in warm.texts.items():
        box = _text_box(document, element_id)
        if box is None or box.text != text or not _plain(text):
            return
        lines[element_id] = (box, _measure(box.style, text)[1:])
    kept[warm.key] = _Kept(document, stylesheet_keys, lines)
    while len(kept) > KEPT:
        kept.pop(next(iter(kept)))


def retext(kept: dict, warm: Warm, stylesheet_keys_now) -> object | None:
    """The kept foreground with ``warm``'s texts in place, or None where it cannot be reused."""
    entry = kept.get(warm.key)
    if entry is None or stylesheet_keys_now(entry.stylesheet_keys) != entry.stylesheet_keys:
        return None
    if set(warm.texts) != set(entry.lines):
        return None
    boundary = element_box(entry.document, warm.right) if warm.right else None
    right = boundary.content_box_x() + boundary.width if boundary is not None else None
    placed = {}
    for element_id, text in warm.texts.items():
        box, geometry = entry.lines[element_id]
        if not _plain(text):
            return None
        width, *measured = _measure(box.style, text)
        if tuple(measured) != geometry:
            return None
        if right is not None and box.position_x + width > right + 0.01:
            return None
        placed[element_id] = (box, text, width)
    for box, text, width in placed.values():
        box.text = text
        box.pango_layout.text = text
        box.width = width
    for name, value in warm.metadata.items():
        setattr(entry.document.metadata, name, value)
    entry.document.fonts = {}  # WeasyPrint collects a document's glyphs here while it draws
    return entry.document
