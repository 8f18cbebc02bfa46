"""No work is stranded when a worker or Redis dies: real Celery worker and beat processes on
PostgreSQL and Redis, a local SMTP sink, a short lease (PORTAL_WORK_LEASE_SECONDS).

- A worker killed with SIGKILL in the middle of rendering: the certificate is issued within the
  lease after the kill, rendered to the end once, mailed once.
- Redis emptied (FLUSHDB on the test's own database) in the middle of a batch: every certificate
  and every mail is delivered, once.
"""

import os
import signal
import time

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from certificates import services
from certificates.models import Certificate
from config.celery import app
from portal.mail import queue_mail
from portal.mail.models import OutboxMessage
from tests.certificates.test_certificates import graduate
from tests.reminders.test_worker import Sink, free_port, start, stop, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

LEASE = 10  # seconds; longer than one rendering takes on a busy machine


@pytest.fixture
def sink():
    from aiosmtpd.controller import Controller

    handler = Sink(hold_after=10**6)
    handler.port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    yield handler
    controller.stop()


@pytest.fixture
def background(tmp_path, sink, settings):
    """Starts worker and beat processes (stopped at the end); beat runs the two sweepers every second."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PORTAL_WORK_LEASE_SECONDS = LEASE  # the leases this process records
    PeriodicTask.objects.update(enabled=False)
    every_second, _created = IntervalSchedule.objects.get_or_create(every=1, period="seconds")
    for task in ("certificates.tasks.sweep_certificates", "portal.tasks.flush_outbox"):
        PeriodicTask.objects.create(name=f"test {task}", task=task, interval=every_second)
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}".format(
            **{key: database.get(key) or "" for key in ("USER", "PASSWORD", "HOST", "PORT", "NAME")}
        ),
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "PORTAL_BASE_URL": "https://smartcity.example.org",
        "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "PORTAL_WORK_LEASE_SECONDS": str(LEASE),
        "PORTAL_HEARTBEAT_DIR": str(tmp_path),
    }
    log = tmp_path / "celery.log"
    processes = []
    app.conf.task_always_eager = False

    def run(kind: str):
        process = start(kind, env, log)
        processes.append(process)
        return process

    run.log = log
    try:
        yield run
    finally:
        for process in reversed(processes):
            stop(process)


def flush_redis() -> None:
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        client.flushdb()  # the test's own database number only
    finally:
        client.close()


def assert_each_certificate_mailed_once(sink, certificates):
    keys = [f"certificate-ready:{c.pk}" for c in certificates]
    assert sorted(sink.deliveries) == sorted(keys), sink.deliveries
    assert OutboxMessage.objects.filter(kind="certificate-ready", status="sent").count() == len(keys)


def test_a_worker_killed_mid_render_is_made_good_within_the_lease_once(cohort, coordinator, sink, background):
    for _ in range(3):
        graduate(cohort, coordinator)
    background("beat")
    worker = background("worker")
    issued = services.issue_certificates(cohort=cohort, by=coordinator, at=timezone.now())

    def rendering():
        return Certificate.objects.filter(status="pending", claimed_at__isnull=False).first()

    wait_for(lambda: rendering() is not None, 120, "a worker to begin rendering")
    stop(worker, signal.SIGKILL)
    killed_at = time.monotonic()
    victim = rendering()
    assert victim is not None, "the rendering finished before the kill; nothing was tested"
    background("worker")
    wait_for(
        lambda: Certificate.objects.filter(pk=victim.pk, status="issued").exists(),
        LEASE + 60,
        "the killed worker's certificate",
    )
    assert time.monotonic() - killed_at < LEASE + 60
    wait_for(lambda: len(sink.deliveries) >= len(issued), 60, "every certificate's mail")
    time.sleep(2)  # beat keeps sweeping: nothing more may be rendered or sent
    attempts = dict(Certificate.objects.values_list("pk", "render_attempts"))
    assert attempts.pop(victim.pk) == 2  # the killed rendering and the one that finished
    assert set(attempts.values()) == {1}  # every other certificate was rendered once
    assert set(Certificate.objects.values_list("status", flat=True)) == {"issued"}
    assert sorted(Certificate.objects.values_list("sequence", flat=True)) == [1, 2, 3]
    assert_each_certificate_mailed_once(sink, issued)


def test_redis_emptied_mid_batch_every_certificate_is_issued_once(cohort, coordinator, sink, background):
    for _ in range(4):
        graduate(cohort, coordinator)
    background("beat")
    background("worker")
    issued = services.issue_certificates(cohort=cohort, by=coordinator, at=timezone.now())
    wait_for(lambda: Certificate.objects.filter(status="issued").exists(), 120, "the first certificate")
    flush_redis()
    untouched = Certificate.objects.filter(status="pending", claimed_at__isnull=True).count()
    assert untouched >= 1, "the batch was done before Redis was emptied; nothing was tested"
    wait_for(
        lambda: Certificate.objects.filter(status="issued").count() == len(issued),
        LEASE + 90,
        "every certificate after Redis was emptied",
    )
    wait_for(lambda: len(sink.deliveries) >= len(issued), 60, "every certificate's mail")
    time.sleep(2)
    assert set(Certificate.objects.values_list("render_attempts", flat=True)) == {1}
    assert_each_certificate_mailed_once(sink, issued)


def queue(count: int) -> list[OutboxMessage]:
    return [
        queue_mail(
            recipient=f"person{i}@example.org", subject=f"Nachricht {i}", body_text="Text", kind="test"
        )
        for i in range(count)
    ]


def test_redis_emptied_with_mails_queued_every_mail_is_sent_once(sink, background):
    messages = queue(5)  # no worker runs: the tasks wait in Redis
    flush_redis()
    background("beat")
    background("worker")
    wait_for(lambda: len(sink.deliveries) >= len(messages), LEASE + 90, "every mail after Redis was emptied")
    time.sleep(2)
    assert sorted(sink.deliveries) == sorted(m.idempotency_key for m in messages)
    assert set(OutboxMessage.objects.values_list("status", "attempts")) == {("sent", 1)}


def test_a_worker_killed_while_sending_strands_no_mail_and_sends_none_twice(sink, background):
    sink.hold_after = 2
    background("beat")
    worker = background("worker")
    messages = queue(5)
    assert sink.holding.wait(120), background.log.read_text()[-3000:]
    stop(worker, signal.SIGKILL)  # the worker waits for the server's answer to the third mail
    killed_at = time.monotonic()
    sink.released.set()
    background("worker")
    wait_for(lambda: len(sink.deliveries) >= len(messages), LEASE + 90, "every mail after the kill")
    assert time.monotonic() - killed_at < LEASE + 90
    time.sleep(2)
    assert sorted(sink.deliveries) == sorted(m.idempotency_key for m in messages)
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}
