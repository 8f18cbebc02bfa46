"""Liveness and readiness of a web node, for load balancers, orchestrators and monitoring.

``/healthz`` says only that this process answers: it touches no database, broker or store, so a
failing dependency never gets a healthy process restarted. ``/readyz`` asks what a web node needs
to serve pages: the database and the object store must answer (else 503: take this node out of
service); the cache and the broker are reported too, but a node whose cache or broker is down still
serves pages (the cache degrades, ``portal.ops.cache``; queued work is recorded in the database and
sent later), so they make the answer ``degraded``, not 503. Workers are not asked: a worker outage
must not take the web tier down. ``/readyz?full=1`` adds, for operators and monitoring, each
worker's last heartbeat and beat's last tick, and flags those lagging behind (still 200): plain
``/readyz`` never asks for beat, so a web node stays in service while beat is down. Each process of the background
has its own liveness probe (``portal.ops.liveness``). All answers are JSON with one entry per check.

Guarantees:
- An answer within a second, even when a dependency hangs: each check runs in its own thread and
  is reported as ``timeout`` when it has not finished in time. A check that is still hanging from
  an earlier probe is not started again, so a dead dependency does not pile up threads.
- Nothing secret: a failing check names only the kind of error (the exception's class), never an
  address, a bucket, a user name or a message that could carry one.
- No host check, no HTTPS redirect, no session, no language: the middleware answers before any of
  them, so a probe that asks by the pod's address over plain HTTP gets the real answer.
"""

import json
import logging
import os
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpResponse

from portal.ops import liveness

logger = logging.getLogger(__name__)

TIMEOUT = 0.8  # seconds a check may take; the whole answer stays under one second


class _Running:
    """The thread of each check that has not finished yet (process-wide)."""

    lock = threading.Lock()
    threads: dict[str, threading.Thread] = {}


