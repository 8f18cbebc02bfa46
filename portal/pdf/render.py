"""PDF rendering with WeasyPrint that never reaches the network or the wider file system.

A worker renders a cohort's certificates one after another, so the work that is the same for
every document is done once per thread and kept: the font configuration (Pango's font map with
the shipped fonts), the parsed stylesheets of ``static/pdf`` and the URL fetcher. Only the
document itself is parsed, laid out and written each time. Documents that share most of their
page go further with ``portal.pdf.layers``.
"""

import atexit
import contextlib
import copy
import hashlib
import re
import threading
import zlib
from collections import OrderedDict
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

        from portal.pdf.fonts import shipped_fonts_only

        _hook_font_embedding()
        self.font_config = shipped_fonts_only(FontConfiguration)
        self.url_fetcher = safe_url_fetcher()
        self.stylesheets = {}
        self.layers = OrderedDict()  # least recently used first
        self.warm = {}  # laid-out foregrounds kept for reuse (portal.pdf.warm), oldest first
        self.compressed = {}  # compressed streams by digest (``_compressed``), oldest first

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


def _number(reference) -> int:
    """The object number of an indirect reference (\"12 0 R\") or of a plain number."""
    return int(reference.split()[0]) if isinstance(reference, (bytes, str)) else int(reference)


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
    marker, and the stream's /Length as one byte too long (ISO 19005-2, 6.1.7.1). In the portal's
    own renders the compressed bytes are remembered (``_compressed``)."""
    stream = b"\n".join(pydyf._to_bytes(item) for item in self.stream)
    extra = pydyf.Dictionary(self.extra.copy())
    if self.compress:
        compressed = _compressed(stream)
        if not compressed.endswith(b"\r") or stream.endswith(b"\r"):
            extra["Filter"] = "/FlateDecode"
            stream = compressed
    extra["Length"] = len(stream)
    return b"\n".join((extra.data, b"stream", stream, b"endstream"))


COMPRESSED_KEPT = 64


def _compress(data: bytes) -> bytes:
    compressor = zlib.compressobj(level=9)
    return compressor.compress(data) + compressor.flush()


def _compressed(data: bytes) -> bytes:
    """``data`` compressed as pydyf does. pydyf serialises every object twice per file (the second
    time for the file's ID), and a cohort's certificates share streams (the colour profile, the
    kept layers' content): while the portal renders (``_embedding.memo``), each distinct stream is
    compressed once and its bytes reused, looked up by a digest of the uncompressed bytes."""
    memo = getattr(_embedding, "memo", None)
    if memo is None:
        return _compress(data)
    key = (len(data), hashlib.blake2b(data, digest_size=16).digest())
    compressed = memo.get(key)
    if compressed is None:
        compressed = memo[key] = _compress(data)
        while len(memo) > COMPRESSED_KEPT:
            memo.pop(next(iter(memo)))
    return compressed


def _hook_font_embedding() -> None:
    import weasyprint.pdf

    from portal.pdf.joiners import keep_joiners
    from portal.pdf.notes import tag_notes

    keep_joiners()
    tag_notes()
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
    with _embedding_state(strict=refuse_missing_glyphs, memo=_renderer().compressed):
        return layout_document(html).write_pdf(
            finisher=lambda document, pdf: _finish_variant(pdf, variant), **_options(variant)
        )


def blank_pdf() -> bytes:
    """A valid one-page PDF, for demo uploads that must pass the portal's own PDF checks."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
