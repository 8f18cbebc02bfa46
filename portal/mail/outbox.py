"""Recording a message in the outbox and handing it to the worker (see ``portal.mail``)."""

import datetime as dt
import logging
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import models, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.mail import secrets as mail_secrets
from portal.mail.models import OutboxMessage
from portal.mail.tasks import send_outbox_batch

logger = logging.getLogger(__name__)

# Messages sent over one SMTP connection.
BATCH_SIZE = 50


def lease() -> dt.timedelta:
    """How long a queued message is left to the task that carries it. A message whose task got
    lost (broker down at enqueue, worker killed, Redis back empty) is picked up by ``flush_due``
    (beat, every minute) once this has passed: ``PORTAL_WORK_LEASE_SECONDS``."""
    return dt.timedelta(seconds=settings.PORTAL_WORK_LEASE_SECONDS)


def __getattr__(name: str):
    if name == "LEASE":  # the lease as a value, as earlier code read it
        return lease()
    raise AttributeError(name)


def reachable(user: User) -> bool:
    """Whether the portal may write to this account at all: active, with an address, not being erased."""
    return bool(user.is_active and user.email and not user.erased_at and not user.erasure_requested_at)


def absolute_url(path: str) -> str:
    """Links in mails are absolute: a worker has no request to take the host from."""
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def _related(obj: models.Model | None) -> dict:
    if obj is None:
        return {"related_model": "", "related_id": None}
    return {"related_model": obj._meta.label_lower, "related_id": obj.pk}


def render_mail(template: str, context: dict, language: str) -> tuple[str, str, str]:
    """Render ``templates/mail/<template>_subject.txt``, ``.txt`` and ``.html`` in ``language``,
    with times in Europe/Berlin. Returns subject, text and HTML."""
    with translation.override(language), timezone.override(settings.TIME_ZONE):
        context = {"LANGUAGE_CODE": language, "portal_url": absolute_url("/"), **context}
        subject = render_to_string(f"mail/{template}_subject.txt", context)
        body_text = render_to_string(f"mail/{template}.txt", context)
        body_html = render_to_string(f"mail/{template}.html", context)
    return " ".join(subject.split()), body_text, body_html


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
    optional: bool = False,
    related: models.Model | None = None,
    secrets: Iterable[str] = (),
    reply_to: str = "",
    hand_over: bool = True,
) -> OutboxMessage:
    """Record a message in the outbox and send it once the transaction has committed.

    With a key that was used before, nothing new is recorded or sent. ``secrets`` are the
    one-time links and codes in the message: only the recipient ever reads them (see above).
    Without ``hand_over`` the caller hands the message to the worker itself (``enqueue``), with
    others of a batch; until it does, the message waits for ``flush_due`` like a lost one.
    """
    key = idempotency_key or f"{kind}:{uuid.uuid4()}"
    language = language or translation.get_language() or "de"
    content = {"subject": " ".join(subject.split()), "body_text": body_text, "body_html": body_html}
    secrets = [secret for secret in secrets if secret]
    sealed = ""
    if secrets:
        sealed = mail_secrets.seal(**content)
        content = {name: mail_secrets.redact(value, secrets, language) for name, value in content.items()}
    message, created = OutboxMessage.objects.get_or_create(
        idempotency_key=key,
        defaults={
            "kind": kind,
            "recipient": recipient,
            "user": user,
            "account_id": user.pk if user else None,
            "optional": optional,
            "language": language,
            **content,
            "contains_secret": bool(secrets),
            "sealed_content": sealed,
            "attachment": attachment,
            "attachment_name": attachment_name,
            "reply_to": reply_to,
            "next_attempt_at": timezone.now() + lease(),
            **_related(related),
        },
    )
    if created and hand_over:
        enqueue([message.pk])
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
    optional: bool = False,
    related: models.Model | None = None,
    secrets: Iterable[str] = (),
    reply_to: str = "",
    hand_over: bool = True,
) -> OutboxMessage:
    """Render ``templates/mail/<template>_subject.txt``, ``.txt`` and ``.html`` in the
    recipient's language and queue the result (``hand_over`` as for ``queue_mail``)."""
    language = language or (user.language if user else None) or translation.get_language() or "de"
    subject, body_text, body_html = render_mail(template, context, language)
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
        optional=optional,
        related=related,
        secrets=secrets,
        reply_to=reply_to,
        hand_over=hand_over,
    )


