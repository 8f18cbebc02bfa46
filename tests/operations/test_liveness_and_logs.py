"""Each background process proves it runs by itself (manage.py probe worker|beat, used by the
compose health checks) and shows it on /readyz?full=1 without touching plain /readyz; JSON logs carry RFC 3339 times, and in JSON mode worker and beat print
no banner: every line on their output is a JSON object."""

import datetime as dt
import json
import logging
import os
import signal
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client, override_settings

from portal.ops import liveness
from portal.ops.json_log import JsonFormatter
from tests.reminders.test_worker import ROOT, start, stop, wait_for


def test_the_probe_fails_without_a_heartbeat_and_when_it_is_too_old(settings, tmp_path, time_machine):
    settings.PORTAL_HEARTBEAT_DIR = str(tmp_path)
    time_machine.move_to(dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC), tick=False)
    for kind in ("worker", "beat"):
        with pytest.raises(CommandError, match="no heartbeat"):
            call_command("probe", kind)
        liveness.touch(kind)
        call_command("probe", kind)
    time_machine.shift(settings.PORTAL_WORKER_HEARTBEAT_MAX_AGE + 1)
    with pytest.raises(CommandError, match="last heartbeat 61 s ago"):
        call_command("probe", "worker")
    call_command("probe", "beat")  # beat may be quiet for longer: its tick is up to 30 s
    time_machine.shift(settings.PORTAL_BEAT_HEARTBEAT_MAX_AGE)
    with pytest.raises(CommandError):
        call_command("probe", "beat")


def test_the_probe_knows_only_worker_and_beat():
    with pytest.raises(CommandError):
        call_command("probe", "web")


def record(moment: dt.datetime) -> logging.LogRecord:
    line = logging.LogRecord("portal.test", logging.INFO, __file__, 1, "Zeile", None, None)
    line.created = moment.timestamp()
    line.request_id = "-"
    return line


@pytest.mark.parametrize(
    "moment, expected",
    [
        (dt.datetime(2026, 1, 15, 11, 30, 0, 125000, tzinfo=dt.UTC), "2026-01-15T12:30:00.125+01:00"),
        (dt.datetime(2026, 7, 15, 11, 30, tzinfo=dt.UTC), "2026-07-15T13:30:00.000+02:00"),
    ],
)
def test_json_log_time_is_rfc3339_with_the_offset(moment, expected):
    configured = dict(settings.LOGGING["formatters"]["json"])
    assert configured["()"] == "portal.ops.json_log.JsonFormatter"
    formatter = JsonFormatter(configured["fmt"], rename_fields=configured["rename_fields"])
    line = json.loads(formatter.format(record(moment)))
    assert line["time"] == expected
    assert dt.datetime.fromisoformat(line["time"]) == moment


def probe(kind: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "probe", kind],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.postgres
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_worker_and_beat_report_in_log_json_only_and_a_killed_worker_fails_its_probe(tmp_path):
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}".format(
            **{key: database.get(key) or "" for key in ("USER", "PASSWORD", "HOST", "PORT", "NAME")}
        ),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "PORTAL_LOG_FORMAT": "json",
        "PORTAL_HEARTBEAT_DIR": str(tmp_path),
        "PORTAL_WORKER_HEARTBEAT_MAX_AGE": "3",
    }
    logs = {kind: tmp_path / kind / f"{kind}.log" for kind in ("worker", "beat")}
    for log in logs.values():
        log.parent.mkdir()
    assert probe("worker", env).returncode == 1
    worker = start("worker", env, logs["worker"])
    beat = start("beat", env, logs["beat"])
    try:
        wait_for(lambda: probe("worker", env).returncode == 0, 90, "the worker's probe")
        wait_for(lambda: probe("beat", env).returncode == 0, 90, "beat's probe")
        full = Client().get("/readyz?full=1").json()["checks"]
        assert full["beat"]["status"] == "ok" and full["beat"]["lagging"] is False, full
        stop(beat, signal.SIGKILL)
        with override_settings(PORTAL_BEAT_HEARTBEAT_MAX_AGE=0):  # any age of the last tick lags
            lagging = Client().get("/readyz?full=1")
            plain = Client().get("/readyz")
        assert lagging.status_code == 200 and lagging.json()["checks"]["beat"]["lagging"] is True
        assert plain.status_code == 200 and "beat" not in plain.json()["checks"]
        stop(worker, signal.SIGKILL)
        wait_for(lambda: probe("worker", env).returncode == 1, 30, "the killed worker's probe to fail")
        assert "last heartbeat" in probe("worker", env).stderr
    finally:
        stop(beat)
        stop(worker)
    for kind, log in logs.items():
        lines = [line for line in log.read_text().splitlines() if line.strip()]
        assert lines, kind
        records = [json.loads(line) for line in lines]  # no banner, no line that is not JSON
        assert all(record["time"][-6] in "+-" for record in records)
    worker_text = logs["worker"].read_text()
    assert "celery worker" in worker_text and "-------------- " not in worker_text
