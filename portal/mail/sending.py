"""Sending what the outbox holds: batches over one SMTP connection, a lock per message, retries
with backoff, and the checks right before sending (see ``portal.mail``)."""

import datetime as dt
import hashlib
import logging
import smtplib
from collections import defaultdict
from email.utils import formataddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from portal.mail import secrets as mail_secrets
from portal.mail.models import OutboxMessage
from portal.mail.registry import _discover, _discover_send_checks, _renderers, _send_checks

logger = logging.getLogger(__name__)

# Attempts before a message ends as "failed". With the backoff below the last attempt comes about
# four hours after the first, so a mail server that is down for an hour loses nothing.
MAX_ATTEMPTS = 10
# The first retry after a minute, doubling up to an hour.
BACKOFF_BASE = dt.timedelta(minutes=1)
BACKOFF_MAX = dt.timedelta(hours=1)


def backoff(attempts: int) -> dt.timedelta:
    """How long to wait after the given number of failed attempts."""
    return min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_MAX)


def _unrendered(message: OutboxMessage) -> bool:
    return not (message.subject or message.body_text or message.body_html)


def _render(messages: list[OutboxMessage]) -> tuple[dict[int, tuple[str, str]], dict[int, str]]:
    """Render and store the text of the messages queued without one. Returns the messages to skip
    (with their status and reason) and those that could not be rendered (with the error)."""
    pending = defaultdict(list)
    for message in messages:
        if _unrendered(message):
            pending[message.kind].append(message)
    skip: dict[int, tuple[str, str]] = {}
    failed: dict[int, str] = {}
    if not pending:
        return skip, failed
    _discover("mails")
    for kind, group in pending.items():
        render = _renderers.get(kind)
        try:
            if render is None:
                raise LookupError(f"no renderer registered for {kind!r}")
            rendered = render(group)
        except Exception as exc:  # a bug in a template must not end in a crash loop: retry, then "failed"
            logger.exception("Rendering %s messages failed", kind)
            failed.update((message.pk, _describe(exc)) for message in group)
            continue
        for message in group:
            if message.pk not in rendered:
                skip[message.pk] = (
                    OutboxMessage.Status.SKIPPED,
                    _("Der Anlass der Nachricht besteht nicht mehr."),
                )
                continue
            subject, body_text, body_html = rendered[message.pk]
            # Two workers may render the same message; they store the same text.
            OutboxMessage.objects.filter(pk=message.pk, status=OutboxMessage.Status.QUEUED).update(
                subject=" ".join(subject.split()), body_text=body_text, body_html=body_html
            )
    return skip, failed


def _skip_reasons(messages: list[OutboxMessage], *, now: dt.datetime) -> dict[int, tuple[str, str]]:
    """Messages that must not be sent, with the status they end in and why. A fixed number of
    queries for the whole batch."""
    reasons: dict[int, tuple[str, str]] = {}
    skipped = OutboxMessage.Status.SKIPPED
    for message in messages:
        if message.account_id and message.user_id is None:
            reasons[message.pk] = (skipped, _("Das Konto wurde gelöscht."))
        elif message.user_id and (message.user.erased_at or message.user.erasure_requested_at):
            reasons[message.pk] = (skipped, _("Die Löschung des Kontos wurde beantragt."))
        elif message.user_id and not message.user.is_active:
            reasons[message.pk] = (skipped, _("Das Konto ist deaktiviert."))
        elif message.optional and message.user_id and message.user.reminders_opt_out:
            reasons[message.pk] = (
                skipped,
                _("Die Empfängerin oder der Empfänger hat Erinnerungen abbestellt."),
            )
        else:
            try:
                validate_email(message.recipient)
            except ValidationError:
                reasons[message.pk] = (
                    OutboxMessage.Status.BOUNCED,
                    _("Ungültige E-Mail-Adresse: %(address)s") % {"address": message.recipient},
                )
    optional = [m for m in messages if m.optional and m.pk not in reasons]
    if optional:
        bounced = set(
            OutboxMessage.objects.filter(
                recipient__in={m.recipient for m in optional}, status=OutboxMessage.Status.BOUNCED
            ).values_list("recipient", flat=True)
        )
        for message in optional:
            if message.recipient in bounced:
                reasons[message.pk] = (skipped, _("Die Adresse war zuvor unzustellbar."))
    by_kind = defaultdict(list)
    for message in messages:
        if message.pk not in reasons:
            by_kind[message.kind].append(message)
    if by_kind:
        _discover_send_checks()
    for kind, group in by_kind.items():
        check = _send_checks.get(kind)
        if check is not None:
            for pk, reason in check(group, now=now).items():
                reasons[pk] = (skipped, reason)
    return reasons


# --- Sending ---------------------------------------------------------------------------------


