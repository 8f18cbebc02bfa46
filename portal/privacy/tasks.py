"""The nightly retention run. Its name stays that of its first home (``portal.tasks``): the beat
schedule row in the database names it so."""

from celery import shared_task


@shared_task(name="portal.tasks.apply_retention", acks_late=True)
def apply_retention() -> dict[str, int]:
    """Every night (beat): anonymise and erase what is past its retention period (DSGVO).

    Takes no arguments and reads everything fresh, so a second run finds nothing left to do.
    """
    from django.utils import timezone

    from portal.privacy.registry import run_retention

    return run_retention(at=timezone.now())
