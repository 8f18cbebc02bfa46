"""Reminders through real Celery processes on Redis: a worker in the test process, and worker and
beat as separate processes against a local SMTP sink, with the worker killed in the middle of a
batch and started again."""

import asyncio
import datetime as dt
import email
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.utils import timezone

from applications.models import Application
from applications.tasks import send_draft_reminders
from config.celery import app
from portal.mail.models import OutboxMessage
from tests.factories import CohortFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]


def drafts_due_today(count: int) -> list[Application]:
    """Drafts whose deadline is a week from today, so the 7-day reminder is due now."""
    cohort = CohortFactory(
        applications_open_at=timezone.now() - dt.timedelta(days=30),
        applications_close_on=timezone.localdate() + dt.timedelta(days=7),
    )
    return [
        Application.objects.create(cohort=cohort, applicant=UserFactory(email=f"worker{i}@example.org"))
        for i in range(count)
    ]


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_reminders_beat_asks_for(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    drafts_due_today(3)
    app.conf.task_always_eager = False
    assert app.conf.broker_url.startswith("redis://")
    with start_worker(app, perform_ping_check=False, pool="solo", concurrency=1, shutdown_timeout=10):
        send_draft_reminders.delay()
        send_draft_reminders.delay()  # beat fired twice
        wait_for(lambda: OutboxMessage.objects.filter(status="sent").count() == 3, 30, "three sent reminders")
        time.sleep(0.5)
    assert sorted(m.to[0] for m in mail.outbox) == [f"worker{i}@example.org" for i in range(3)]


# --- separate processes, an SMTP sink, and a killed worker ------------------------------------


class Sink:
    """An SMTP server that records each delivered message's outbox key. After ``hold_after``
    deliveries it holds the next transaction at MAIL FROM until released, so the test can kill
    the worker while it waits for the server (nothing of that message has been delivered)."""

    def __init__(self, hold_after: int):
        self.hold_after = hold_after
        self.deliveries: list[str] = []
        self.holding = threading.Event()
        self.released = threading.Event()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if len(self.deliveries) >= self.hold_after and not self.released.is_set():
            self.holding.set()
            while not self.released.is_set():
                await asyncio.sleep(0.05)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.deliveries.append(email.message_from_bytes(envelope.content)["X-Portal-Message"])
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(kind: str, env: dict, log: Path) -> subprocess.Popen:
    args = [sys.executable, "-m", "celery", "-A", "config", kind, "--loglevel=INFO"]
    if kind == "worker":
        args += [
            "--pool=solo",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
    else:
        args += ["--max-interval=1", f"--schedule={log.parent / 'beat-schedule'}"]
    return subprocess.Popen(  # noqa: S603
        args, cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True
    )


def stop(process: subprocess.Popen, sig=signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.mark.celery_worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_killing_the_worker_mid_batch_and_restarting_it_delivers_each_reminder_exactly_once(tmp_path):
    from aiosmtpd.controller import Controller
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    count = 8
    drafts_due_today(count)
    # Beat fires the reminders and the outbox flush every second: many more times than needed.
    PeriodicTask.objects.update(enabled=False)
    every_second, _created = IntervalSchedule.objects.get_or_create(every=1, period="seconds")
    for task in ("applications.tasks.send_draft_reminders", "portal.tasks.flush_outbox"):
        PeriodicTask.objects.create(name=f"test {task}", task=task, interval=every_second)

    sink = Sink(hold_after=3)
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}".format(
            **{key: database.get(key) or "" for key in ("USER", "PASSWORD", "HOST", "PORT", "NAME")}
        ),
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "PORTAL_BASE_URL": "https://smartcity.example.org",
    }
    log = tmp_path / "celery.log"
    processes = []
    try:
        worker = start("worker", env, log)
        processes.append(worker)
        processes.append(start("beat", env, log))
        assert sink.holding.wait(90), log.read_text()[-3000:]
        # The worker waits for the server's answer to the fourth message: kill it there.
        stop(worker, signal.SIGKILL)
        statuses = list(OutboxMessage.objects.order_by("pk").values_list("status", flat=True))
        assert statuses == ["sent"] * 3 + ["queued"] * (count - 3)
        sink.released.set()
        # The killed worker's batch is not acknowledged; the broker gives it back only much later.
        # flush_outbox picks the messages up once their lease has run out: let that time pass.
        OutboxMessage.objects.filter(status="queued").update(next_attempt_at=timezone.now())
        processes.append(start("worker", env, log))
        wait_for(
            lambda: OutboxMessage.objects.filter(status="sent").count() == count,
            90,
            "every reminder sent after the restart",
        )
        time.sleep(3)  # beat keeps firing; nothing more may go out
    finally:
        for process in reversed(processes):
            stop(process)
        controller.stop()
    assert sorted(sink.deliveries) == sorted(OutboxMessage.objects.values_list("idempotency_key", flat=True))
    assert len(sink.deliveries) == len(set(sink.deliveries)) == count
    assert all(key.startswith("reminder:draft-7d:application:") for key in sink.deliveries)
