"""The one mail path of the portal.

Every message is rendered, recorded in the outbox and then sent by a Celery task after the
surrounding transaction commits. The idempotency key makes a second send impossible.
"""

import uuid

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from .models import OutboxMessage, User


def queue_mail(
    *,
    recipient: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    kind: str,
    idempotency_key: str | None = None,
    user: User | None = None,
    language: str | None = None,
    attachment: str = "",
    attachment_name: str = "",
) -> OutboxMessage:
    """Record a message in the outbox and send it once the transaction has committed.

    With a key that was used before, nothing new is recorded or sent.
    """
    key = idempotency_key or f"{kind}:{uuid.uuid4()}"
    message, created = OutboxMessage.objects.get_or_create(
        idempotency_key=key,
        defaults={
            "kind": kind,
            "recipient": recipient,
            "user": user,
            "language": language or translation.get_language() or "de",
            "subject": " ".join(subject.split()),
            "body_text": body_text,
            "body_html": body_html,
            "attachment": attachment,
            "attachment_name": attachment_name,
        },
    )
    if created:
        from .tasks import send_outbox_message

        transaction.on_commit(lambda: send_outbox_message.delay(message.pk))
    return message


def queue_templated_mail(
    *,
    template: str,
    context: dict,
    recipient: str,
    kind: str,
    idempotency_key: str | None = None,
    user: User | None = None,
    language: str | None = None,
    attachment: str = "",
    attachment_name: str = "",
) -> OutboxMessage:
    """Render ``templates/mail/<template>_subject.txt``, ``.txt`` and ``.html`` in the
    recipient's language and queue the result."""
    language = language or (user.language if user else None) or translation.get_language() or "de"
    with translation.override(language):
        subject = render_to_string(f"mail/{template}_subject.txt", context)
        body_text = render_to_string(f"mail/{template}.txt", context)
        body_html = render_to_string(f"mail/{template}.html", context)
    return queue_mail(
        recipient=recipient,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        kind=kind,
        idempotency_key=idempotency_key,
        user=user,
        language=language,
        attachment=attachment,
        attachment_name=attachment_name,
    )


def queue_email_message(message: EmailMessage, *, kind: str, user: User | None = None) -> OutboxMessage:
    """Queue a message another library rendered (django-allauth's account mails)."""
    body_html = ""
    if isinstance(message, EmailMultiAlternatives):
        body_html = next(
            (content for content, mimetype in message.alternatives if mimetype == "text/html"), ""
        )
    body_text = message.body
    if message.content_subtype == "html":
        body_html, body_text = message.body, ""
    return queue_mail(
        recipient=message.to[0],
        subject=message.subject,
        body_text=body_text,
        body_html=body_html,
        kind=kind,
        user=user,
    )
