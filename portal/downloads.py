"""Serving an uploaded or generated file: always as a download, never cached, never sniffed.

Where files live in object storage and ``PORTAL_S3_PRESIGNED_DOWNLOADS`` is on, the view that
checked the permission answers with a redirect to a URL signed for ``PORTAL_S3_URL_SECONDS``
that carries the same ``Content-Disposition``, type and cache headers; otherwise the web process
streams the file itself. Either way the bucket itself is never public.
"""

import mimetypes

from django.conf import settings
from django.http import FileResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header


def presigned_url(field, filename: str, content_type: str | None = None) -> str | None:
    """A short-lived URL for the stored file, or None where the storage cannot sign one."""
    storage = field.storage
    if not getattr(storage, "bucket_name", None):
        return None
    return storage.url(
        field.name,
        parameters={
            "ResponseContentDisposition": content_disposition_header(True, filename),
            "ResponseContentType": content_type
            or mimetypes.guess_type(filename)[0]
            or "application/octet-stream",
            "ResponseCacheControl": "private, no-store",
        },
        expire=settings.PORTAL_S3_URL_SECONDS,
    )


def private_download(field, filename: str, content_type: str | None = None):
    """A response for a stored file that only permission-checked views hand out."""
    if settings.PORTAL_S3_PRESIGNED_DOWNLOADS:
        url = presigned_url(field, filename, content_type)
        if url is not None:
            response = HttpResponseRedirect(url)
            response["Cache-Control"] = "private, no-store"
            response["Referrer-Policy"] = "no-referrer"
            return response
    response = FileResponse(
        field.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