# What _send_one returns when the SMTP connection broke; the rest of the batch waits.
LOST = "connection-lost"
SEAL_GONE = _lazy(
    "Der Einmal-Link oder Code dieser Nachricht ist nicht mehr lesbar. "
    "Die Person kann ihn im Portal neu anfordern."
)


def _message_id(message: OutboxMessage) -> str:
    """The same Message-ID for every attempt, so a receiving system can recognise a duplicate."""
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >") or "localhost"
    digest = hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:32]
    return f"<{digest}@{domain}>"


def from_address() -> str:
    """DEFAULT_FROM_EMAIL with its display name quoted.

    "Smart City Manager:in <noreply@…>" is what people write, but the colon makes an unquoted name
    a group in RFC 5322, and Django's SMTP backend refuses the address.
    """
    value = settings.DEFAULT_FROM_EMAIL.strip()
    if "<" not in value or not value.endswith(">"):
        return value
    name, address = value[:-1].rsplit("<", 1)
    return formataddr((name.strip().strip('"').strip(), address.strip()))


def _delivered_content(message: OutboxMessage) -> dict[str, str]:
    """What the recipient gets: the sealed text of a message with a secret, else the stored one.
    Raises ``SealBroken`` for a message with a secret whose seal is gone or unreadable."""
    if message.contains_secret:
        if not message.sealed_content:
            raise mail_secrets.SealBroken("nothing sealed")
        return mail_secrets.unseal(message.sealed_content)
    return {"subject": message.subject, "body_text": message.body_text, "body_html": message.body_html}


def _email(message: OutboxMessage, connection) -> EmailMultiAlternatives:
    content = _delivered_content(message)
    email = EmailMultiAlternatives(
        subject=content["subject"],
        body=content["body_text"],
        from_email=from_address(),
        to=[message.recipient],
        headers={"X-Portal-Message": message.idempotency_key, "Message-ID": _message_id(message)},
        reply_to=[message.reply_to] if message.reply_to else None,
        connection=connection,
    )
    if content["body_html"]:
        email.attach_alternative(content["body_html"], "text/html")
    if message.attachment:
        with default_storage.open(message.attachment, "rb") as handle:
            email.attach(message.attachment_name or "anhang.pdf", handle.read(), "application/pdf")
    return email


def _describe(exc: BaseException, *, guarded: bool = False) -> str:
    """The error as recorded on the message and shown in the admin. For a message with a secret
    only the kind of error and the mail server's reply: an arbitrary exception's text might quote
    the message."""
    if guarded:
        if isinstance(exc, smtplib.SMTPResponseException):
            return f"{type(exc).__name__}: {exc.smtp_code}"
        if isinstance(exc, smtplib.SMTPRecipientsRefused):
            codes = ", ".join(str(code) for code, _text in exc.recipients.values())
            return f"{type(exc).__name__}: {codes}"
        return type(exc).__name__
    return f"{type(exc).__name__}: {exc}"[:2000]


# The fields a send attempt writes. ``sealed_content`` is wiped by every write that ends a message.
ATTEMPT_FIELDS = ["attempts", "error", "status", "next_attempt_at", "sent_at", "sealed_content"]


def _defer(message: OutboxMessage, error: str, now: dt.datetime) -> str:
    """Record a failed attempt: retry later with backoff, or give up after MAX_ATTEMPTS."""
    message.error = error
    if message.attempts >= MAX_ATTEMPTS:
        message.status = OutboxMessage.Status.FAILED
        message.next_attempt_at = None
        message.error = _("Nach %(count)s Versuchen aufgegeben. Letzter Fehler: %(error)s") % {
            "count": message.attempts,
            "error": error,
        }
        message.sealed_content = ""
        logger.error("Mail %s failed for good: %s", message.pk, error)
    else:
        message.next_attempt_at = now + backoff(message.attempts)
    message.save(update_fields=ATTEMPT_FIELDS)
    return "failed" if message.status == OutboxMessage.Status.FAILED else "deferred"


def _finish(message: OutboxMessage, status: str, error: str = "", now: dt.datetime | None = None) -> str:
    message.status = status
    message.error = error
    message.next_attempt_at = None
    message.sent_at = now if status == OutboxMessage.Status.SENT else None
    message.sealed_content = ""  # the message has ended: nothing that could open an account stays
    message.save(update_fields=ATTEMPT_FIELDS)
    return status


