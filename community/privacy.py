"""Personal data of the group (hooks of ``portal.privacy.registry``).

- The directory entry: exported; erased with the account (leaving the directory erases it at once).
- Contact messages the person sent: exported, erased with the account, and deleted by the
  retention run a year after they were sent (the mail itself is the recipient's). Messages the
  person received lose their recipient on erasure.
- Suspensions of the person: exported; erased with the account. The moderation log keeps the
  step and its date without the person (``subject`` emptied), so the record of what moderators
  did stays whole.
"""

import datetime as dt

from portal.accounts.models import User
from portal.privacy.registry import Export

from .models import ContactMessage, DirectoryEntry, ModerationEvent, Suspension

CONTACT_MESSAGES_KEPT = dt.timedelta(days=365)


def export(user: User) -> Export:
    entry = DirectoryEntry.objects.filter(user=user).select_related("municipality").first()
    directory = None
    if entry is not None:
        directory = {
            "municipality": entry.municipality.name,
            "unit": entry.unit,
            "function": entry.function,
            "modules": list(entry.modules.order_by("position").values_list("title", flat=True)),
            "tags": entry.tags,
            "contact": entry.contact,
            "contact_note": entry.contact_note,
            "created_at": entry.created_at,
            "updated_at": entry.updated_at,
        }
    sent = [
        {
            "subject": message.subject,
            "body": message.body,
            "reply_to_sender": message.reply_to_sender,
            "sent_at": message.sent_at,
        }
        for message in ContactMessage.objects.filter(sender=user).order_by("sent_at")
    ]
    suspensions = [
        {"reason": s.reason, "created_at": s.created_at, "lifted_at": s.lifted_at}
        for s in Suspension.objects.filter(user=user).order_by("created_at")
    ]
    return Export(
        name="netzwerk",
        data={"directory_entry": directory, "contact_messages_sent": sent, "suspensions": suspensions},
    )


def erase(user: User, *, at: dt.datetime) -> None:
    DirectoryEntry.objects.filter(user=user).delete()
    ContactMessage.objects.filter(sender=user).delete()
    ContactMessage.objects.filter(recipient=user).update(recipient=None)
    Suspension.objects.filter(user=user).delete()
    ModerationEvent.objects.filter(subject=user).update(subject=None, reason="")


def retention(*, at: dt.datetime) -> dict[str, int]:
    deleted, _by_model = ContactMessage.objects.filter(sent_at__lt=at - CONTACT_MESSAGES_KEPT).delete()
    return {"community_contact_messages_deleted": deleted}
