"""Serving an uploaded or generated file: always as a download, never cached, never sniffed."""

from django.http import FileResponse


def private_download(field, filename: str, content_type: str | None = None) -> FileResponse:
    """A response for a stored file that only permission-checked views hand out."""
    response = FileResponse(
        field.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
