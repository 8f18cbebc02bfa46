"""Fixed-window rate limits on the cache for the portal's own actions (uploads, certificate
checks, data export, account deletion), and the page that answers when one is reached.

Who counts as one client decides whether a limit protects the portal or blocks it. In
production every request arrives through the reverse proxy, so ``REMOTE_ADDR`` is the proxy's
address for everybody; keyed on it, "30 uploads per 10 minutes" would throttle the whole
portal in the last hour before a deadline. Therefore:

- A signed-in person is counted per account, wherever they come from.
- An anonymous client is counted per address, taken from django-axes
  (``axes.helpers.get_client_ip_address``), which reads ``X-Forwarded-For`` as far as
  ``DJANGO_TRUSTED_PROXY_COUNT`` proxies are trusted (see ``client_address``). Failed logins
  (django-axes), allauth's own limits and these limits thus agree on who a client is.

The cache also keeps when a client's window began, so the answer can say when the next
attempt is allowed (``Retry-After``).
"""

import hashlib
import math
import time

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render


def client_address(request) -> str | None:
    """The client's address for django-axes (``AXES_CLIENT_IP_CALLABLE``) and so for the portal.

    The address is derived as allauth derives it for its own limits: without a trusted proxy,
    ``REMOTE_ADDR``; behind ``ALLAUTH_TRUSTED_PROXY_COUNT`` (= ``DJANGO_TRUSTED_PROXY_COUNT``)
    proxies, the entry of ``X-Forwarded-For`` that the outermost trusted proxy wrote, so that
    entries a client sends itself are ignored.
    """
    from allauth.account.adapter import get_adapter

    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:  # no address at all
        return None


def client_key(request) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    from axes.helpers import get_client_ip_address

    address = get_client_ip_address(request) or ""
    return "ip:" + hashlib.sha256(address.encode()).hexdigest()[:16]


def _key(request, action: str) -> str:
    return f"ratelimit:{action}:{client_key(request)}"


def allow(request, action: str, *, limit: int, window: int) -> bool:
    """True while the client made fewer than ``limit`` attempts of ``action`` in the current window.

    A window starts with the client's first attempt and lasts ``window`` seconds.
    """
    key = _key(request, action)
    if cache.add(key, 1, timeout=window):
        cache.set(f"{key}:start", time.time(), timeout=window)
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        cache.set(f"{key}:start", time.time(), timeout=window)
        return True
    return count <= limit


def retry_after(request, action: str, *, window: int) -> int:
    """Seconds until the client's current window of ``action`` ends."""
    start = cache.get(f"{_key(request, action)}:start")
    if start is None:
        return 1
    return max(1, math.ceil(start + window - time.time()))


def too_many_requests(request, *, retry_after: int, message: str = "") -> HttpResponse:
    """The portal's page for HTTP 429, in the visitor's language, with ``Retry-After``."""
    response = render(
        request,
        "429.html",
        {"message": message, "retry_minutes": max(1, -(-retry_after // 60))},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


def handler429(request) -> HttpResponse:
    """allauth's limits (sign-up, password reset, ...) answer with the portal's page too."""
    return too_many_requests(request, retry_after=60)
