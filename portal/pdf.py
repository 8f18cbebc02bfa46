"""PDF rendering with WeasyPrint that never reaches the network or the wider file system.

A worker renders a cohort's certificates one after another, so the work that is the same for
every document is done once per thread and kept: the font configuration (Pango's font map with
the shipped fonts), the parsed stylesheets of ``static/pdf`` and the URL fetcher. Only the
document itself is parsed, laid out and written each time.

Documents that share most of their page (a cohort's certificates) go further with
``render_layered_pdf``: the shared part is rendered once, kept as finished PDF objects, and drawn
beneath each document's own part as a form XObject, so only the few lines that differ are laid
out, drawn and embedded again.
"""

import atexit
import contextlib
import copy
import re
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Generator, Hashable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

import pydyf  # WeasyPrint's PDF writer, small; WeasyPrint itself is imported when needed
from django.conf import settings

# Fonts and images a PDF may use; everything else is refused.
ASSET_DIR = (Path(settings.BASE_DIR) / "static" / "pdf").resolve()
BASE_URL = ASSET_DIR.as_uri() + "/"

# How a document names its stylesheet in static/pdf (a plain link, so the template also
# previews in a browser). render_pdf() applies the cached, parsed copy instead of the link.
STYLESHEET_LINK = re.compile(r'<link rel="stylesheet" href="([a-z0-9_-]+\.css)">')


class FetchRefused(ValueError):
    pass


