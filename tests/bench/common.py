"""What every part of the benchmark shares: its own database and Redis database, statistics,
the processes it starts (and stops), and the description of the machine."""

import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/12"


class BenchError(RuntimeError):
    pass


def configure_environment(media_root: str) -> None:
    """The benchmark's environment, before Django starts; the processes it starts inherit it."""
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("REDIS_URL", DEFAULT_REDIS_URL)
    database = urlparse(os.environ["DATABASE_URL"])
    name = database.path.lstrip("/")
    if not database.scheme.startswith("postgres") or "bench" not in name:
        raise BenchError(
            "DATABASE_URL must point at a PostgreSQL database whose name contains 'bench' "
            f"(it is dropped and created again), not {name!r}."
        )
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "tests.bench.settings",
            "DJANGO_DEBUG": "false",
            # As in production: one database connection per worker, kept between requests.
            "DJANGO_CONN_MAX_AGE": "60",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EMAIL_URL": "dummymail://",
            "DJANGO_MEDIA_ROOT": media_root,
            "DJANGO_LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
    )


def recreate_database() -> None:
    import psycopg2
    from psycopg2 import sql

    url = urlparse(os.environ["DATABASE_URL"])
    connection = psycopg2.connect(
        dbname="postgres",
        user=url.username or "postgres",
        password=url.password or None,
        host=url.hostname or "127.0.0.1",
        port=url.port or 5432,
        connect_timeout=5,
    )
    connection.autocommit = True
    name = url.path.lstrip("/")
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    connection.close()


def flush_redis() -> None:
    """Empty the benchmark's own Redis database (queues, cache), never another one."""
    import redis

    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()


# --- statistics -----------------------------------------------------------------------------


def median(values) -> float:
    return statistics.median(values)


def percentile(values, p: float) -> float:
    """Linear interpolation between closest ranks (as numpy's default)."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * p / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


# --- processes --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(args: list[str], log: Path) -> subprocess.Popen:
    """Start a process of the benchmark in its own process group, logging to ``log``."""
    handle = log.open("wb")
    return subprocess.Popen(  # noqa: S603
        args, cwd=ROOT, env=os.environ.copy(), stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
    )


def start_worker(hostname: str, log: Path) -> subprocess.Popen:
    """A Celery worker as production runs it (``make worker``: two prefork processes)."""
    return start(
        [
            str(VENV_BIN / "celery"),
            "-A",
            "config",
            "worker",
            "--concurrency=2",
            "--pool=prefork",
            "--loglevel=WARNING",
            f"--hostname={hostname}",
            "--without-gossip",
            "--without-mingle",
        ],
        log,
    )


def stop(process: subprocess.Popen, timeout: float = 30) -> None:
    """Stop a process this benchmark started (and its children), gently first."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def wait_for(predicate, *, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise BenchError(f"timed out waiting for {what}")


# --- the machine ------------------------------------------------------------------------------


def _first_line(path: str, prefix: str) -> str:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def _version(number: int) -> str:
    return f"{number // 10000}.{number // 100 % 100}.{number % 100}"


def machine() -> dict[str, str]:
    import celery
    import django
    import gunicorn
    import weasyprint
    from django.db import connection
    from weasyprint.text.ffi import pango

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0].split()[0]
    try:
        import redis

        redis_version = redis.Redis.from_url(os.environ["REDIS_URL"]).info("server")["redis_version"]
    except Exception:  # only descriptive
        redis_version = "unknown"
    memory_kb = _first_line("/proc/meminfo", "MemTotal").split()[0]
    try:
        system_font = subprocess.run(  # noqa: S603
            ["fc-match", "sans-serif"],
            capture_output=True,
            text=True,
            check=True,  # noqa: S607
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        system_font = "unknown"
    os_name = "unknown"
    if Path("/etc/os-release").exists():
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"')
    try:
        from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

        hb_subset = "HarfBuzz" if harfbuzz_subset and harfbuzz.hb_version_atleast(4, 1, 0) else "fontTools"
    except Exception:  # only descriptive
        hb_subset = "unknown"
    return {
        "CPU": _first_line("/proc/cpuinfo", "model name"),
        "Cores": str(os.cpu_count()),
        "Memory": f"{int(memory_kb) / 1024 / 1024:.1f} GiB" if memory_kb.isdigit() else "unknown",
        "System": f"{os_name}, kernel {platform.release()}",
        "Python": platform.python_version(),
        "Django": django.get_version(),
        "WeasyPrint": f"{weasyprint.__version__} (Pango {_version(pango.pango_version())}, "
        f"font subsetting by {hb_subset})",
        "System font (fc-match sans-serif)": system_font,
        "PostgreSQL": postgres,
        "Redis": redis_version,
        "gunicorn": gunicorn.__version__,
        "Celery": celery.__version__,
    }
