import logging
import smtplib

from celery import shared_task
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from .models import OutboxMessage

logger = logging.getLogger(__name__)

RETRYABLE = (smtplib.SMTPException, OSError)


@shared_task(bind=True, max_retries=6, acks_late=True)
def send_outbox_message(self, message_id: int) -> str:
    """Send one outbox message. Safe to run twice: a sent message is never sent again."""
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None:
            return "missing"
        if message.status == OutboxMessage.Status.SENT:
            return "already-sent"
        message.attempts += 1
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient],
            headers={"X-Portal-Message": message.idempotency_key},
        )
        if message.body_html:
            email.attach_alternative(message.body_html, "text/html")
        if message.attachment:
            with default_storage.open(message.attachment, "rb") as handle:
                email.attach(message.attachment_name or "anhang.pdf", handle.read(), "application/pdf")
        try:
            email.send()
        except RETRYABLE as exc:
            message.error = f"{type(exc).__name__}: {exc}"
            final = self.request.retries >= self.max_retries
            if final:
                message.status = OutboxMessage.Status.FAILED
            message.save(update_fields=["attempts", "error", "status"])
            if final:
                logger.error("Mail %s failed for good: %s", message.pk, message.error)
                return "failed"
        else:
            message.status = OutboxMessage.Status.SENT
            message.sent_at = timezone.now()
            message.error = ""
            message.save(update_fields=["attempts", "error", "status", "sent_at"])
            return "sent"
    # Outside the transaction, so the attempt and its error are recorded before the retry.
    raise self.retry(countdown=min(60 * 2**self.request.retries, 3600))


@shared_task(acks_late=True)
def apply_retention() -> dict[str, int]:
    """Every night (beat): anonymise and erase what is past its retention period (DSGVO).

    Takes no arguments and reads everything fresh, so a second run finds nothing left to do.
    """
    from django.utils import timezone

    from .data_protection import run_retention

    return run_retention(at=timezone.now())