def check_database() -> dict:
    from django.db import connections

    connection = connections["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connection.close()  # the thread ends; its connection must not be left open
    return {}


def _redis_client():
    return liveness.redis_client(TIMEOUT)


def check_cache() -> dict:
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        return {"detail": "local"}
    cache._cache.get_client(write=True).ping()  # past the degrading wrapper: the real answer
    return {}


def check_broker() -> dict:
    if not settings.REDIS_URL:
        return {"detail": "eager"}  # tasks run in the web process; there is no broker to ask
    client = _redis_client()
    try:
        client.ping()
    finally:
        client.close()
    return {}


def check_storage() -> dict:
    from django.core.files.storage import default_storage

    location = getattr(default_storage, "location", None)
    if location is not None and not getattr(default_storage, "bucket_name", None):
        # The local file system: the folder must be writable. A fresh installation has none until
        # the first upload; it is created here, as the first upload would (storage's own mode).
        if not os.path.isdir(location):
            try:
                os.makedirs(location, exist_ok=True)
            except OSError as error:
                raise OSError("media folder cannot be created") from error
        if not os.access(location, os.W_OK):
            raise OSError("media folder read-only")
        return {}
    # One HEAD request on the bucket: reaches the store and needs the portal's rights on it. The
    # storage keeps a boto3 client per thread and every probe runs in a new thread, so the check
    # keeps one client (thread-safe) on the storage instead of building one per probe.
    client = getattr(default_storage, "readyz_client", None)
    if client is None:
        client = default_storage.connection.meta.client
        default_storage.readyz_client = client
    client.head_bucket(Bucket=default_storage.bucket_name)
    return {}


def check_workers() -> dict:
    """Each worker's last heartbeat; fails when none reported in recently, names the laggards."""
    if not settings.REDIS_URL:
        return {"detail": "eager"}
    ages = liveness.worker_heartbeats()
    limit = settings.PORTAL_WORKER_HEARTBEAT_MAX_AGE
    lagging = sorted(node for node, age in ages.items() if age > limit)
    if not ages or len(lagging) == len(ages):
        raise TimeoutError("no worker heartbeat within %d s" % limit)
    return {"nodes": {node: round(age, 1) for node, age in sorted(ages.items())}, "lagging": lagging}


class Stale(TimeoutError):
    """A process of the background has not reported in for too long; ``extra`` goes into the answer."""

    def __init__(self, message: str, **extra):
        super().__init__(message)
        self.extra = extra


def check_beat() -> dict:
    """Beat's last tick (the record its liveness probe reads, mirrored in Redis); lagging when it
    is older than ``PORTAL_BEAT_HEARTBEAT_MAX_AGE``."""
    if not settings.REDIS_URL:
        return {"detail": "eager"}
    age = liveness.beat_heartbeat_age()
    limit = settings.PORTAL_BEAT_HEARTBEAT_MAX_AGE
    if age is None:
        raise Stale("no beat heartbeat", last_tick=None, limit=limit, lagging=True)
    if age > limit:
        raise Stale("beat's last tick %d s ago" % age, last_tick=round(age, 1), limit=limit, lagging=True)
    return {"last_tick": round(age, 1), "limit": limit, "lagging": False}


# Without these a web node cannot serve pages: they decide 200 or 503.
REQUIRED: dict[str, Callable[[], dict]] = {"database": check_database, "storage": check_storage}
# Without these pages still render (cache degrades, work waits in the database): "degraded".
DEGRADING: dict[str, Callable[[], dict]] = {"cache": check_cache, "broker": check_broker}
# Only with ?full=1, for operators: the background's state, never a reason to take a node out.
FULL: dict[str, Callable[[], dict]] = {"workers": check_workers, "beat": check_beat}


def run_checks(checks: dict[str, Callable[[], dict]], timeout: float = TIMEOUT) -> dict[str, dict]:
    """Runs every check in parallel and waits at most ``timeout`` seconds for all of them."""
    results: dict[str, dict] = {}
    started: dict[str, threading.Thread] = {}

    def run(name: str, check: Callable[[], dict]) -> None:
        begin = time.monotonic()
        try:
            outcome = {"status": "ok", **check()}
        except TimeoutError as error:
            outcome = {
                "status": "fail",
                "error": "stale",
                "detail": str(error),
                **getattr(error, "extra", {}),
            }
        except Exception as error:  # noqa: BLE001 - any failure of a dependency is a failed check
            outcome = {"status": "fail", "error": type(error).__name__}
        outcome["duration_ms"] = round((time.monotonic() - begin) * 1000)
        results[name] = outcome
        with _Running.lock:
            _Running.threads.pop(name, None)

    with _Running.lock:
        for name, check in checks.items():
            if name in _Running.threads:
                results[name] = {"status": "fail", "error": "timeout", "detail": "still waiting"}
                continue
            thread = threading.Thread(target=run, args=(name, check), name=f"readyz-{name}", daemon=True)
            _Running.threads[name] = started[name] = thread
    for thread in started.values():
        thread.start()
    deadline = time.monotonic() + timeout
    for name, thread in started.items():
        thread.join(max(0.0, deadline - time.monotonic()))
        if name not in results:
            results[name] = {"status": "fail", "error": "timeout"}
    return {name: results[name] for name in checks}


def _json(payload: dict, status: int) -> HttpResponse:
    response = HttpResponse(json.dumps(payload), content_type="application/json", status=status)
    response["Cache-Control"] = "no-store"
    return response


def healthz() -> HttpResponse:
    return _json({"status": "ok", "checks": {"process": {"status": "ok"}}}, 200)


def readyz(full: bool = False) -> HttpResponse:
    checks = run_checks({**REQUIRED, **DEGRADING, **(FULL if full else {})})
    failed = {name: result for name, result in checks.items() if result["status"] != "ok"}
    ready = not (failed.keys() & REQUIRED.keys())
    status = "fail" if not ready else "degraded" if failed else "ok"
    if failed:
        logger.warning("readyz: %s", failed)
    return _json({"status": status, "checks": checks}, 200 if ready else 503)


class HealthMiddleware:
    """Answers /healthz and /readyz before every other middleware (see the module docstring)."""

    PATHS = {"/healthz": healthz, "/readyz": readyz}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        handler = self.PATHS.get(request.path_info.rstrip("/"))
        if handler is readyz and request.method in ("GET", "HEAD"):
            return readyz(full=request.GET.get("full") == "1")
        if handler is not None and request.method in ("GET", "HEAD"):
            return handler()
        return self.get_response(request)
