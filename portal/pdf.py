"""PDF rendering with WeasyPrint that never reaches the network or the wider file system.

A worker renders a cohort's certificates one after another, so the work that is the same for
every document is done once per thread and kept: the font configuration (Pango's font map with
the shipped fonts), the parsed stylesheets of ``static/pdf`` and the URL fetcher. Only the
document itself is parsed, laid out and written each time.
"""

import atexit
import re
import threading
from pathlib import Path
from urllib.parse import unquote, urlparse

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


def render_pdf(html: str, *, variant: str | None = None) -> bytes:
    """Render template output to PDF. User values are escaped by the template; title, language and
    author come from the document's <title>, <html lang> and <meta name="author">."""
    import weasyprint  # imported here: web processes that never render a PDF do not pay for it

    renderer = _renderer()
    stylesheets = [renderer.stylesheet(name) for name in STYLESHEET_LINK.findall(html)]
    document = weasyprint.HTML(
        string=STYLESHEET_LINK.sub("", html), base_url=BASE_URL, url_fetcher=renderer.url_fetcher
    )
    options = {"pdf_variant": variant} if variant else {}
    return document.write_pdf(font_config=renderer.font_config, stylesheets=stylesheets, **options)


def blank_pdf() -> bytes:
    """A valid one-page PDF, for demo uploads that must pass the portal's own PDF checks."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
