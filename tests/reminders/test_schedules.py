"""The beat schedules exist after migrate, are editable in the admin, and name real tasks."""

import pytest
from django_celery_beat.models import PeriodicTask

from config.celery import app

pytestmark = pytest.mark.django_db

TASKS = {
    "portal.tasks.flush_outbox",
    "applications.tasks.send_draft_reminders",
    "applications.tasks.send_offer_reminders",
    "modules.tasks.send_session_reminders",
    "modules.tasks.send_task_reminders",
    "certificates.tasks.send_coordinator_digest",
}


def test_every_reminder_has_a_schedule_in_berlin_time():
    schedules = {task.task: task for task in PeriodicTask.objects.filter(task__in=TASKS)}
    assert set(schedules) == TASKS
    assert all(task.enabled for task in schedules.values())
    digest = schedules["certificates.tasks.send_coordinator_digest"].crontab
    assert (digest.minute, digest.hour, digest.day_of_week, str(digest.timezone)) == (
        "0",
        "7",
        "1",
        "Europe/Berlin",
    )
    assert schedules["portal.tasks.flush_outbox"].interval.every == 1


def test_every_scheduled_task_is_known_to_the_worker():
    app.loader.import_default_modules()
    assert TASKS <= set(app.tasks)
