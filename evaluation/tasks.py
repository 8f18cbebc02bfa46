from celery import shared_task

from . import selectors


@shared_task(acks_late=True, ignore_result=True, expires=300)
def refresh_statistics() -> int:
    """The dashboard's snapshot, computed afresh (beat, every ten minutes)."""
    return selectors.refresh_snapshots()
