"""/healthz and /readyz: JSON per check, nothing secret, an answer within a second; a web node's
readiness asks what the web node needs, never the workers."""

import json
import socket
import threading
import time

import pytest
from django.conf import settings as django_settings

from portal.ops import health, liveness


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
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


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
    assert set(body["checks"]) == {"database", "storage", "cache", "broker"}
    assert body["checks"]["database"]["status"] == body["checks"]["storage"]["status"] == "ok"
    assert body["checks"]["broker"]["status"] == "ok" and body["checks"]["broker"]["detail"] == "eager"
    assert body["checks"]["cache"]["status"] == "ok"
    assert elapsed < 1


@pytest.mark.django_db(transaction=True)
def test_readyz_full_adds_the_workers_for_operators(client, settings):
    settings.REDIS_URL = ""
    response, body, _elapsed = get_json(client, "/readyz?full=1")
    assert response.status_code == 200, body
    assert set(body["checks"]) == {"database", "storage", "cache", "broker", "workers", "beat"}
    assert body["checks"]["workers"]["detail"] == "eager"
    assert body["checks"]["beat"]["detail"] == "eager"


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
def test_a_hanging_redis_degrades_readiness_but_keeps_the_node_in_service(client, settings, silent_server):
    settings.REDIS_URL = f"redis://:very-secret-password@127.0.0.1:{silent_server}/0"
    response, body, elapsed = get_json(client, "/readyz?full=1")
    assert elapsed < 1
    assert response.status_code == 200  # pages still render: the cache degrades, work waits in the database
    assert body["status"] == "degraded"
    assert body["checks"]["broker"]["status"] == "fail"
    assert body["checks"]["workers"]["status"] == "fail"
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

    checks = {"database": hangs, "broker": lambda: {}}
    started = time.monotonic()
    first = health.run_checks(checks)
    second = health.run_checks(checks)
    assert time.monotonic() - started < 2
    assert first["database"] == {"status": "fail", "error": "timeout"}
    assert second["database"] == {"status": "fail", "error": "timeout", "detail": "still waiting"}
    assert first["broker"]["status"] == second["broker"]["status"] == "ok"
    assert len(calls) == 1  # the second probe did not start another hanging thread
    release.set()


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_no_worker_keeps_the_web_node_ready_and_full_names_the_lagging_workers(client, settings, tmp_path):
    import redis

    settings.PORTAL_HEARTBEAT_DIR = str(tmp_path)
    connection = redis.Redis.from_url(django_settings.REDIS_URL)
    connection.delete(liveness.WORKERS_KEY)
    try:
        response, body, _elapsed = get_json(client, "/readyz")
        assert response.status_code == 200, body  # no worker at all: the web node serves pages
        assert body["status"] == "ok" and "workers" not in body["checks"]
        response, body, _elapsed = get_json(client, "/readyz?full=1")
        assert response.status_code == 200
        assert body["status"] == "degraded" and body["checks"]["workers"]["error"] == "stale"

        liveness.Heartbeat(node="celery@eins").beat()
        liveness.beat_tick()
        connection.hset(liveness.WORKERS_KEY, "celery@zwei", str(time.time() - 3600))
        response, body, _elapsed = get_json(client, "/readyz?full=1")
        assert body["status"] == "ok", body
        workers = body["checks"]["workers"]
        assert workers["nodes"]["celery@eins"] < 5 and workers["nodes"]["celery@zwei"] > 3000
        assert workers["lagging"] == ["celery@zwei"]
    finally:
        connection.delete(liveness.WORKERS_KEY, liveness.BEAT_KEY)
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_a_database_that_does_not_answer_makes_the_node_unready_within_a_second(client, monkeypatch):
    release = threading.Event()
    monkeypatch.setitem(health.REQUIRED, "database", lambda: release.wait(5) and {})
    try:
        response, body, elapsed = get_json(client, "/readyz")
    finally:
        release.set()
    assert elapsed < 1.5
    assert response.status_code == 503
    assert body["status"] == "fail" and body["checks"]["database"]["error"] == "timeout"


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_beat_is_shown_to_operators_and_flagged_when_lagging_but_never_makes_a_node_unready(
    client, settings, tmp_path
):
    import redis

    settings.PORTAL_HEARTBEAT_DIR = str(tmp_path)
    connection = redis.Redis.from_url(django_settings.REDIS_URL)
    connection.delete(liveness.BEAT_KEY)
    liveness.Heartbeat(node="celery@eins").beat()  # a worker runs: only beat can lag here
    try:
        response, body, _elapsed = get_json(client, "/readyz")
        assert response.status_code == 200 and body["status"] == "ok" and "beat" not in body["checks"]
        response, body, _elapsed = get_json(client, "/readyz?full=1")
        assert response.status_code == 200 and body["status"] == "degraded"
        assert body["checks"]["beat"]["error"] == "stale" and body["checks"]["beat"]["lagging"] is True
        assert body["checks"]["beat"]["last_tick"] is None

        liveness.beat_tick()  # what beat's scheduler does at every tick
        assert liveness.probe("beat")[0]  # the same tick the compose health check reads
        response, body, _elapsed = get_json(client, "/readyz?full=1")
        assert body["status"] == "ok", body
        assert body["checks"]["beat"]["last_tick"] < 5 and body["checks"]["beat"]["lagging"] is False

        limit = settings.PORTAL_BEAT_HEARTBEAT_MAX_AGE
        liveness.beat_tick(time.time() - limit - 60)
        response, body, _elapsed = get_json(client, "/readyz?full=1")
        assert response.status_code == 200 and body["status"] == "degraded"
        beat = body["checks"]["beat"]
        assert beat["lagging"] is True and beat["last_tick"] > limit and beat["limit"] == limit
        response, body, _elapsed = get_json(client, "/readyz")
        assert response.status_code == 200 and body["status"] == "ok"
    finally:
        connection.delete(liveness.BEAT_KEY, liveness.WORKERS_KEY)
        connection.close()
