"""Only one beat should run; if a second one is started by mistake, no reminder goes out twice.

Two beat processes fire the draft reminders every second, one worker sends them to a local SMTP
sink: each person gets the reminder once, because every reminder has an idempotency key in the
outbox (see portal/mail/reminders.py)."""

import time

import pytest
from django.conf import settings

from portal.mail.models import OutboxMessage
from tests.reminders.test_worker import Sink, drafts_due_today, free_port, start, stop, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_two_beats_by_mistake_send_each_reminder_once(tmp_path):
    import os

    from aiosmtpd.controller import Controller
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    count = 4
    drafts_due_today(count)
    PeriodicTask.objects.update(enabled=False)
    every_second, _created = IntervalSchedule.objects.get_or_create(every=1, period="seconds")
    for task in ("applications.tasks.send_draft_reminders", "portal.tasks.flush_outbox"):
        PeriodicTask.objects.create(name=f"test {task}", task=task, interval=every_second)

    sink = Sink(hold_after=10**6)
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
    }
    beats = [tmp_path / "one" / "beat.log", tmp_path / "two" / "beat.log"]
    for log in beats:
        log.parent.mkdir()
    processes = []
    try:
        processes.append(start("worker", env, tmp_path / "worker.log"))
        processes += [start("beat", env, log) for log in beats]
        wait_for(lambda: len(sink.deliveries) >= count, 90, "the reminders")
        # Both beats keep firing: give them several more ticks each.
        fired = lambda log: log.read_text().count("Sending due task test applications")  # noqa: E731
        wait_for(lambda: all(fired(log) >= 3 for log in beats), 30, "three ticks of each beat")
        time.sleep(2)
    finally:
        for process in reversed(processes):
            stop(process)
        controller.stop()
    assert all(fired(log) >= 3 for log in beats)
    assert len(sink.deliveries) == len(set(sink.deliveries)) == count
    assert OutboxMessage.objects.filter(kind="reminder-draft-7d").count() == count
