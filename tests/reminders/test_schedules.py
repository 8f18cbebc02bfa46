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


def test_every_task_a_schedule_row_names_is_known_to_the_worker():
    """Every row beat reads (the mail, retention, evaluation and reminder schedules) names a task
    the worker registers, under the name the row stores: a task that moved keeps its name."""
    app.loader.import_default_modules()
    names = set(PeriodicTask.objects.exclude(task="celery.backend_cleanup").values_list("task", flat=True))
    assert {"portal.tasks.flush_outbox", "portal.tasks.apply_retention"} <= names
    assert names <= set(app.tasks)


def test_the_ground_floors_tasks_are_known_by_name_in_any_process():
    """The admin and an eager process call the ground floor's tasks by their stored names without a
    worker's autodiscovery: the portal app registers them when Django starts."""
    import subprocess
    import sys

    code = (
        "import django; django.setup();"
        "from config.celery import app;"
        "print(' '.join(sorted(name for name in app.tasks if name.startswith('portal.'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.split() == [
        "portal.tasks.apply_retention",
        "portal.tasks.build_export",
        "portal.tasks.flush_outbox",
        "portal.tasks.send_outbox_batch",
        "portal.tasks.send_outbox_message",
        "portal.tasks.sweep_exports",
    ]