def safe_url_fetcher():
    """A fetcher that allows ``data:`` URLs and files inside ``static/pdf``, and nothing else:
    no network, no redirects, no other file."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class SafeURLFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            parsed = urlparse(url)
            if parsed.scheme == "file":
                path = Path(unquote(parsed.path)).resolve()
                if path.is_relative_to(ASSET_DIR) and path.is_file():
                    return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": _mime_type(path)})
            raise FetchRefused(f"refused to fetch {url!r}")

    return SafeURLFetcher(allowed_protocols={"data", "file"}, allow_redirects=False, timeout=1)


def _mime_type(path: Path) -> str:
    return {
        ".woff2": "font/woff2",
        ".woff": "font/woff",
        ".ttf": "font/ttf",
        ".css": "text/css",
        ".svg": "image/svg+xml",
        ".png": "image/png",
    }.get(path.suffix, "application/octet-stream")


class _Renderer:
    """What every PDF of one thread shares. Pango objects are not shared between threads:
    each thread (a Celery worker process, a gunicorn worker, a test thread) has its own."""

    def __init__(self):
        from weasyprint.text.fonts import FontConfiguration

        from .fonts import shipped_fonts_only

        _hook_font_embedding()
        self.font_config = shipped_fonts_only(FontConfiguration)
        self.url_fetcher = safe_url_fetcher()
        self.stylesheets = {}
        self.layers = OrderedDict()  # least recently used first

    def stylesheet(self, name: str):
        """The parsed stylesheet, parsed again only when the file changed (``make run``)."""
        from weasyprint import CSS

        path = ASSET_DIR / name
        key = (name, path.stat().st_mtime_ns)
        if key not in self.stylesheets:
            self.stylesheets = {k: v for k, v in self.stylesheets.items() if k[0] != name}
            self.stylesheets[key] = CSS(
                url=path.as_uri(), url_fetcher=self.url_fetcher, font_config=self.font_config
            )
        return self.stylesheets[key]


_local = threading.local()
# The font configuration removes its temporary font folder when it is collected; at exit that
# must happen while the interpreter can still do it.
atexit.register(lambda: _local.__dict__.pop("renderer", None))


def _renderer() -> _Renderer:
    renderer = getattr(_local, "renderer", None)
    if renderer is None:
        renderer = _local.renderer = _Renderer()
    return renderer


def prepare() -> None:
    """Load WeasyPrint, the shipped fonts and the parsed stylesheets of ``static/pdf`` into this
    thread now rather than on its first render (a worker process calls this when it starts)."""
    import weasyprint  # noqa: F401

    renderer = _renderer()
    for path in sorted(ASSET_DIR.glob("*.css")):
        renderer.stylesheet(path.name)


def layout_document(html: str, renderer: _Renderer | None = None):
    """The laid-out WeasyPrint document (imported here: web processes that never render a PDF do
    not pay for it)."""
    import weasyprint

    renderer = renderer or _renderer()
    stylesheets = [renderer.stylesheet(name) for name in STYLESHEET_LINK.findall(html)]
    return weasyprint.HTML(
        string=STYLESHEET_LINK.sub("", html), base_url=BASE_URL, url_fetcher=renderer.url_fetcher
    ).render(font_config=renderer.font_config, stylesheets=stylesheets)


# The portal's archival, accessible PDF: PDF/A-3 level a (tagged, every glyph mapped to Unicode)
# and PDF/UA-1. WeasyPrint writes one identification; the other is added to the same metadata.
ACCESSIBLE = "pdf/a-3a+ua-1"


def _options(variant: str | None) -> dict:
    return {"pdf_variant": variant.removesuffix("+ua-1")} if variant else {}


PDFUA_XMP = b"""<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/"><pdfuaid:part>1</pdfuaid:part></rdf:Description>
<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#"><pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource"><pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema><pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI><pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix><pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource"><pdfaProperty:name>part</pdfaProperty:name><pdfaProperty:valueType>Integer</pdfaProperty:valueType><pdfaProperty:category>internal</pdfaProperty:category><pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description></rdf:li></rdf:Seq></pdfaSchema:property></rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>
"""


def _finish_variant(pdf, variant: str | None) -> None:
    """PDF/A: the metadata stream without a Filter (ISO 19005-2, 6.6.2.1; WeasyPrint compresses
    it). PDF/UA: its identification, with its PDF/A extension schema, in the same metadata."""
    if not variant or "Metadata" not in pdf.catalog:
        return
    metadata = pdf.objects[_number(pdf.catalog["Metadata"])]
    if variant.startswith("pdf/a"):
        metadata.compress = False
    if variant.endswith("+ua-1"):
        if "StructTreeRoot" not in pdf.catalog:
            raise ValueError("PDF/UA needs a tagged PDF")
        xmp = b"".join(pydyf._to_bytes(item) for item in metadata.stream)
        metadata.stream = [xmp.replace(b"</rdf:RDF>", PDFUA_XMP + b"</rdf:RDF>", 1)]


class MissingGlyphs(ValueError):
    """Text that none of the shipped fonts can draw: it would print as empty boxes (.notdef)."""

    def __init__(self, characters: list[str]):
        super().__init__("no glyph for " + ", ".join(f"U+{ord(c):04X}" for c in characters))
        self.characters = characters


# WeasyPrint embeds a document's fonts after drawing its pages. A layered page also draws its kept
# layers' glyphs, so the fonts it embeds must cover those too: ``render_layered_pdf`` hands the
# layers' glyphs to this step, and each font is embedded once, as one subset under one tag. The
# step also records a layer's glyphs and refuses missing glyphs where asked.
_embedding = threading.local()


def _stream_data(self) -> bytes:
    """pydyf's stream serialisation, except that compressed bytes ending in a carriage return are
    written uncompressed: before "\\nendstream" that CR would read as part of the end-of-line
    marker, and the stream's /Length as one byte too long (ISO 19005-2, 6.1.7.1)."""
    stream = b"\n".join(pydyf._to_bytes(item) for item in self.stream)
    extra = pydyf.Dictionary(self.extra.copy())
    if self.compress:
        compressor = zlib.compressobj(level=9)
        compressed = compressor.compress(stream) + compressor.flush()
        if not compressed.endswith(b"\r") or stream.endswith(b"\r"):
            extra["Filter"] = "/FlateDecode"
            stream = compressed
    extra["Length"] = len(stream)
    return b"\n".join((extra.data, b"stream", stream, b"endstream"))


def _hook_font_embedding() -> None:
    import weasyprint.pdf

    pydyf.Stream.data = property(_stream_data)

    original = weasyprint.pdf.build_fonts_dictionary
    if getattr(original, "portal_hook", False):
        return

    def build_fonts_dictionary(pdf, fonts, compress, subset, options):
        for layer_fonts in getattr(_embedding, "layers", ()):
            for key, font in layer_fonts.items():
                own = fonts.get(key)
                if own is None:
                    own = fonts[key] = copy.copy(font)
                    own.widths, own.to_unicode, own.missing = {}, {}, {}
                own.widths.update(font.widths)
                own.to_unicode.update(font.to_unicode)
                own.missing.update(font.missing)
        if getattr(_embedding, "strict", False):
            missing = sorted({chr(codepoint) for font in fonts.values() for codepoint in font.missing})
            if missing:
                raise MissingGlyphs(missing)
        capture = getattr(_embedding, "capture", None)
        if capture is not None:  # before subsetting replaces each font's file with its subset
            for key, font in fonts.items():
                kept = capture[key] = copy.copy(font)
                kept.widths, kept.to_unicode, kept.missing = (
                    dict(font.widths),
                    dict(font.to_unicode),
                    dict(font.missing),
                )
        return original(pdf, fonts, compress, subset, options)

    build_fonts_dictionary.portal_hook = True
    weasyprint.pdf.build_fonts_dictionary = build_fonts_dictionary


