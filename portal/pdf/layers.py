"""Documents that share most of their page (a cohort's certificates): the shared part is rendered
once, kept as finished PDF objects, and drawn beneath each document's own part, so only the few
lines that differ are laid out, drawn and embedded again (``render_layered_pdf``).
"""

import re
from collections.abc import Callable, Generator, Hashable
from dataclasses import dataclass

import pydyf  # WeasyPrint's PDF writer, small; WeasyPrint itself is imported when needed

from portal.pdf.render import (
    ACCESSIBLE,
    ASSET_DIR,
    STYLESHEET_LINK,
    _embedding_state,
    _finish_variant,
    _number,
    _options,
    _Renderer,
    _renderer,
    layout_document,
)
from portal.pdf.warm import Warm, element_box, keep, retext

# A reference to an indirect object inside a PDF dictionary ("12 0 R"), and a marked-content id in
# a content stream ("/MCID 3") or, while a layer is kept, in a structure element ("MCID:3").
PDF_REFERENCE = re.compile(rb"(?<![\d.])(\d+) 0 R\b")
PDF_TOKEN = re.compile(rb"(?<![\d.])(\d+) 0 R\b|MCID:(\d+)")
CONTENT_MCID = re.compile(rb"/MCID (\d+)")
LAYERS_KEPT = 32
PAGE, DOCUMENT = "page", "document"


class _RawObject(pydyf.Object):
    """A finished PDF object copied into another PDF: its bytes, references already renumbered."""

    def __init__(self, data: bytes, stream: bool):
        super().__init__()
        self._data, self._stream = data, stream

    @property
    def data(self):
        return self._data

    @property
    def compressible(self):  # streams cannot go into an object stream
        return not self._stream


def _template(data: bytes, index: dict, *, end: int | None = None) -> list:
    """``data`` cut at its references and marked-content ids: bytes, object positions (int),
    PAGE/DOCUMENT, and ("mcid", n)."""
    pieces, last = [], 0
    for match in PDF_TOKEN.finditer(data, 0, len(data) if end is None else end):
        pieces.append(data[last : match.start()])
        if match.group(2) is not None:
            pieces.append(("mcid", int(match.group(2))))
        else:
            pieces.append(index[int(match.group(1))])
        last = match.end()
    pieces.append(data[last:])
    return pieces


def _fill(pieces: list, numbers: dict) -> bytes:
    def value(piece):
        if isinstance(piece, bytes):
            return piece
        if isinstance(piece, tuple):
            return b"%d" % (numbers["mcid"] + piece[1])
        if isinstance(piece, str):
            return numbers[piece]
        return b"%d 0 R" % (numbers["base"] + piece)

    return b"".join(value(piece) for piece in pieces)


def _structure(pdf):
    """The tagged page's structure: its Document element and the MCID-to-element array of page 0."""
    root = pdf.objects[_number(pdf.catalog["StructTreeRoot"])]
    document = pdf.objects[_number(root["K"][0])]
    parent_tree = pdf.objects[_number(root["ParentTree"])]
    return document, parent_tree["Nums"][1]


def _prune(pdf, element) -> bool:
    """Drop structure elements with no content (empty boxes: bands, spacers); True if any is left."""
    kept = []
    for kid in element["K"]:
        if isinstance(kid, int):
            kept.append(kid)
            continue
        child = pdf.objects[_number(kid)]
        if not isinstance(child, dict) or child.get("Type") != "/StructElem" or _prune(pdf, child):
            kept.append(kid)
    element["K"] = pydyf.Array(kept)
    return bool(kept) or "Alt" in element


