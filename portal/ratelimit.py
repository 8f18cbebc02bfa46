"""A small fixed-window rate limit on the cache, for public lookups."""

import hashlib

from django.core.cache import cache


def client_key(request) -> str:
    address = request.META.get("REMOTE_ADDR", "")
    return hashlib.sha256(address.encode()).hexdigest()[:16]


def allow(request, action: str, *, limit: int, window: int) -> bool:
    """True while the client made fewer than ``limit`` attempts of ``action`` in the current window."""
    key = f"ratelimit:{action}:{client_key(request)}"
    if cache.add(key, 1, timeout=window):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return True
    return count <= limit