@contextlib.contextmanager
def _embedding_state(**state):
    for name, value in state.items():
        setattr(_embedding, name, value)
    try:
        yield
    finally:
        for name in state:
            delattr(_embedding, name)


def render_pdf(html: str, *, variant: str | None = None, refuse_missing_glyphs: bool = False) -> bytes:
    """Render template output to PDF. User values are escaped by the template; title, language and
    author come from the document's <title>, <html lang> and <meta name="author">."""
    with _embedding_state(strict=refuse_missing_glyphs):
        return layout_document(html).write_pdf(
            finisher=lambda document, pdf: _finish_variant(pdf, variant), **_options(variant)
        )


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


def _number(reference) -> int:
    return int(reference.split()[0]) if isinstance(reference, (bytes, str)) else int(reference)


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


class LayoutError(ValueError):
    pass


def _one_page(document, layer: str):
    """A layer is one page: a second page would not be drawn, so it is an error, not a loss."""
    if len(document.pages) != 1:
        raise LayoutError(f"the {layer} takes {len(document.pages)} pages instead of one")
    return document


def forget_layers() -> None:
    """Drop this thread's kept backgrounds (the next layered render starts cold)."""
    _renderer().layers.clear()


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


def render_layered_pdf(
    html: str | Generator,
    *,
    backgrounds: list[Background],
    masks: dict[str, ImageMask] | None = None,
    variant: str | None = ACCESSIBLE,
    lead: int | None = None,
    refuse_missing_glyphs: bool = False,
    signature_field: tuple[str, str] | None = None,
) -> bytes:
    """Render ``html`` as a one-page, tagged PDF together with pages it shares with other documents.

    ``html`` may be a generator of candidates instead: each candidate's laid-out document is sent
    back to it, and the one laid out last when it stops is drawn (see ``fitted_foregrounds`` of the
    certificates).

    The documents must lay out their content independently of each other's, on the same page
    size, and what a background drawn ``above`` paints must not cover the document's content.
    ``masks`` paint pictures into the boxes of the elements with these ids (empty boxes sized by
    the stylesheet), above the backgrounds beneath, tagged as figures with their ``alt`` text.

    The page is one content stream and one structure tree: each layer's content is drawn in it
    with its marked-content ids renumbered, and its structure elements join the document's in
    reading order: the backgrounds beneath, the first ``lead`` top-level elements of ``html``
    (all by default), the backgrounds above, the rest of ``html``'s elements, the masks. Each font
    is embedded once, with the glyphs of every layer. With ``refuse_missing_glyphs`` a character
    that no font draws raises ``MissingGlyphs`` instead of printing an empty box.

    ``signature_field`` (name, description) adds an empty, invisible signature field for a seal
    applied later: its widget is tagged as a form field with the description, last in reading
    order, so that the sealed PDF stays PDF/UA (a signer fills the field, the tags stay)."""
    renderer = _renderer()
    candidates = None if isinstance(html, str) else html
    candidate = html if candidates is None else next(candidates)
    stylesheet_keys = tuple(
        (name, (ASSET_DIR / name).stat().st_mtime_ns) for name in STYLESHEET_LINK.findall(candidate)
    )
    layers = [
        (background, _layer(renderer, background, stylesheet_keys, variant)) for background in backgrounds
    ]
    while True:  # candidates: each one laid out is sent back, until the generator stops
        document = _one_page(layout_document(candidate, renderer), "foreground")
        if candidates is None:
            break
        try:
            candidate = candidates.send(document)
        except StopIteration:
            break
    placed = []
    for element_id, mask in (masks or {}).items():
        box = element_box(document, element_id)
        if box is None:
            raise ValueError(f"no element with id {element_id!r} to draw into")
        placed.append((mask, box))

    def finish(document, pdf):
        page = pdf.objects[pdf.pages["Kids"][0]]
        page_reference = pdf.page_references[0]
        resources = pdf.objects[_number(page["Resources"])]
        structure, parents = _structure(pdf)
        _prune(pdf, structure)
        own = list(structure["K"])
        split = len(own) if lead is None else lead
        order = {"below": [], "lead": own[:split], "above": [], "rest": own[split:], "masks": []}
        # Everything drawn here is in the page's own coordinates (points, origin bottom left);
        # WeasyPrint's content, which turns to its top-left CSS coordinates, is kept in q … Q.
        below, above = [], []
        for background, layer in layers:
            content, references, tops, layer_resources = layer.add_to(
                pdf, page=page_reference, document=structure.reference, first_mcid=len(parents)
            )
            parents.extend(references)
            order["above" if background.above else "below"].extend(tops)
            for category, entries in layer_resources.items():
                for name, value in entries.items():
                    if resources[category].get(name, value) != value and category != "ExtGState":
                        raise LayoutError(f"two layers name different {category} {name}")
                    resources[category][name] = value
            (above if background.above else below).append(b"q\n%s\nQ" % content)
        height = document.pages[0].height
        for number, (mask, box) in enumerate(placed):
            x_object = mask.x_object()
            pdf.add_object(x_object)
            name = f"ScmMask{number}"
            resources["XObject"][name] = x_object.reference
            red, green, blue = (channel / 255 for channel in mask.color)
            width, box_height = box.width * 0.75, box.height * 0.75
            left = box.content_box_x() * 0.75
            bottom = (height - box.content_box_y() - box.height) * 0.75
            figure = pydyf.Dictionary(
                {
                    "Type": "/StructElem",
                    "S": "/Figure",
                    "P": structure.reference,
                    "Pg": page_reference,
                    "K": pydyf.Array([len(parents)]),
                    "Alt": pydyf.String(mask.alt),
                    "A": pydyf.Dictionary(
                        {
                            "O": "/Layout",
                            "BBox": pydyf.Array([left, bottom, left + width, bottom + box_height]),
                        }
                    ),
                }
            )
            pdf.add_object(figure)
            below.append(
                b"/Figure <</MCID %d>> BDC q %.4f %.4f %.4f rg %.3f 0 0 %.3f %.3f %.3f cm /%s Do Q EMC"
                % (len(parents), red, green, blue, width, box_height, left, bottom, name.encode())
            )
            parents.append(figure.reference)
            order["masks"].append(figure.reference)
        if signature_field:
            order["masks"].append(_add_signature_field(pdf, page, structure, *signature_field))
        structure["K"] = pydyf.Array(reference for part in order.values() for reference in part)
        contents = pdf.objects[_number(page["Contents"])]
        contents.stream[:0] = [*below, b"q"]
        contents.stream.extend([b"Q", *above])
        _finish_variant(pdf, variant)

    with _embedding_state(
        layers=[layer.fonts for _background, layer in layers], strict=refuse_missing_glyphs
    ):
        return document.write_pdf(finisher=finish, **_options(variant), pdf_tags=True)