class Layer:
    """The first page of a rendered, tagged PDF, kept so that another page can draw it: the content
    stream, the structure elements (marked-content ids and the page left open), the resources the
    content names (fonts aside) and the glyphs it uses of each font. ``add_to`` copies it into
    another PDF under fresh object and marked-content numbers, which costs a few string joins
    instead of a layout. The fonts are not copied: the page that draws the layer embeds each font
    once, with the layer's glyphs added to its own (see ``_build_fonts_dictionary``)."""

    def __init__(self, pdf, fonts: dict):
        objects = pdf.objects
        self.fonts = fonts
        page = objects[pdf.pages["Kids"][0]]
        contents = objects[_number(page["Contents"])]
        self.content = _split_mcids(b"\n".join(pydyf._to_bytes(item) for item in contents.stream))
        document, parents = _structure(pdf)
        _prune(pdf, document)
        page_number, document_number = pdf.pages["Kids"][0], document.number
        for item in objects:  # marked-content ids of structure elements, marked for renumbering
            if isinstance(item, dict) and item.get("Type") == "/StructElem":
                item["K"] = pydyf.Array(f"MCID:{kid}" if isinstance(kid, int) else kid for kid in item["K"])
        resources = objects[_number(page["Resources"])]
        kept = {
            category: dict(resources.get(category) or {})
            for category in ("ExtGState", "XObject", "Pattern", "Shading")
        }

        def head(item) -> bytes:  # the part of an object that may hold references
            return pydyf.Dictionary(item.extra).data if isinstance(item, pydyf.Stream) else item.data

        def references(data: bytes):
            return (int(number) for number in PDF_REFERENCE.findall(data))

        roots = [*(_number(kid) for kid in document["K"]), *(_number(ref) for ref in parents)]
        for entries in kept.values():
            for value in entries.values():
                roots.extend(references(pydyf._to_bytes(value)))
        order, seen = [], {page_number, document_number}
        pending = list(reversed(roots))
        while pending:
            number = pending.pop()
            if number in seen:
                continue
            seen.add(number)
            order.append(objects[number])
            pending.extend(references(head(objects[number])))
        index = {item.number: position for position, item in enumerate(order)}
        index[page_number], index[document_number] = PAGE, DOCUMENT

        self.objects = []
        for item in order:
            data = item.data
            is_stream = isinstance(item, pydyf.Stream)
            end = data.index(b"\nstream\n") if is_stream else None
            self.objects.append((_template(data, index, end=end), is_stream))
        self.tops = [index[_number(kid)] for kid in document["K"]]
        self.parents = [index[_number(ref)] for ref in parents]
        self.resources = {
            category: {name: _template(pydyf._to_bytes(value), index) for name, value in entries.items()}
            for category, entries in kept.items()
        }

    def add_to(self, pdf, *, page: bytes, document: bytes, first_mcid: int):
        """Add the layer's objects to ``pdf``. Returns its content (to be drawn on ``page``), the
        references of the structure elements of its marked-content ids from ``first_mcid`` on, and
        of its top-level structure elements (children of ``document``)."""
        numbers = {"base": len(pdf.objects), "mcid": first_mcid, PAGE: page, DOCUMENT: document}
        for pieces, is_stream in self.objects:
            pdf.add_object(_RawObject(_fill(pieces, numbers), is_stream))
        base = numbers["base"]
        resources = {
            category: {name: _fill(pieces, numbers) for name, pieces in entries.items()}
            for category, entries in self.resources.items()
        }
        return (
            _fill(self.content, numbers),
            [b"%d 0 R" % (base + position) for position in self.parents],
            [b"%d 0 R" % (base + position) for position in self.tops],
            resources,
        )


def _split_mcids(data: bytes) -> list:
    pieces, last = [], 0
    for match in CONTENT_MCID.finditer(data):
        pieces += [data[last : match.start(1)], ("mcid", int(match.group(1)))]
        last = match.end(1)
    pieces.append(data[last:])
    return pieces


