"""Reminder tasks of the application phase, started by django-celery-beat (see the schedules in the
admin). Safe to run twice: every reminder has its idempotency key."""

from celery import shared_task

from portal.mail.reminders import dispatch

from .reminders import DRAFT_1D, DRAFT_7D, OFFER_3D


@shared_task(acks_late=True)
def send_draft_reminders() -> dict:
    """Drafts not yet submitted, 7 days and 1 day before the cohort's deadline."""
    return {"draft-7d": dispatch(DRAFT_7D), "draft-1d": dispatch(DRAFT_1D)}


@shared_task(acks_late=True)
def send_offer_reminders() -> dict:
    """Offered seats not yet confirmed, 3 days before the confirmation date."""
    return dispatch(OFFER_3D)
