"""Tasks of the exports (see ``portal.exports.services``). They take primary keys and are safe to
run twice; each imports its service in its body (the service queues these tasks)."""

from celery import shared_task
from django.utils import timezone


# A long list may take minutes; its claim is renewed with every batch of rows, so the broker's
# visibility timeout handing the task to a second worker changes nothing.
@shared_task(
    name="portal.tasks.build_export",
    acks_late=True,
    ignore_result=True,
    time_limit=840,
    soft_time_limit=780,
    autoretry_for=(Exception,),
    max_retries=2,
    retry_backoff=True,
)
def build_export(job_id: int) -> str:
    from portal.exports.services import build

    return build(job_id=job_id, at=timezone.now()).status


@shared_task(name="portal.tasks.sweep_exports", acks_late=True, expires=50, ignore_result=True)
def sweep_exports() -> dict:
    """Every minute (beat): lost exports handed on again, old files deleted."""
    from portal.exports.services import sweep

    return sweep(now=timezone.now())
