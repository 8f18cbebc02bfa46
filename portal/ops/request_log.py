"""One log line per request, tied to the request ID that the Celery tasks it queued carry too.

The request ID comes from django-guid: taken from an ``X-Request-ID`` header that a proxy set
(when it is a valid UUID), otherwise made up, and returned in the response's ``X-Request-ID``.
django-guid's Celery integration puts it in the header of every task the request queues, and
the worker logs the task's lines under it.

What a line holds: method, the URL pattern that answered (``konto/confirm-email/<str:key>/``,
not the path itself, which can carry a token, a name or an address), status, duration and a pseudonymous user ID: an HMAC of the account's key, stable
across requests so that one person's requests can be followed, but no name, address, e-mail or
IP address. ``PORTAL_LOG_FORMAT=json`` prints every log line as one JSON object.
"""

import hashlib
import hmac
import logging
import time

from django.conf import settings

logger = logging.getLogger("portal.request")


def pseudonymous_user_id(user) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    key = hashlib.sha256(f"log-pseudonym:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, str(user.pk).encode(), hashlib.sha256).hexdigest()[:16]


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        response = self.get_response(request)
        user = getattr(request, "user", None)  # set by AuthenticationMiddleware further in
        match = getattr(request, "resolver_match", None)
        route = "/" + match.route if match is not None and match.route else "(unresolved)"
        logger.info(
            "%s %s %s",
            request.method,
            route,
            response.status_code,
            extra={
                "method": request.method,
                "route": route,
                "status": response.status_code,
                "duration_ms": round((time.monotonic() - started) * 1000, 1),
                "user": pseudonymous_user_id(user),
            },
        )
        return response
