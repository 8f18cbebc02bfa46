"""/healthz and /readyz: JSON per check, nothing secret, an answer within a second."""

import json
import socket
import threading
import time

import pytest
from django.conf import settings as django_settings

from portal.ops import health


@pytest.fixture
def silent_server():
    """A TCP server that accepts connections and never answers: a hanging dependency."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(2)
    for connection in accepted:
        connection.close()
    server.close()


@pytest.fixture(autouse=True)
def _no_hanging_checks_left():
    yield
    deadline = time.monotonic() + 10
    while health._Running.threads and time.monotonic() < deadline:
        time.sleep(0.05)


def get_json(client, path, **extra):
    client.get("/healthz")  # the test client loads the middleware on its first request; not timed
    started = time.monotonic()
    response = client.get(path, **extra)
    elapsed = time.monotonic() - started
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    return response, json.loads(response.content), elapsed


def test_healthz_answers_without_touching_any_dependency(client, settings):
    # A probe asks by the pod's address over plain HTTP: no host check, no HTTPS redirect.
    # No database access is allowed in this test (no django_db mark): a query would raise.
    settings.ALLOWED_HOSTS = ["portal.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    response, body, elapsed = get_json(client, "/healthz", HTTP_HOST="10.1.2.3")
    assert response.status_code == 200
    assert body == {"status": "ok", "checks": {"process": {"status": "ok"}}}
    assert "Set-Cookie" not in response
    assert elapsed < 1


@pytest.mark.django_db(transaction=True)
def test_readyz_reports_each_dependency(client, settings):
    settings.REDIS_URL = ""  # embedded default: tasks run in the web process
    response, body, elapsed = get_json(client, "/readyz", HTTP_HOST="10.1.2.3")
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "storage", "worker"}
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["broker"]["status"] == body["checks"]["worker"]["status"] == "ok"
    assert body["checks"]["broker"]["detail"] == body["checks"]["worker"]["detail"] == "eager"
    assert body["checks"]["storage"]["status"] == "ok"
    assert elapsed < 1


@pytest.mark.django_db(transaction=True)
def test_readyz_creates_the_media_folder_of_a_fresh_installation(client, settings, tmp_path):
    settings.REDIS_URL = ""
    settings.MEDIA_ROOT = tmp_path / "media"
    response, body, _elapsed = get_json(client, "/readyz")
    assert response.status_code == 200 and body["checks"]["storage"]["status"] == "ok"
    assert (tmp_path / "media").is_dir()


@pytest.mark.django_db(transaction=True)
def test_readyz_fails_when_the_media_folder_cannot_be_created(client, settings, tmp_path):
    settings.REDIS_URL = ""
    (tmp_path / "a-file").write_text("")  # where the folder's parent should be
    settings.MEDIA_ROOT = tmp_path / "a-file" / "media"
    response, body, _elapsed = get_json(client, "/readyz")
    assert response.status_code == 503
    assert body["checks"]["storage"] == {
        "status": "fail",
        "error": "OSError",
        "duration_ms": body["checks"]["storage"]["duration_ms"],
    }
    assert body["checks"]["database"]["status"] == "ok"


@pytest.mark.django_db(transaction=True)
def test_readyz_answers_within_a_second_when_the_broker_hangs(client, settings, silent_server):
    settings.REDIS_URL = f"redis://:very-secret-password@127.0.0.1:{silent_server}/0"
    response, body, elapsed = get_json(client, "/readyz")
    assert elapsed < 1
    assert response.status_code == 503
    assert body["status"] == "fail"
    assert body["checks"]["broker"]["status"] == "fail"
    assert body["checks"]["worker"]["status"] == "fail"
    assert body["checks"]["database"]["status"] == "ok"
    text = response.content.decode()
    assert "very-secret-password" not in text
    assert str(silent_server) not in text and "127.0.0.1" not in text


def test_a_hanging_check_is_reported_as_timeout_and_not_started_twice(monkeypatch):
    release = threading.Event()
    calls = []

    def hangs():
        calls.append(1)
        release.wait(5)
        return {}

    monkeypatch.setattr(health, "CHECKS", {"database": hangs, "broker": lambda: {}})
    started = time.monotonic()
    first = health.run_checks(health.CHECKS)
    second = health.run_checks(health.CHECKS)
    assert time.monotonic() - started < 2
    assert first["database"] == {"status": "fail", "error": "timeout"}
    assert second["database"] == {"status": "fail", "error": "timeout", "detail": "still waiting"}
    assert first["broker"]["status"] == second["broker"]["status"] == "ok"
    assert len(calls) == 1  # the second probe did not start another hanging thread
    release.set()


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_readyz_reads_the_age_of_the_last_worker_heartbeat(client):
    import redis

    connection = redis.Redis.from_url(django_settings.REDIS_URL)
    connection.delete(health.HEARTBEAT_KEY)
    try:
        response, body, _elapsed = get_json(client, "/readyz")
        assert response.status_code == 503
        assert body["checks"]["worker"]["status"] == "fail"
        assert body["checks"]["broker"]["status"] == "ok"

        health.Heartbeat().beat()
        response, body, _elapsed = get_json(client, "/readyz")
        assert response.status_code == 200, body
        assert body["checks"]["worker"]["age_seconds"] < 5

        connection.set(health.HEARTBEAT_KEY, str(time.time() - 3600))
        response, body, _elapsed = get_json(client, "/readyz")
        assert response.status_code == 503
        assert body["checks"]["worker"]["error"] == "stale"
    finally:
        connection.delete(health.HEARTBEAT_KEY)
        connection.close()
