"""Tasks of the mail path. They take primary keys, read the outbox fresh and are safe to run twice;
failures are recorded on the message and retried by ``flush_outbox``, not by Celery.

The names stay those of the tasks' first home (``portal.tasks.*``): the beat schedule rows in the
database name them so. Each task imports its service in its body: the service queues these tasks.
"""

from celery import shared_task

from portal.mail.models import OutboxMessage


# Nothing reads what a send task returns (the outbox row records the outcome), so the result
# backend does not store it: no result key and no result subscription per mail.
@shared_task(name="portal.tasks.send_outbox_batch", acks_late=True, ignore_result=True)
def send_outbox_batch(message_ids: list[int]) -> dict[str, int]:
    """Send a batch of outbox messages over one SMTP connection."""
    from portal.mail.sending import send_batch

    return send_batch(message_ids)


@shared_task(name="portal.tasks.send_outbox_message", acks_late=True, ignore_result=True)
def send_outbox_message(message_id: int) -> str:
    """Send one outbox message. Safe to run twice: a sent message is never sent again."""
    from portal.mail.sending import send_batch

    status = OutboxMessage.objects.filter(pk=message_id).values_list("status", flat=True).first()
    if status is None:
        return "missing"
    if status == OutboxMessage.Status.SENT:
        return "already-sent"
    send_batch([message_id])
    message = OutboxMessage.objects.get(pk=message_id)
    return "deferred" if message.status == OutboxMessage.Status.QUEUED else message.status


@shared_task(name="portal.tasks.flush_outbox", acks_late=True, expires=50)
def flush_outbox() -> int:
    """Every minute (beat): retries whose time has come, and messages whose task got lost."""
    from portal.mail.outbox import flush_due

    return flush_due()
