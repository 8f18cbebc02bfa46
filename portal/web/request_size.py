"""Requests larger than the portal takes are refused by their ``Content-Length`` before any
byte of the body is read.

Django's own limits (``DATA_UPLOAD_MAX_MEMORY_SIZE``, the 5 MB check of an uploaded PDF) act
only while or after the body is read: a 200 MB upload would cross the network and the disk first.
This middleware stands first in ``MIDDLEWARE``, before sessions, rate limits and the CSRF check
(which reads the form), and answers 413 with the portal's page in the visitor's language.
The reverse proxy refuses larger bodies even earlier (``client_max_body_size``, README).
"""

from django.conf import settings
from django.shortcuts import render
from django.utils import translation

from portal.web.middleware import language_for


def announced_length(request) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


class RequestSizeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.PORTAL_MAX_REQUEST_BYTES
        if announced_length(request) > limit:
            return too_large(request, limit=limit)
        return self.get_response(request)


def too_large(request, *, limit: int):
    """The portal's page for HTTP 413, in the visitor's language (chosen by the language cookie:
    nobody is signed in yet at this point of the request)."""
    with translation.override(language_for(request)):
        response = render(
            request,
            "413.html",
            {"limit_mb": max(1, limit // (1024 * 1024))},
            status=413,
        )
        response.headers["Content-Language"] = translation.get_language()
    return response
