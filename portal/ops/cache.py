"""A Redis cache that degrades instead of failing the page.

The cache only speeds pages up: rate limits, cached parts, the cache copy of sessions (whose
database copy is the truth, ``cached_db``). When Redis does not answer within its short socket
timeout, each operation acts as on an empty cache that keeps nothing (``get`` gives the default,
``add`` stores nothing but lets the caller go on, ``incr`` finds no key) and the page renders
without it. After a failure the process leaves Redis alone for ``PORTAL_CACHE_RETRY_SECONDS``, so
a frozen Redis costs one timeout per process and interval, not one per cache call.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

FAILURES = (RedisError, OSError)


class _Outage:
    """Until when this process leaves the cache alone (monotonic seconds; 0: ask it)."""

    lock = threading.Lock()
    until = 0.0


def cache_unavailable() -> bool:
    return time.monotonic() < _Outage.until


def _record_outage(error: BaseException) -> None:
    with _Outage.lock:
        first = not cache_unavailable()
        _Outage.until = time.monotonic() + settings.PORTAL_CACHE_RETRY_SECONDS
    if first:
        logger.warning("cache unavailable (%s); pages render without it", type(error).__name__)


def reset_outage() -> None:
    """Ask the cache again at once (after a test or a known recovery)."""
    _Outage.until = 0.0


def _degrading(name: str, fallback):
    original = getattr(RedisCache, name)

    def method(self, *args, **kwargs):
        if cache_unavailable():
            return fallback(*args, **kwargs)
        try:
            return original(self, *args, **kwargs)
        except FAILURES as error:
            _record_outage(error)
            return fallback(*args, **kwargs)

    method.__name__ = name
    method.__doc__ = original.__doc__
    return method


def _missing_key(key, *args, **kwargs):
    raise ValueError(f"Key {key!r} not found.")


class ResilientRedisCache(RedisCache):
    """Django's RedisCache, with every operation degrading as the module docstring says."""

    get = _degrading("get", lambda key, default=None, version=None: default)
    get_many = _degrading("get_many", lambda *args, **kwargs: {})
    has_key = _degrading("has_key", lambda *args, **kwargs: False)
    add = _degrading("add", lambda *args, **kwargs: True)
    set = _degrading("set", lambda *args, **kwargs: None)
    set_many = _degrading("set_many", lambda *args, **kwargs: [])
    touch = _degrading("touch", lambda *args, **kwargs: False)
    delete = _degrading("delete", lambda *args, **kwargs: False)
    delete_many = _degrading("delete_many", lambda *args, **kwargs: None)
    incr = _degrading("incr", _missing_key)
    clear = _degrading("clear", lambda *args, **kwargs: False)
