"""The one mail path of the portal.

Every message is rendered in the recipient's language, recorded in the outbox and then sent by a
Celery task after the surrounding transaction commits. The outbox row is the truth, the task only
a nudge:

- The idempotency key is unique, so the same message can be recorded (and sent) only once, even
  when beat fires twice or a worker retries after a crash.
- A batch of messages goes out over one SMTP connection (``send_batch``). Each message is locked
  while it is sent and marked sent in the same transaction, so two workers never send it twice.
- Delivery is at least once. The mark is written before the message is handed to the server, and
  its transaction commits as soon as the server accepts it: a worker that dies in that moment
  (killed, machine lost) leaves the message queued, and it is sent again with the same Message-ID.
  Committing before the server has the message would lose it instead; the window is only the
  commit, so a restart almost never sends anything twice.
- A failure that may pass (server down, connection lost, 4xx) is recorded with its error and
  retried with exponential backoff by ``flush_due`` (a beat task); after ``MAX_ATTEMPTS`` the
  message ends as "failed". A refused address (5xx) ends as "bounced" at once.
- Right before sending, a message is checked against current data: an account that was deleted
  or deactivated, an opt-out from reminders, an address that bounced before, or a reminder that is
  no longer due (submitted meanwhile, deadline moved) skips the message with its reason.
- Nobody but the recipient reads a one-time secret (password reset link, address confirmation
  link, login code): a message queued with ``secrets`` is stored redacted, and what is delivered
  is sealed (encrypted) in its row until the transaction that ends the message (sent, bounced,
  failed, skipped) wipes it. Every attempt sends the sealed text, so a retry is the same message
  with the same Message-ID; once it has ended, nothing that could open the account is left in the
  outbox, the admin, the data export, the audit log or an error report (``portal.mail_secrets``,
  ``portal.error_reports``).
  A message that ended without being delivered cannot be sent again: the person asks for a new link.
- Staff see only the messages their role concerns (``visible_mails``): reviewers those about
  applications they may review, coordinators those about their own cohorts.
"""

import datetime as dt
import functools
import hashlib
import logging
import smtplib
import uuid
from collections import defaultdict
from collections.abc import Iterable
from email.utils import formataddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _lazy

from . import mail_secrets
from .models import OutboxMessage, User

logger = logging.getLogger(__name__)

# Messages sent over one SMTP connection.
BATCH_SIZE = 50
# Attempts before a message ends as "failed". With the backoff below the last attempt comes about
# four hours after the first, so a mail server that is down for an hour loses nothing.
MAX_ATTEMPTS = 10
# The first retry after a minute, doubling up to an hour.
BACKOFF_BASE = dt.timedelta(minutes=1)
BACKOFF_MAX = dt.timedelta(hours=1)
# A queued message whose task got lost (broker down at enqueue, worker killed) is picked up by
# ``flush_due`` after this long.
LEASE = dt.timedelta(minutes=5)


def backoff(attempts: int) -> dt.timedelta:
    """How long to wait after the given number of failed attempts."""
    return min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_MAX)


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
) -> OutboxMessage:
    """Record a message in the outbox and send it once the transaction has committed.

    With a key that was used before, nothing new is recorded or sent. ``secrets`` are the
    one-time links and codes in the message: only the recipient ever reads them (see above).
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
            "next_attempt_at": timezone.now() + LEASE,
            **_related(related),
        },
    )
    if created:
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
) -> OutboxMessage:
    """Render ``templates/mail/<template>_subject.txt``, ``.txt`` and ``.html`` in the
    recipient's language and queue the result."""
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
        next_attempt_at=timezone.now() + LEASE,
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
    from .tasks import send_outbox_batch

    try:
        send_outbox_batch.delay(ids)
    except Exception:
        # The broker is unreachable. The messages are recorded; flush_due sends them later.
        logger.warning("Could not enqueue outbox messages %s; flush_due will send them", ids, exc_info=True)


def enqueue(ids: Iterable[int]) -> None:
    """Send the messages in batches once the current transaction has committed."""
    for chunk in chunks(sorted(ids)):
        transaction.on_commit(lambda chunk=chunk: _delay_batch(chunk))


# --- What a kind of message is called --------------------------------------------------------

_kind_labels: dict[str, object] = {}


def register_kind_label(prefix: str, label) -> None:
    """Name the messages whose ``kind`` starts with ``prefix`` (a lazy translation) for the
    outbox in the admin; the longest matching prefix wins. Each app names its own kinds."""
    _kind_labels[prefix] = label


def kind_label(kind: str) -> str:
    """The readable name of a message kind; the kind itself where no app has named it."""
    _discover_send_checks()  # the reminder rules name their kinds when they are registered
    matches = [prefix for prefix in _kind_labels if kind.startswith(prefix)]
    if not matches:
        return kind
    return str(_kind_labels[max(matches, key=len)])


