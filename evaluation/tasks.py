from celery import shared_task

from portal.mail.reminders import dispatch

from . import selectors
from .reminders import INVITATION, REMINDER


@shared_task(acks_late=True, ignore_result=True, expires=300)
def refresh_statistics() -> int:
    """The dashboard's and the waves' snapshots, computed afresh (beat, every ten minutes)."""
    from . import panel

    panel.refresh_programme_panel()
    return selectors.refresh_snapshots()


@shared_task(name="evaluation.tasks.run_waves", acks_late=True)
def run_waves() -> dict:
    """Open the invitations that are due, mail them, and remind those who have not answered
    (beat, daily). Safe to run twice: one invitation per wave and person, one mail per key."""
    from . import waves

    opened = waves.open_invitations()
    return {"opened": opened, "invited": dispatch(INVITATION), "reminded": dispatch(REMINDER)}
