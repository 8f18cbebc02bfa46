"""Tasks of the mail path. They take primary keys, read the outbox fresh and are safe to run twice;
failures are recorded on the message and retried by ``flush_outbox``, not by Celery."""

import logging

from celery import shared_task

from . import mail
from .models import OutboxMessage

logger = logging.getLogger(__name__)


# Nothing reads what a send task returns (the outbox row records the outcome), so the result
# backend does not store it: no result key and no result subscription per mail.
@shared_task(acks_late=True, ignore_result=True)
def send_outbox_batch(message_ids: list[int]) -> dict[str, int]:
    """Send a batch of outbox messages over one SMTP connection."""
    return mail.send_batch(message_ids)


@shared_task(acks_late=True, ignore_result=True)
def send_outbox_message(message_id: int) -> str:
    """Send one outbox message. Safe to run twice: a sent message is never sent again."""
    status = OutboxMessage.objects.filter(pk=message_id).values_list("status", flat=True).first()
    if status is None:
        return "missing"
    if status == OutboxMessage.Status.SENT:
        return "already-sent"
    mail.send_batch([message_id])
    message = OutboxMessage.objects.get(pk=message_id)
    return "deferred" if message.status == OutboxMessage.Status.QUEUED else message.status


@shared_task(acks_late=True, expires=50)
def flush_outbox() -> int:
    """Every minute (beat): retries whose time has come, and messages whose task got lost."""
    return mail.flush_due()


@shared_task(acks_late=True)
def apply_retention() -> dict[str, int]:
    """Every night (beat): anonymise and erase what is past its retention period (DSGVO).

    Takes no arguments and reads everything fresh, so a second run finds nothing left to do.
    """
    from django.utils import timezone

    from .data_protection import run_retention

    return run_retention(at=timezone.now())