@dataclass(frozen=True)
class ImageMask:
    """A one-bit picture (a QR code), painted in one colour where ``rows`` hold True and transparent
    elsewhere, without smoothing: the same sharp squares as vector paths at a fraction of the cost."""

    rows: tuple[tuple[bool, ...], ...]
    color: tuple[int, int, int]
    alt: str = ""  # the alternative text of the figure in a tagged PDF

    def x_object(self):
        width, height = len(self.rows[0]), len(self.rows)
        data = bytearray()
        for row in self.rows:
            bits = 0
            for dark in row:
                bits = bits << 1 | (not dark)  # 0 paints in an image mask
            padding = -width % 8
            data += (bits << padding).to_bytes((width + padding) // 8, "big")
        return pydyf.Stream(
            [bytes(data)],
            pydyf.Dictionary(
                {
                    "Type": "/XObject",
                    "Subtype": "/Image",
                    "Width": width,
                    "Height": height,
                    "ImageMask": "true",
                    "BitsPerComponent": 1,
                    "Interpolate": "false",
                }
            ),
            compress=True,
        )


class LayoutError(ValueError):
    pass


def _one_page(document, layer: str):
    """A layer is one page: a second page would not be drawn, so it is an error, not a loss."""
    if len(document.pages) != 1:
        raise LayoutError(f"the {layer} takes {len(document.pages)} pages instead of one")
    return document


def forget_layers() -> None:
    """Drop this thread's kept backgrounds and foregrounds (the next layered render starts cold)."""
    _renderer().layers.clear()
    _renderer().warm.clear()


@dataclass(frozen=True)
class Background:
    """A page shared by many documents, drawn beneath their own content, or over it (``above``)
    where its text should follow theirs in reading order. ``html`` is called only when this thread
    has not rendered the page under ``key`` (with the same stylesheet files) yet: the key must
    change whenever the HTML would. ``check`` may inspect the laid-out page and raise
    ``LayoutError``."""

    key: Hashable
    html: Callable[[], str]
    above: bool = False
    check: Callable | None = None


def _layer(renderer: _Renderer, background: Background, stylesheet_keys: tuple, variant: str | None) -> Layer:
    key = (background.key, stylesheet_keys, variant)
    layer = renderer.layers.get(key)
    if layer is None:
        document = _one_page(layout_document(background.html(), renderer), "background")
        if background.check:
            background.check(document)
        captured, fonts = [], {}
        with _embedding_state(capture=fonts):
            document.write_pdf(
                finisher=lambda document, pdf: captured.append(Layer(pdf, fonts)),
                **_options(variant),
                pdf_tags=True,
            )
        layer = renderer.layers[key] = captured[0]
        while len(renderer.layers) > LAYERS_KEPT:
            renderer.layers.popitem(last=False)
    renderer.layers.move_to_end(key)
    return layer


def _settle(candidate: str, candidates: Generator | None, renderer: _Renderer) -> tuple:
    """The foreground laid out: ``candidate`` itself, or, with a generator of candidates, the one
    it settles on (each one laid out is sent back to it, until it stops); and how many were."""
    tries = 0
    while True:
        document = _one_page(layout_document(candidate, renderer), "foreground")
        tries += 1
        if candidates is None:
            return document, tries
        try:
            candidate = candidates.send(document)
        except StopIteration:
            return document, tries


def _stylesheet_keys(names) -> tuple:
    return tuple((name, (ASSET_DIR / name).stat().st_mtime_ns) for name in names)


def _foreground(renderer: _Renderer, html: str | Generator, warm: Warm | None) -> tuple:
    """The laid-out foreground and its stylesheets' keys: the kept one with new texts where
    ``warm`` allows it, else laid out (and kept when its first candidate was taken)."""
    if warm is not None:
        document = retext(renderer.warm, warm, lambda keys: _stylesheet_keys(name for name, _ in keys))
        if document is not None:
            return document, renderer.warm[warm.key].stylesheet_keys
    candidates = None if isinstance(html, str) else html
    first = html if candidates is None else next(candidates)
    stylesheet_keys = _stylesheet_keys(STYLESHEET_LINK.findall(first))
    document, tries = _settle(first, candidates, renderer)
    if warm is not None and tries == 1:
        keep(renderer.warm, warm, document, stylesheet_keys)
    return document, stylesheet_keys


def _placed_masks(document, masks: dict[str, ImageMask] | None) -> list:
    placed = []
    for element_id, mask in (masks or {}).items():
        box = element_box(document, element_id)
        if box is None:
            raise ValueError(f"no element with id {element_id!r} to draw into")
        placed.append((mask, box))
    return placed


@dataclass
class _Page:
    """The page being finished: its references, resources, structure and drawing, in the page's
    own coordinates (points, origin bottom left)."""

    pdf: object
    reference: bytes
    resources: dict
    structure: dict
    parents: list
    order: dict
    below: list
    above: list
    figures: list


def _open_page(pdf, lead: int | None) -> _Page:
    page = pdf.objects[pdf.pages["Kids"][0]]
    structure, parents = _structure(pdf)
    _prune(pdf, structure)
    own = list(structure["K"])
    split = len(own) if lead is None else lead
    return _Page(
        pdf=pdf,
        reference=pdf.page_references[0],
        resources=pdf.objects[_number(page["Resources"])],
        structure=structure,
        parents=parents,
        order={"below": [], "lead": own[:split], "above": [], "rest": own[split:], "masks": []},
        below=[],
        above=[],
        figures=[],
    )


def _draw_layer(page: _Page, background: Background, layer: Layer) -> None:
    content, references, tops, layer_resources = layer.add_to(
        page.pdf, page=page.reference, document=page.structure.reference, first_mcid=len(page.parents)
    )
    page.parents.extend(references)
    page.order["above" if background.above else "below"].extend(tops)
    for category, entries in layer_resources.items():
        for name, value in entries.items():
            if page.resources[category].get(name, value) != value and category != "ExtGState":
                raise LayoutError(f"two layers name different {category} {name}")
            page.resources[category][name] = value
    (page.above if background.above else page.below).append(b"q\n%s\nQ" % content)


def _draw_mask(page: _Page, number: int, mask: ImageMask, box, height: float) -> None:
    x_object = mask.x_object()
    page.pdf.add_object(x_object)
    name = f"ScmMask{number}"
    page.resources["XObject"][name] = x_object.reference
    red, green, blue = (channel / 255 for channel in mask.color)
    width, box_height = box.width * 0.75, box.height * 0.75
    left = box.content_box_x() * 0.75
    bottom = (height - box.content_box_y() - box.height) * 0.75
    mcid = len(page.parents)
    figure = pydyf.Dictionary(
        {
            "Type": "/StructElem",
            "S": "/Figure",
            "P": page.structure.reference,
            "Pg": page.reference,
            "K": pydyf.Array([mcid]),
            "Alt": pydyf.String(mask.alt),
            "A": pydyf.Dictionary(
                {"O": "/Layout", "BBox": pydyf.Array([left, bottom, left + width, bottom + box_height])}
            ),
        }
    )
    page.pdf.add_object(figure)
    page.figures.append(
        b"/Figure <</MCID %d>> BDC q %.4f %.4f %.4f rg %.3f 0 0 %.3f %.3f %.3f cm /%s Do Q EMC"
        % (mcid, red, green, blue, width, box_height, left, bottom, name.encode())
    )
    page.parents.append(figure.reference)
    page.order["masks"].append(figure.reference)


def _join_contents(pdf, page: _Page) -> None:
    """The page's content: the layers beneath, the pictures and WeasyPrint's own content (which
    turns to its top-left CSS coordinates, kept in q … Q), the layers above. Each part is a stream
    of its own, so that the layers' streams, the same for a cohort's certificates, are compressed
    once (``render._compressed``)."""
    page_object = pdf.objects[pdf.pages["Kids"][0]]
    own = pdf.objects[_number(page_object["Contents"])]
    own.stream[:0] = [*page.figures, b"q"]
    own.stream.append(b"Q")
    parts = []
    for chunk in (page.below, None, page.above):
        if chunk is None:
            parts.append(own.reference)
        elif chunk:
            stream = pydyf.Stream(chunk, compress=own.compress)
            pdf.add_object(stream)
            parts.append(stream.reference)
    page_object["Contents"] = pydyf.Array(parts)


def render_layered_pdf(
    html: str | Generator,
    *,
    backgrounds: list[Background],
    masks: dict[str, ImageMask] | None = None,
    variant: str | None = ACCESSIBLE,
    lead: int | None = None,
    refuse_missing_glyphs: bool = False,
    warm: Warm | None = None,
) -> bytes:
    """Render ``html`` as a one-page, tagged PDF together with pages it shares with other documents.

    ``html`` may be a generator of candidates instead: each candidate's laid-out document is sent
    back to it, and the one laid out last when it stops is drawn (see ``fitted_foregrounds`` of the
    certificates).

    The documents must lay out their content independently of each other's, on the same page
    size, and what a background drawn ``above`` paints must not cover the document's content.
    ``masks`` paint pictures into the boxes of the elements with these ids (empty boxes sized by
    the stylesheet), above the backgrounds beneath, tagged as figures with their ``alt`` text.

    The page is one content (a few streams in a row) and one structure tree: each layer's content
    is drawn in it with its marked-content ids renumbered, and its structure elements join the document's in
    reading order: the backgrounds beneath, the first ``lead`` top-level elements of ``html``
    (all by default), the backgrounds above, the rest of ``html``'s elements, the masks. Each font
    is embedded once, with the glyphs of every layer. With ``refuse_missing_glyphs`` a character
    that no font draws raises ``MissingGlyphs`` instead of printing an empty box. With ``warm`` the
    foreground laid out for the previous document of its kind is reused with new texts where
    that lays them out the same (``portal.pdf.warm``)."""
    renderer = _renderer()
    document, stylesheet_keys = _foreground(renderer, html, warm)
    layers = [
        (background, _layer(renderer, background, stylesheet_keys, variant)) for background in backgrounds
    ]
    placed = _placed_masks(document, masks)

    def finish(document, pdf):
        page = _open_page(pdf, lead)
        for background, layer in layers:
            _draw_layer(page, background, layer)
        for number, (mask, box) in enumerate(placed):
            _draw_mask(page, number, mask, box, document.pages[0].height)
        page.structure["K"] = pydyf.Array(reference for part in page.order.values() for reference in part)
        _join_contents(pdf, page)
        _finish_variant(pdf, variant)

    with _embedding_state(
        layers=[layer.fonts for _background, layer in layers],
        strict=refuse_missing_glyphs,
        memo=renderer.compressed,
    ):
        return document.write_pdf(finisher=finish, **_options(variant), pdf_tags=True)
