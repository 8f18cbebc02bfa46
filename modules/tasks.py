"""Reminder tasks of the course, started by django-celery-beat (see the schedules in the admin).
Safe to run twice: every reminder has its idempotency key."""

from celery import shared_task

from portal.mail.reminders import dispatch

from .reminders import SESSION_1D, TASK_3D


@shared_task(acks_late=True)
def send_session_reminders() -> dict:
    """Participants, the day before each session of their cohort."""
    return dispatch(SESSION_1D)


@shared_task(acks_late=True)
def send_task_reminders() -> dict:
    """Participants whose practical task is due in three days and not uploaded yet."""
    return dispatch(TASK_3D)
