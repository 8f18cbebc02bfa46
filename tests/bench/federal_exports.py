"""The federal benchmark's exports.

Each export runs in a fresh process of its own (tests/bench/export_memory.py), which reports its
time, its absolute peak resident memory and how much that peak grew during the export. The
reviewers' list beyond ``PORTAL_EXPORT_BACKGROUND_ROWS`` is built as an export job: that process
asks for it as the admin does and then builds it as the worker would. Beside the CSV stands
PostgreSQL's ``COPY`` of the same columns, the floor of what any CSV of these rows can cost.

At federal scale the same two exports are also asked for through gunicorn with the repository's
settings (gunicorn.conf.py, default timeout) and built by a real Celery worker: the time from the
request to the file being ready for download, and the time the request itself took.
"""

import io
import json
import subprocess
import sys
import time

from django.conf import settings
from django.db import connection

from .common import ROOT, VENV_BIN, BenchError, free_port, start, start_worker, stop, wait_for

KINDS = (
    ("Admin export, CSV", "admin-csv", "reviewer"),
    ("Admin export, XLSX", "admin-xlsx", "reviewer"),
    ("Evaluation export, CSV", "evaluation-csv", "evaluator"),
    ("Evaluation export, XLSX", "evaluation-xlsx", "evaluator"),
)
COPY_ROUNDS = 3

# The admin CSV's twelve columns, as PostgreSQL writes them itself.
COPY_SQL = """
COPY (
  SELECT a.reference, btrim(u.first_name || ' ' || u.last_name), u.email,
         CASE WHEN a.municipality_id IS NULL THEN a.other_employer ELSE m.name END,
         m.district, m.kind, a.department, a.position, a.status, a.submitted_at,
         (SELECT avg(s.motivation + s.relevance + s.commitment) FROM applications_score s
           WHERE s.application_id = a.id),
         (SELECT count(*) FROM applications_score s WHERE s.application_id = a.id)
    FROM applications_application a
    LEFT JOIN portal_user u ON u.id = a.applicant_id
    LEFT JOIN portal_municipality m ON m.id = a.municipality_id
   WHERE a.status <> 'draft'
   ORDER BY a.id
) TO STDOUT WITH (FORMAT csv, DELIMITER ';', HEADER)
"""


class _Counter(io.RawIOBase):
    def __init__(self):
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.size += len(data)
        return len(data)


def copy_baseline() -> dict:
    """``COPY … TO STDOUT`` of the admin CSV's columns, the median of a few runs."""
    times, size = [], 0
    for _ in range(COPY_ROUNDS):
        sink = _Counter()
        with connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.cursor.copy_expert(COPY_SQL, sink)
            times.append(time.perf_counter() - started)
        size = sink.size
    times.sort()
    return {"time": times[len(times) // 2], "bytes": size}


def in_process(world, database: str) -> dict:
    """The exports of one world (its database by name), each in a process of its own."""
    import os
    from urllib.parse import urlparse

    url = urlparse(os.environ["DATABASE_URL"])
    env = {**os.environ, "DATABASE_URL": url._replace(path=f"/{database}").geturl()}
    results = {}
    for label, kind, role in KINDS:
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "tests.bench.export_memory", kind, getattr(world, role).email],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=1800,
            env=env,
        )
        if done.returncode:
            raise BenchError(f"{label} failed: {done.stderr[-2000:]}")
        results[label] = json.loads(done.stdout.strip().splitlines()[-1])
    results["COPY of the admin CSV's columns"] = copy_baseline()
    return results


def _wait_ready(session, status_url: str, timeout: float) -> float:
    started = time.monotonic()
    wait_for(
        lambda: "Der Export ist fertig" in session.get(status_url, timeout=10).text,
        timeout=timeout,
        what="the export",
        interval=0.5,
    )
    return time.monotonic() - started


def through_gunicorn(world, log_dir) -> dict:
    """Both admin exports through gunicorn (gunicorn.conf.py, its default timeout) and a worker."""
    import requests

    port = free_port()
    web = start(
        [str(VENV_BIN / "gunicorn"), "config.wsgi:application", f"--bind=127.0.0.1:{port}", "--workers=2"],
        log_dir / "gunicorn.log",
    )
    worker = start_worker("export@bench", log_dir / "celery-worker.log")
    results = {}
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: _answers(requests, f"{url}/healthz"), timeout=60, what="gunicorn")
        headers = _signed_in(world.reviewer)
        export_url = f"{url}/{settings.ADMIN_URL}applications/application/export/?durchgang=alle"
        for label, fmt in (("CSV", "0"), ("XLSX", "1")):
            session = requests.Session()
            session.headers.update(headers)
            results[f"Admin export through gunicorn, {label}"] = _one_export(session, url, export_url, fmt)
    finally:
        stop(worker)
        stop(web)
    log = (log_dir / "gunicorn.log").read_text(errors="replace")
    for figures in results.values():
        figures["worker_timeouts"] = log.count("WORKER TIMEOUT")
    return results


def _one_export(session, url: str, export_url: str, fmt: str) -> dict:
    """Ask for the export as the admin's form does; wait until the worker has built the file."""
    started = time.monotonic()
    response = session.post(
        export_url,
        data={
            "csrfmiddlewaretoken": session.headers["X-CSRFToken"],
            "format": fmt,
            "resource": "0",
            **{f"applicationresource_{name}": "on" for name in ADMIN_FIELDS},
        },
        headers={"Referer": export_url},
        allow_redirects=False,
        timeout=60,
    )
    answered = time.monotonic() - started
    if response.status_code == 200:  # a trial's short list is streamed at once
        return {"answered": answered, "ready": answered, "status": 200, "bytes": len(response.content)}
    if response.status_code != 302:
        raise BenchError(f"the export answered {response.status_code}")
    status_url = url + response.headers["Location"]
    _wait_ready(session, status_url, timeout=1800)
    ready = time.monotonic() - started
    download = session.get(status_url + "datei/", timeout=120)
    return {
        "answered": answered,
        "ready": ready,
        "status": download.status_code,
        "bytes": len(download.content),
    }


def _signed_in(user) -> dict[str, str]:
    """A staff member's browser after the login with the second factor, made without the form."""
    import string
    from importlib import import_module

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.middleware.csrf import CSRF_SESSION_KEY
    from django.utils.crypto import get_random_string

    from portal.accounts.security import MFA_SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    secret = get_random_string(32, string.ascii_letters + string.digits)
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[CSRF_SESSION_KEY] = secret
    store[MFA_SESSION_KEY] = True
    store.create()
    return {
        "Cookie": f"{settings.SESSION_COOKIE_NAME}={store.session_key}; {settings.CSRF_COOKIE_NAME}={secret}",
        "X-CSRFToken": secret,
    }


def _answers(requests, url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


ADMIN_FIELDS = [
    "reference",
    "name",
    "email",
    "employer",
    "district",
    "kind",
    "department",
    "position",
    "status",
    "submitted_at",
    "score_mean",
    "score_count",
]