register_kind_label("account:", gettext_lazy("Konto"))
register_kind_label("account:email_confirmation", gettext_lazy("Konto: E-Mail-Adresse bestätigen"))
register_kind_label("account:password_reset", gettext_lazy("Konto: Passwort zurücksetzen"))
register_kind_label("account:account_already_exists", gettext_lazy("Konto: Adresse bereits registriert"))
register_kind_label("account:unknown_account", gettext_lazy("Konto: unbekannte Adresse"))
register_kind_label("account:password_changed", gettext_lazy("Konto: Passwort geändert"))
register_kind_label("account:password_set", gettext_lazy("Konto: Passwort gesetzt"))
register_kind_label("account:email_changed", gettext_lazy("Konto: E-Mail-Adresse geändert"))
register_kind_label("account:email_confirm", gettext_lazy("Konto: E-Mail-Adresse bestätigt"))
register_kind_label("account:email_deleted", gettext_lazy("Konto: E-Mail-Adresse entfernt"))
register_kind_label("account:login_code", gettext_lazy("Konto: Anmeldecode"))
register_kind_label("account:totp_", gettext_lazy("Konto: zweiter Faktor"))
register_kind_label("account:recovery_codes_", gettext_lazy("Konto: Wiederherstellungscodes"))
register_kind_label("account:webauthn_", gettext_lazy("Konto: Sicherheitsschlüssel"))
register_kind_label("reminder-", gettext_lazy("Erinnerung"))
register_kind_label("accessibility-feedback", gettext_lazy("Rückmeldung zur Barrierefreiheit"))


# --- Checks right before sending -------------------------------------------------------------

_send_checks: dict[str, object] = {}


def register_send_check(kind: str, check) -> None:
    """Register ``check(messages, *, now) -> {message pk: reason}`` for messages of ``kind``.

    Apps to the right of ``portal`` use this (from their ``reminders`` module) to say that a
    queued reminder is no longer due, from the data as it is when the message is sent.
    """
    _send_checks[kind] = check


@functools.cache
def _discover(module_name: str) -> None:
    """Import every app's ``module_name`` module once per process: they register their rules,
    renderers and scopes here. Looking again for modules that do not exist costs an import
    search per app, too much for once per row of the outbox."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules(module_name)


def _discover_send_checks() -> None:
    _discover("reminders")


# --- Rendering right before sending ----------------------------------------------------------

_renderers: dict[str, object] = {}


def register_renderer(kind: str, render) -> None:
    """Register ``render(messages) -> {message pk: (subject, text, html)}`` for the messages of
    ``kind`` queued by ``queue_mail_rendered_by_worker``. A message left out of the result has lost
    what it was about and is skipped. Apps to the right of ``portal`` register from their ``mails``
    module; a fixed number of queries for the whole batch, please.
    """
    _renderers[kind] = render


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
            OutboxMessage.objects.filter(pk__in=ids).update(next_attempt_at=now + LEASE)
            enqueue(ids)
    return len(ids)


def settings_url() -> str:
    return absolute_url(reverse("profile"))


# --- Who may read which message --------------------------------------------------------------

_mail_scopes: dict[str, list] = defaultdict(list)


def register_mail_scope(related_model: str, scope) -> None:
    """Register ``scope(user) -> queryset of primary keys or None`` for the messages about objects
    of ``related_model`` (``app_label.modelname``): the objects whose messages ``user`` may read,
    or None for none. Apps to the right of ``portal`` register from their ``mails`` module."""
    _mail_scopes[related_model].append(scope)


def visible_mails(user: User) -> QuerySet[OutboxMessage]:
    """The messages a member of staff may read: all for a superuser; for anyone else with the
    permission to view the outbox, those about objects their role lets them see (reviewers: the
    applications they may review; coordinators: their own cohorts). Messages about nothing in
    particular (account mails) are for superusers only. One query, whatever the number of rules.

    What a message may show is another matter: a one-time secret is never stored readable."""
    messages = OutboxMessage.objects.all()
    if not (user.is_active and user.is_staff):
        return messages.none()
    if user.is_superuser:
        return messages
    if not user.has_perm("portal.view_outboxmessage"):
        return messages.none()
    _discover("mails")
    allowed = Q(pk__in=[])
    for related_model, scopes in _mail_scopes.items():
        for scope in scopes:
            ids = scope(user)
            if ids is not None:
                allowed |= Q(related_model=related_model, related_id__in=ids)
    return messages.filter(allowed)


register_mail_scope("portal.user", lambda user: User.objects.filter(pk=user.pk).values("pk"))
