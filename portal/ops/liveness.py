"""Liveness of the background processes: each Celery worker and beat proves it runs by itself.

- A worker's main process writes a heartbeat every ``HEARTBEAT_INTERVAL`` seconds: the time into a
  file in its own container (``PORTAL_HEARTBEAT_DIR``) and, for the operators' overview
  (``/readyz?full=1``), under its node name into a hash in Redis. A Redis outage does not stop the
  file: the worker is alive and reconnects by itself; restarting it would not help.
- Beat writes its file at every tick of its scheduler: a beat whose loop hangs stops writing. The
  same tick, with the same time, goes into Redis (``BEAT_KEY``) for the operators' overview: the
  web nodes cannot read a file in beat's container.
- ``manage.py probe worker`` and ``manage.py probe beat`` (the compose health checks, a Kubernetes
  liveness probe) read the file of their own container and fail when it is older than
  ``PORTAL_WORKER_HEARTBEAT_MAX_AGE`` or ``PORTAL_BEAT_HEARTBEAT_MAX_AGE`` seconds.

A web node's readiness never depends on these (see ``portal.ops.health``).
"""

import logging
import os
import socket
import tempfile
import threading
import time
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

HEARTBEAT_INTERVAL = 10
# Redis hash: worker node name -> time of its last heartbeat.
WORKERS_KEY = "portal:worker-heartbeats"
# Redis string: time of beat's last tick.
BEAT_KEY = "portal:beat-heartbeat"
KINDS = ("worker", "beat")


def heartbeat_path(kind: str) -> Path:
    folder = settings.PORTAL_HEARTBEAT_DIR or tempfile.gettempdir()
    return Path(folder) / f"portal-{kind}.heartbeat"


def max_age(kind: str) -> int:
    return (
        settings.PORTAL_WORKER_HEARTBEAT_MAX_AGE
        if kind == "worker"
        else settings.PORTAL_BEAT_HEARTBEAT_MAX_AGE
    )


def touch(kind: str, now: float | None = None) -> None:
    """Record that the process of ``kind`` is alive, atomically (a probe never reads half a file)."""
    path = heartbeat_path(kind)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}")
    partial.write_text(str(now if now is not None else time.time()))
    partial.replace(path)


def probe(kind: str, *, now: float | None = None) -> tuple[bool, str]:
    """Whether the process of ``kind`` in this container reported in recently, and what was found."""
    if kind not in KINDS:
        raise ValueError(kind)
    path = heartbeat_path(kind)
    try:
        written = float(path.read_text())
    except (OSError, ValueError):
        return False, f"{kind}: no heartbeat"
    age = max(0.0, (now if now is not None else time.time()) - written)
    if age > max_age(kind):
        return False, f"{kind}: last heartbeat {int(age)} s ago"
    return True, f"{kind}: last heartbeat {age:.0f} s ago"


def beat_tick(now: float | None = None) -> None:
    """Beat's loop ran: its file for the probe, then the same time in Redis for /readyz?full=1.
    The file comes first and does not depend on Redis: an outage there must not fail the probe."""
    now = now if now is not None else time.time()
    touch("beat", now)
    if not settings.REDIS_URL:
        return
    client = redis_client()
    try:
        client.set(BEAT_KEY, str(now), ex=max(settings.PORTAL_BEAT_HEARTBEAT_MAX_AGE * 10, 600))
    finally:
        client.close()


def beat_heartbeat_age(now: float | None = None) -> float | None:
    """Seconds since beat's last tick as recorded in Redis; None when beat never reported in."""
    client = redis_client()
    try:
        value = client.get(BEAT_KEY)
    finally:
        client.close()
    if value is None:
        return None
    return max(0.0, (now if now is not None else time.time()) - float(value))


def redis_client(timeout: float = 0.8):
    import redis

    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=timeout, socket_timeout=timeout)


class Heartbeat:
    """A thread in the worker's main process that writes the heartbeat while the worker runs."""

    def __init__(self, node: str | None = None):
        self.node = node or f"celery@{socket.gethostname()}"
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.run, name="portal-heartbeat", daemon=True)

    def beat(self) -> None:
        now = time.time()
        touch("worker", now)
        if not settings.REDIS_URL:
            return
        forget = max(settings.PORTAL_WORKER_HEARTBEAT_MAX_AGE * 10, 600)  # a node gone for good
        client = redis_client()
        try:
            client.hset(WORKERS_KEY, self.node, str(now))
            client.expire(WORKERS_KEY, forget)
            gone = [
                node for node, value in client.hgetall(WORKERS_KEY).items() if now - float(value) > forget
            ]
            if gone:
                client.hdel(WORKERS_KEY, *gone)
        finally:
            client.close()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                self.beat()
            except Exception:  # noqa: BLE001 - a broker outage must not end the heartbeat thread
                logger.warning("worker heartbeat could not be written", exc_info=True)
            self.stopped.wait(HEARTBEAT_INTERVAL)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopped.set()


def worker_heartbeats(now: float | None = None) -> dict[str, float]:
    """Each worker node that reported in, with the age of its last heartbeat in seconds."""
    client = redis_client()
    try:
        values = client.hgetall(WORKERS_KEY)
    finally:
        client.close()
    now = now if now is not None else time.time()
    return {node.decode(): max(0.0, now - float(value)) for node, value in values.items()}
