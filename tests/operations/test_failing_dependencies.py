"""Pages fail fast when a dependency hangs: real gunicorn processes with a blackhole port (accepts,
never answers, loopback only) in place of PostgreSQL or Redis.

- A hanging database: pages answer with the portal's 503 page within a few seconds (connect
  timeout), /healthz stays 200, /readyz says 503 within a second.
- A frozen Redis: pages render without the cache, and a signed-in person stays signed in through
  the database copy of the session.
"""

import json
import os
import sys
import time

import pytest
import requests
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

from tests.factories import UserFactory
from tests.operations.test_two_nodes import ROOT, spawn, wait_until
from tests.reminders.test_worker import free_port, stop

FEW_SECONDS = 6


def gunicorn(env: dict, log):
    port = free_port()
    process = spawn(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        {**env, "PORTAL_LOG_FORMAT": "json"},
        log,
    )
    url = f"http://127.0.0.1:{port}"
    wait_until(lambda: requests.get(f"{url}/healthz", timeout=2).status_code == 200, 60, "gunicorn", log)
    return process, url


def timed_get(url: str, **kwargs):
    started = time.monotonic()
    response = requests.get(url, timeout=30, allow_redirects=False, **kwargs)
    return response, time.monotonic() - started


def base_env(tmp_path) -> dict:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PORTAL_"))},
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DJANGO_MEDIA_ROOT": str(tmp_path),
        "EMAIL_URL": "consolemail://",
        "PORTAL_HEARTBEAT_DIR": str(tmp_path),
    }


def assert_json_lines(log):
    """gunicorn's own lines and the portal's are JSON objects with an RFC 3339 time."""
    lines = [line for line in log.read_text().splitlines() if line.strip()]
    assert lines
    for line in lines:
        record = json.loads(line)
        assert record["time"][10] == "T" and record["time"][-6] in "+-", record["time"]


def test_a_hanging_database_answers_with_the_503_page_within_seconds(tmp_path, blackhole):
    env = {
        **base_env(tmp_path),
        "DATABASE_URL": f"postgres://portal@127.0.0.1:{blackhole}/portal",
        "PORTAL_DB_CONNECT_TIMEOUT": "2",
        "REDIS_URL": "",
    }
    log = tmp_path / "web.log"
    process, url = gunicorn(env, log)
    try:
        response, elapsed = timed_get(f"{url}/")
        assert response.status_code == 503, response.text[:500]
        assert elapsed < FEW_SECONDS
        assert "Vorübergehend nicht erreichbar" in response.text
        assert response.headers["Retry-After"] == "30"
        response, elapsed = timed_get(f"{url}/readyz")
        assert response.status_code == 503 and elapsed < 1.5
        assert response.json()["checks"]["database"]["status"] == "fail"
        assert requests.get(f"{url}/healthz", timeout=2).status_code == 200
    finally:
        stop(process)
    assert_json_lines(log)
    assert "Starting gunicorn" in log.read_text()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_frozen_redis_leaves_pages_working_and_people_signed_in(tmp_path, blackhole):
    from django.contrib.sessions.backends.db import SessionStore

    person = UserFactory(email="eingeloggt@example.org", first_name="Frieda", last_name="Fest")
    session = SessionStore()
    session[SESSION_KEY] = str(person.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = person.get_session_auth_hash()
    session.create()  # the database copy: what cached_db falls back to

    database = settings.DATABASES["default"]
    env = {
        **base_env(tmp_path),
        "DATABASE_URL": "postgres://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}".format(
            **{key: database.get(key) or "" for key in ("USER", "PASSWORD", "HOST", "PORT", "NAME")}
        ),
        "REDIS_URL": f"redis://127.0.0.1:{blackhole}/0",
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    log = tmp_path / "web.log"
    process, url = gunicorn(env, log)
    try:
        response, elapsed = timed_get(f"{url}/")
        assert response.status_code == 200, response.text[:500]
        assert elapsed < FEW_SECONDS
        cookies = {settings.SESSION_COOKIE_NAME: session.session_key}
        response, elapsed = timed_get(f"{url}/konto/einstellungen/", cookies=cookies)
        assert response.status_code == 200, (response.status_code, response.headers.get("Location"))
        assert "eingeloggt@example.org" in response.text
        assert elapsed < FEW_SECONDS
        # The web node stays in service: the cache is reported, not fatal.
        response, elapsed = timed_get(f"{url}/readyz")
        assert response.status_code == 200 and response.json()["status"] == "degraded"
        assert response.json()["checks"]["cache"]["status"] == "fail"
    finally:
        stop(process)
    assert_json_lines(log)
    assert "cache unavailable" in log.read_text()


def test_the_gunicorn_config_is_read_from_the_project_folder():
    assert (ROOT / "gunicorn.conf.py").exists()
