"""The pages of an uploaded PDF as pictures, to show a letter inside a page without a PDF viewer.

A browser's PDF viewer does not run inside a sandboxed frame, and a PDF shown without a sandbox
runs the viewer on the portal's origin. Pictures of the pages need neither: the frame that shows
them can be fully sandboxed (no scripts, no forms, no same-origin).

The PDF comes from someone outside, so reading it is bounded: at most ``MAX_BYTES``, the first
``MAX_PAGES`` pages, each scaled to ``WIDTH`` pixels (a page of absurd proportions no taller than
``MAX_HEIGHT``), in a child process with a limit on memory and CPU and a wall-clock timeout. A file
too large, broken, or too slow to render yields a ``Preview`` that says so instead of pages.
"""

import base64
import io
import json
import subprocess  # noqa: S404 - the child is this module itself, with fixed arguments
import sys
from dataclasses import dataclass, field

MAX_BYTES = 10 * 1024 * 1024
MAX_PAGES = 10
WIDTH = 900
MAX_HEIGHT = 4 * WIDTH
TIMEOUT = 8.0  # seconds, for all pages together
MEMORY = 768 * 1024 * 1024  # bytes of address space for the child


@dataclass
class Preview:
    """JPEG pictures of the first pages; ``page_count`` is the document's; ``problem`` is one of
    "", "too_large", "unreadable", "timeout"."""

    pages: list[bytes] = field(default_factory=list)
    page_count: int = 0
    problem: str = ""

    @property
    def truncated(self) -> bool:
        return not self.problem and self.page_count > len(self.pages)

    def data_urls(self) -> list[str]:
        return ["data:image/jpeg;base64," + base64.b64encode(page).decode("ascii") for page in self.pages]


def _limit_child() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    cpu = int(TIMEOUT) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))


def render_pages(content: bytes, *, max_pages: int = MAX_PAGES, timeout: float = TIMEOUT) -> Preview:
    """The first ``max_pages`` pages of the PDF ``content`` as JPEG pictures, rendered in a child."""
    if len(content) > MAX_BYTES:
        return Preview(problem="too_large")
    try:
        finished = subprocess.run(  # noqa: S603 - our own interpreter and module, no shell
            [sys.executable, "-I", __file__, str(max_pages)],  # this file alone, no package
            input=content,
            capture_output=True,
            timeout=timeout,
            preexec_fn=_limit_child,  # noqa: PLW1509 - only setrlimit, before exec
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Preview(problem="timeout")
    if finished.returncode != 0:
        return Preview(problem="unreadable")
    answer = json.loads(finished.stdout)
    return Preview(
        pages=[base64.b64decode(page) for page in answer["pages"]],
        page_count=answer["count"],
        problem="" if answer["pages"] else "unreadable",
    )


def _render_in_child(content: bytes, max_pages: int) -> dict:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(content)
    pages = []
    try:
        for index in range(min(len(document), max_pages)):
            page = document[index]
            width, height = page.get_size()
            scale = min(WIDTH / max(width, 1.0), MAX_HEIGHT / max(height, 1.0))
            image = page.render(scale=scale).to_pil().convert("RGB")
            buffer = io.BytesIO()
            image.save(buffer, "JPEG", quality=85, optimize=True)
            pages.append(base64.b64encode(buffer.getvalue()).decode("ascii"))
            page.close()
        return {"count": len(document), "pages": pages}
    finally:
        document.close()


if __name__ == "__main__":
    json.dump(_render_in_child(sys.stdin.buffer.read(), int(sys.argv[1])), sys.stdout)