def _not_taken(message: OutboxMessage, exc: Exception, now: dt.datetime, sealed: str) -> str:
    """Record why the server did not take the message: bounced, failed, or retried later.
    Returns LOST when the connection is unusable."""
    # Undo the early mark; a message that is retried keeps its sealed text.
    message.status, message.sent_at, message.sealed_content = OutboxMessage.Status.QUEUED, None, sealed
    error = _describe(exc, guarded=message.contains_secret)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in exc.recipients.values()]
        if codes and all(code >= 500 for code in codes):
            return _finish(message, OutboxMessage.Status.BOUNCED, error)
        return _defer(message, error, now)
    if isinstance(exc, smtplib.SMTPResponseException):
        if exc.smtp_code == 421:  # the server closes the connection
            _defer(message, error, now)
            return LOST
        if exc.smtp_code >= 500:
            return _finish(message, OutboxMessage.Status.FAILED, error)
        return _defer(message, error, now)
    if isinstance(exc, smtplib.SMTPException | OSError):
        _defer(message, error, now)
        return LOST
    # A bug must not end in a crash loop: retry, then "failed".
    if message.contains_secret:
        logger.error("Unexpected error sending mail %s: %s", message.pk, error)
    else:
        logger.error("Unexpected error sending mail %s", message.pk, exc_info=exc)
    return _defer(message, error, now)


def _send_one(pk: int, connection, now: dt.datetime) -> str:
    """Send one message over the open connection, holding its row lock until it is marked.

    Returns LOST (after recording the attempt) when the connection is unusable. Nothing raises
    out of the transaction, so the attempt and its error are always recorded.

    The message is marked sent before it is handed to the server, so that once the server has
    accepted it nothing but the commit is left to do: the shortest window in which a worker that
    dies can make the message go out twice. A refusal overwrites the mark in the same transaction.
    """
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=pk, status=OutboxMessage.Status.QUEUED)
            .first()
        )
        if message is None:
            return "not-queued"  # sent, skipped or being sent by another worker meanwhile
        message.attempts += 1
        if _unrendered(message):  # never send an empty message; send_batch renders it first
            return _defer(message, _("Die Nachricht hat noch keinen Text."), now)
        try:
            email = _email(message, connection)
        except mail_secrets.SealBroken:
            return _finish(message, OutboxMessage.Status.FAILED, SEAL_GONE)
        except OSError as exc:
            return _finish(
                message, OutboxMessage.Status.FAILED, _("Anhang nicht lesbar: %(error)s") % {"error": exc}
            )
        sealed = message.sealed_content
        _finish(message, OutboxMessage.Status.SENT, now=now)  # also wipes the sealed text
        try:
            email.send()
        except Exception as exc:
            return _not_taken(message, exc, now, sealed)
        return OutboxMessage.Status.SENT  # committed right here, after the server's acceptance


def _defer_untried(ids: list[int], error: str, now: dt.datetime, *, count_attempt: bool) -> None:
    """Reschedule messages of a batch that could not be tried because the connection failed."""
    for pk in ids:
        with transaction.atomic():
            message = (
                OutboxMessage.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(pk=pk, status=OutboxMessage.Status.QUEUED)
                .first()
            )
            if message is None:
                continue
            if count_attempt:
                message.attempts += 1
                _defer(message, error, now)
            else:
                message.next_attempt_at = now + backoff(max(message.attempts, 1))
                message.save(update_fields=["next_attempt_at"])


def send_batch(ids: list[int], *, now: dt.datetime | None = None) -> dict[str, int]:
    """Send the queued messages among ``ids`` over one SMTP connection. Safe to run twice."""
    now = now or timezone.now()
    messages = list(
        OutboxMessage.objects.filter(pk__in=ids, status=OutboxMessage.Status.QUEUED)
        .select_related("user")
        .order_by("pk")
    )
    outcome: dict[str, int] = defaultdict(int)
    if not messages:
        return dict(outcome)
    reasons = _skip_reasons(messages, now=now)
    skip, failed = _render([m for m in messages if m.pk not in reasons])
    reasons.update(skip)
    if failed:
        for pk, error in failed.items():
            _defer_untried([pk], error, now, count_attempt=True)
        outcome["deferred"] += len(failed)
    for pk, (status, reason) in reasons.items():
        updated = OutboxMessage.objects.filter(pk=pk, status=OutboxMessage.Status.QUEUED).update(
            status=status, error=reason, next_attempt_at=None, sealed_content=""
        )
        outcome[status] += updated
    todo = [m.pk for m in messages if m.pk not in reasons and m.pk not in failed]
    if not todo:
        return dict(outcome)
    connection = get_connection()
    try:
        connection.open()
    except Exception as exc:
        # Nothing was sent: every message of the batch counts one failed attempt.
        _defer_untried(todo, _describe(exc), now, count_attempt=True)
        outcome["deferred"] += len(todo)
        return dict(outcome)
    try:
        for index, pk in enumerate(todo):
            result = _send_one(pk, connection, now)
            if result == LOST:
                rest = todo[index + 1 :]
                outcome["deferred"] += 1 + len(rest)
                _defer_untried(rest, _("Verbindung zum Mailserver unterbrochen."), now, count_attempt=False)
                break
            outcome[result] += 1
    finally:
        try:
            connection.close()
        except Exception:  # closing a broken connection must not hide what was recorded
            logger.debug("Closing the SMTP connection failed", exc_info=True)
    return dict(outcome)
