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
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
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

        self.font_config = FontConfiguration()
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


def _options(variant: str | None) -> dict:
    return {"pdf_variant": variant} if variant else {}


def render_pdf(html: str, *, variant: str | None = None) -> bytes:
    """Render template output to PDF. User values are escaped by the template; title, language and
    author come from the document's <title>, <html lang> and <meta name="author">."""
    return layout_document(html).write_pdf(**_options(variant))


# A reference to an indirect object inside a PDF dictionary ("12 0 R").
PDF_REFERENCE = re.compile(rb"(?<![\d.])(\d+) 0 R\b")
LAYER_NAME = "/ScmLayer"
LAYERS_KEPT = 32


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


class Layer:
    """The first page of a rendered PDF, kept as a form XObject and everything it refers to (fonts,
    colour spaces, images), serialised once. ``add_to`` copies it into another PDF under fresh
    object numbers, which costs a few string joins instead of a layout."""

    def __init__(self, pdf):
        objects = pdf.objects
        page = objects[pdf.pages["Kids"][0]]
        contents = objects[_number(page["Contents"])]
        form = pydyf.Stream(
            list(contents.stream),
            pydyf.Dictionary(
                {
                    "Type": "/XObject",
                    "Subtype": "/Form",
                    "BBox": pydyf.Array(page["MediaBox"]),
                    "Resources": page["Resources"],
                }
            ),
            compress=True,
        )
        form.number = len(objects)  # numbered past the source's objects, never added to it

        def head(item) -> bytes:  # the part of an object that may hold references
            return pydyf.Dictionary(item.extra).data if isinstance(item, pydyf.Stream) else item.data

        order, seen = [], set()
        pending = [form]
        while pending:
            item = pending.pop()
            if item.number in seen:
                continue
            seen.add(item.number)
            order.append(item)
            pending.extend(objects[int(number)] for number in PDF_REFERENCE.findall(head(item)))
        index = {item.number: position for position, item in enumerate(order)}

        self.parts = []
        for item in order:
            data = item.data
            is_stream = isinstance(item, pydyf.Stream)
            end = data.index(b"\nstream\n") if is_stream else len(data)
            pieces, last = [], 0
            for match in PDF_REFERENCE.finditer(data, 0, end):
                pieces += [data[last : match.start()], index[int(match.group(1))]]
                last = match.end()
            pieces.append(data[last:])
            self.parts.append((pieces, is_stream))

    def add_to(self, pdf) -> bytes:
        """Add the layer's objects to ``pdf``; returns the reference to its form XObject."""
        base = len(pdf.objects)
        for pieces, is_stream in self.parts:
            data = b"".join(
                piece if isinstance(piece, bytes) else b"%d 0 R" % (base + piece) for piece in pieces
            )
            pdf.add_object(_RawObject(data, is_stream))
        return b"%d 0 R" % base


def _number(reference) -> int:
    return int(reference.split()[0]) if isinstance(reference, (bytes, str)) else int(reference)


@dataclass(frozen=True)
class ImageMask:
    """A one-bit picture (a QR code), painted in one colour where ``rows`` hold True and transparent
    elsewhere, without smoothing: the same sharp squares as vector paths at a fraction of the cost."""

    rows: tuple[tuple[bool, ...], ...]
    color: tuple[int, int, int]

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
        captured = []
        document.write_pdf(finisher=lambda document, pdf: captured.append(Layer(pdf)), **_options(variant))
        layer = renderer.layers[key] = captured[0]
        while len(renderer.layers) > LAYERS_KEPT:
            renderer.layers.popitem(last=False)
    renderer.layers.move_to_end(key)
    return layer


def render_layered_pdf(
    html: str,
    *,
    backgrounds: list[Background],
    masks: dict[str, ImageMask] | None = None,
    variant: str | None = None,
) -> bytes:
    """Render ``html`` as a one-page PDF together with pages it shares with other documents.

    The documents must lay out their content independently of each other's, on the same page
    size, and what a background drawn ``above`` paints must not cover the document's content.
    ``masks`` paint pictures into the boxes of the elements with these ids (empty boxes sized by
    the stylesheet), above the backgrounds beneath."""
    renderer = _renderer()
    stylesheet_keys = tuple(
        (name, (ASSET_DIR / name).stat().st_mtime_ns) for name in STYLESHEET_LINK.findall(html)
    )
    layers = [
        (background, _layer(renderer, background, stylesheet_keys, variant)) for background in backgrounds
    ]

    document = _one_page(layout_document(html, renderer), "foreground")
    placed = []
    for element_id, mask in (masks or {}).items():
        box = element_box(document, element_id)
        if box is None:
            raise ValueError(f"no element with id {element_id!r} to draw into")
        placed.append((mask, box))

    def finish(document, pdf):
        page = pdf.objects[pdf.pages["Kids"][0]]
        resources = pdf.objects[_number(page["Resources"])]
        # Everything drawn here is in the page's own coordinates (points, origin bottom left);
        # WeasyPrint's content, which turns to its top-left CSS coordinates, is kept in q … Q.
        below, above = [], []
        for number, (background, layer) in enumerate(layers):
            name = f"{LAYER_NAME}{number}"
            resources["XObject"][name[1:]] = layer.add_to(pdf)
            (above if background.above else below).append(b"q %s Do Q" % name.encode())
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
            below.append(
                b"q %.4f %.4f %.4f rg %.3f 0 0 %.3f %.3f %.3f cm /%s Do Q"
                % (red, green, blue, width, box_height, left, bottom, name.encode())
            )
        contents = pdf.objects[_number(page["Contents"])]
        contents.stream[:0] = [*below, b"q"]
        contents.stream.extend([b"Q", *above])

    return document.write_pdf(finisher=finish, **_options(variant))


def blank_pdf() -> bytes:
    """A valid one-page PDF, for demo uploads that must pass the portal's own PDF checks."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
