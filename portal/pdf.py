"""PDF rendering with WeasyPrint that never reaches the network or the wider file system."""

from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings

# Fonts and images a PDF may use; everything else is refused.
ASSET_DIR = (Path(settings.BASE_DIR) / "static" / "pdf").resolve()


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


def render_pdf(html: str, *, variant: str | None = None) -> bytes:
    """Render template output to PDF. User values are escaped by the template; title, language and
    author come from the document's <title>, <html lang> and <meta name="author">."""
    import weasyprint  # imported here: web processes that never render a PDF do not pay for it

    document = weasyprint.HTML(string=html, base_url=ASSET_DIR.as_uri() + "/", url_fetcher=safe_url_fetcher())
    return document.write_pdf(pdf_variant=variant) if variant else document.write_pdf()