def _add_signature_field(pdf, page, structure, name: str, description: str) -> bytes:
    """An empty signature field with an invisible widget (zero-size, printed, as PDF/A wants it),
    in a Form structure element; returns that element's reference."""
    root = pdf.objects[_number(pdf.catalog["StructTreeRoot"])]
    parent_tree = pdf.objects[_number(root["ParentTree"])]
    key = max(parent_tree["Nums"][::2]) + 1
    widget = pydyf.Dictionary(
        {
            "Type": "/Annot",
            "Subtype": "/Widget",
            "FT": "/Sig",
            "T": pydyf.String(name),
            "TU": pydyf.String(description),
            "F": 132,  # print, locked
            "Rect": pydyf.Array([0, 0, 0, 0]),
            "P": pdf.page_references[0],
            "StructParent": key,
        }
    )
    pdf.add_object(widget)
    page["Annots"] = pydyf.Array([*page.get("Annots", []), widget.reference])
    reference = pydyf.Dictionary({"Type": "/OBJR", "Obj": widget.reference, "Pg": pdf.page_references[0]})
    pdf.add_object(reference)
    element = pydyf.Dictionary(
        {
            "Type": "/StructElem",
            "S": "/Form",
            "P": structure.reference,
            "Pg": pdf.page_references[0],
            "K": pydyf.Array([reference.reference]),
            "Alt": pydyf.String(description),
        }
    )
    pdf.add_object(element)
    parent_tree["Nums"].extend([key, element.reference])
    pdf.catalog["AcroForm"] = pydyf.Dictionary({"Fields": pydyf.Array([widget.reference])})
    return element.reference


def blank_pdf() -> bytes:
    """A valid one-page PDF, for demo uploads that must pass the portal's own PDF checks."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
