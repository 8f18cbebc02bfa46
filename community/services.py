"""The group's writes: moderation and the directory. Each function is one transaction."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.mail import queue_templated_mail, reachable

from .models import ContactMessage, DirectoryEntry, ModerationEvent, Suspension

# Contact messages one member may send: a few a day reach colleagues, a list of hundreds does not.
CONTACT_LIMIT_PER_HOUR = 5
CONTACT_LIMIT_PER_DAY = 20


def tell(
    user: User, *, template: str, context: dict, kind: str, key: str, related=None, reply_to: str = ""
) -> None:
    if reachable(user):
        queue_templated_mail(
            template=f"community/{template}",
            context={"user": user, **context},
            recipient=user.email,
            user=user,
            kind=kind,
            idempotency_key=key,
            related=related,
            reply_to=reply_to,
        )


def suspend_member(*, member: User, actor: User, reason: str, at: dt.datetime | None = None) -> Suspension:
    """Exclude a member from the group at once (their open sessions included), audited, and tell them."""
    at = at or timezone.now()
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Bitte geben Sie einen Grund an; das Mitglied erfährt ihn."))
    if member.pk == actor.pk:
        raise ValidationError(_("Sie können sich nicht selbst sperren."))
    with transaction.atomic():
        User.objects.select_for_update().get(pk=member.pk)
        if Suspension.objects.filter(user=member, lifted_at__isnull=True).exists():
            raise ValidationError(_("Dieses Mitglied ist bereits gesperrt."))
        suspension = Suspension.objects.create(user=member, reason=reason, created_at=at, created_by=actor)
        ModerationEvent.objects.create(
            action=ModerationEvent.Action.SUSPEND, actor=actor, subject=member, reason=reason, at=at
        )
        tell(
            member,
            template="suspended",
            context={"reason": reason},
            kind="community-suspended",
            key=f"community-suspended:{suspension.pk}",
        )
    return suspension


def lift_suspension(*, member: User, actor: User, at: dt.datetime | None = None) -> None:
    at = at or timezone.now()
    with transaction.atomic():
        open_ = Suspension.objects.select_for_update().filter(user=member, lifted_at__isnull=True).first()
        if open_ is None:
            raise ValidationError(_("Dieses Mitglied ist nicht gesperrt."))
        open_.lifted_at = at
        open_.save(update_fields=["lifted_at"])
        ModerationEvent.objects.create(action=ModerationEvent.Action.LIFT, actor=actor, subject=member, at=at)
        tell(
            member,
            template="lifted",
            context={},
            kind="community-lifted",
            key=f"community-lifted:{open_.pk}",
        )


# --- Directory -------------------------------------------------------------------------------


def save_entry(
    *,
    user: User,
    municipality,
    unit: str,
    function: str,
    modules,
    tags: list[str],
    contact: str,
    contact_note: str,
) -> DirectoryEntry:
    """Join the directory, or change one's entry."""
    with transaction.atomic():
        entry, _created = DirectoryEntry.objects.update_or_create(
            user=user,
            defaults={
                "municipality": municipality,
                "unit": unit,
                "function": function,
                "tags": tags,
                "contact": contact,
                "contact_note": contact_note,
            },
        )
        entry.modules.set(modules)
    return entry


def leave_directory(*, user: User) -> bool:
    """Leaving removes the entry at once, with its topics."""
    with transaction.atomic():
        deleted, _by_model = DirectoryEntry.objects.filter(user=user).delete()
    return bool(deleted)


def send_contact_message(
    *,
    sender: User,
    entry: DirectoryEntry,
    subject: str,
    body: str,
    reply_to_sender: bool,
    at: dt.datetime | None = None,
) -> ContactMessage:
    """Mail a directory member through the outbox; their address stays hidden from the sender.

    The sender's address is the message's Reply-To only if they agree; otherwise the recipient
    learns their name, not their address. Each sender may send
    ``CONTACT_LIMIT_PER_HOUR`` messages an hour and ``CONTACT_LIMIT_PER_DAY`` a day; the count
    is read under a lock on the sender, so parallel requests cannot pass the limit together.
    """
    at = at or timezone.now()
    recipient = entry.user
    if recipient.pk == sender.pk:
        raise ValidationError(_("Sie können sich nicht selbst schreiben."))
    if entry.contact != DirectoryEntry.Contact.FORM or not reachable(recipient):
        raise ValidationError(_("Dieses Mitglied möchte keine Nachrichten erhalten."))
    with transaction.atomic():
        User.objects.select_for_update().get(pk=sender.pk)
        sent = ContactMessage.objects.filter(sender=sender, sent_at__gt=at - dt.timedelta(days=1))
        if (
            sent.count() >= CONTACT_LIMIT_PER_DAY
            or sent.filter(sent_at__gt=at - dt.timedelta(hours=1)).count() >= CONTACT_LIMIT_PER_HOUR
        ):
            raise ValidationError(
                _(
                    "Sie haben in kurzer Zeit viele Nachrichten gesendet. Bitte versuchen Sie es später erneut."
                )
            )
        message = ContactMessage.objects.create(
            sender=sender,
            recipient=recipient,
            subject=subject,
            body=body,
            reply_to_sender=reply_to_sender,
            sent_at=at,
        )
        tell(
            recipient,
            template="contact",
            context={"sender": sender, "message": message},
            kind="community-contact",
            key=f"community-contact:{message.pk}",
            related=message,
            reply_to=sender.email if reply_to_sender else "",
        )
    return message