def queue_mail_rendered_by_worker(
    *,
    kind: str,
    related: models.Model,
    recipient: str,
    user: User,
    idempotency_key: str,
    language: str | None = None,
) -> OutboxMessage:
    """Record a message whose subject and text the worker renders right before sending it, from
    ``related`` as it is then, with the renderer registered for ``kind`` (``register_renderer``).

    For writes that must stay short, such as the binding submit under its lock: the message is
    recorded in the caller's transaction like any other, so it can be neither lost nor sent twice,
    but no template is rendered in the request. The outbox shows its text once it is rendered.

    One statement, without a savepoint: a key used before records nothing new (the row keeps its
    content and status; the worker is nudged all the same and sends nothing twice).
    """
    message = OutboxMessage(
        idempotency_key=idempotency_key,
        kind=kind,
        recipient=recipient,
        user=user,
        account_id=user.pk,
        language=language or user.language or translation.get_language() or "de",
        subject="",
        body_text="",
        next_attempt_at=timezone.now() + lease(),
        **_related(related),
    )
    (message,) = OutboxMessage.objects.bulk_create(
        [message],
        update_conflicts=True,
        unique_fields=["idempotency_key"],
        update_fields=["idempotency_key"],  # unchanged: only so that the existing row's id comes back
    )
    enqueue([message.pk])
    return message


def queue_email_message(
    message: EmailMessage, *, kind: str, user: User | None = None, secrets: Iterable[str] = ()
) -> OutboxMessage:
    """Queue a message another library rendered (django-allauth's account mails), with the
    one-time links and codes it carries."""
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
        secrets=secrets,
    )


# --- Handing messages to the worker ----------------------------------------------------------


def chunks(ids: list[int], size: int = BATCH_SIZE) -> list[list[int]]:
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def _delay_batch(ids: list[int]) -> None:
    try:
        send_outbox_batch.delay(ids)
    except Exception:
        # The broker is unreachable. The messages are recorded; flush_due sends them later.
        logger.warning("Could not enqueue outbox messages %s; flush_due will send them", ids, exc_info=True)


def enqueue(ids: Iterable[int]) -> None:
    """Send the messages in batches once the current transaction has committed."""
    for chunk in chunks(sorted(ids)):
        transaction.on_commit(lambda chunk=chunk: _delay_batch(chunk))


def flush_due(*, now: dt.datetime | None = None, limit: int = 1000) -> int:
    """Hand every queued message whose time has come to the workers, in batches.

    Retries after failures, and messages whose first task was lost. Each message gets a new
    lease, so the next run does not hand it out again while its batch waits in the queue.
    """
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            OutboxMessage.objects.filter(status=OutboxMessage.Status.QUEUED, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            OutboxMessage.objects.filter(pk__in=ids).update(next_attempt_at=now + lease())
            enqueue(ids)
    return len(ids)


def send_again(messages: QuerySet[OutboxMessage]) -> tuple[int, int]:
    """Queue again the messages among ``messages`` that ended without being delivered (failed,
    bounced, skipped), from their first attempt. A message with a one-time link or code is not
    sent again: its secret was wiped when it ended, and the person asks for a new one in the
    portal. Returns how many were queued and how many were left for that reason."""
    ended = messages.exclude(status__in=[OutboxMessage.Status.SENT, OutboxMessage.Status.QUEUED])
    with transaction.atomic():
        with_secret = ended.filter(contains_secret=True).count()
        ids = list(ended.filter(contains_secret=False).values_list("pk", flat=True))
        OutboxMessage.objects.filter(pk__in=ids).update(
            status=OutboxMessage.Status.QUEUED, attempts=0, next_attempt_at=timezone.now()
        )
        enqueue(ids)
    return len(ids), with_secret


def mark_bounced(messages: QuerySet[OutboxMessage], *, by: User, at: dt.datetime) -> int:
    """Record that sent messages came back undeliverable (a bounce the mail server reported
    later): no reminder goes to their addresses any more. Returns how many were marked."""
    return messages.filter(status=OutboxMessage.Status.SENT).update(
        status=OutboxMessage.Status.BOUNCED,
        error=_("Als unzustellbar markiert von %(user)s am %(date)s.")
        % {"user": by, "date": timezone.localtime(at).strftime("%d.%m.%Y %H:%M")},
    )


def settings_url() -> str:
    return absolute_url(reverse("profile"))
