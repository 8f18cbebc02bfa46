"""Personal data of the group (hooks of ``portal.privacy.registry``).

- The directory entry: exported; erased with the account (leaving the directory erases it at once).
- Contact messages the person sent: exported, erased with the account, and deleted by the
  retention run a year after they were sent (the mail itself is the recipient's). Messages the
  person received lose their recipient on erasure.
- Projects the person described, with their files: exported; erased with the account (a
  project lives from its author's knowledge and answers; without the author it is gone, also
  from the public page).
- Posts in the exchange: exported; with the account they stay, without their author, so the
  threads others answered remain readable ("gelöschtes Mitglied"); hidden posts go. Watches,
  reports and the digest subscription go.
- The testimonial with its consent (date, version, text): exported; withdrawn and deleted with
  the account.
- Suspensions of the person: exported; erased with the account. The moderation log keeps the
  step and its date without the person (``subject`` emptied), so the record of what moderators
  did stays whole.
"""

import datetime as dt

from portal.accounts.models import User
from portal.mail.models import OutboxMessage
from portal.privacy.registry import Export, ExportFile, archive_path, delete_files_on_commit

from .models import (
    ContactMessage,
    DigestSubscription,
    DirectoryEntry,
    ModerationEvent,
    Post,
    Project,
    ProjectFile,
    Report,
    Suspension,
    Testimonial,
    Thread,
    Watch,
)

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
    projects, files = _projects(user)
    return Export(
        name="netzwerk",
        data={
            "directory_entry": directory,
            "contact_messages_sent": sent,
            "suspensions": suspensions,
            "projects": projects,
            "exchange": _exchange(user),
            "testimonial": _testimonial(user),
        },
        files=files,
    )


def _testimonial(user: User) -> dict | None:
    t = Testimonial.objects.filter(author=user).first()
    if t is None:
        return None
    return {
        "text": t.text,
        "show_name": t.show_name,
        "state": t.state,
        "consent_at": t.consent_at,
        "consent_version": t.consent_version,
        "consent_text": t.consent_text,
    }


def _exchange(user: User) -> dict:
    return {
        "posts": [
            {"thread": p.thread.title, "body": p.body, "created_at": p.created_at, "hidden": p.hidden}
            for p in Post.objects.filter(author=user).select_related("thread").order_by("created_at")
        ],
        "watched_threads": list(Watch.objects.filter(user=user).values_list("thread__title", flat=True)),
        "reports": [
            {"reason": r.reason, "created_at": r.created_at}
            for r in Report.objects.filter(reporter=user).order_by("created_at")
        ],
        "weekly_digest": DigestSubscription.objects.filter(user=user).exists(),
    }


def _projects(user: User) -> tuple[list[dict], list[ExportFile]]:
    data, files = [], []
    for project in (
        Project.objects.filter(author=user).select_related("municipality").prefetch_related("files")
    ):
        paths = []
        for stored in project.files.all():
            paths.append(archive_path("netzwerk", f"projekt-{project.pk}", stored.file_name))
            files.append(ExportFile(path=paths[-1], name=stored.file.name))
        data.append(
            {
                "title": project.title,
                "summary": project.summary,
                "status": project.status,
                "municipality": project.municipality.name,
                "tags": project.tags,
                "started_on": project.started_on,
                "ended_on": project.ended_on,
                "lessons": project.lessons,
                "links": project.links,
                "publication": project.publication,
                "created_at": project.created_at,
                "files": paths,
            }
        )
    return data, files


def erase(user: User, *, at: dt.datetime) -> None:
    DirectoryEntry.objects.filter(user=user).delete()
    delete_files_on_commit(ProjectFile.objects.filter(project__author=user).values_list("file", flat=True))
    Project.objects.filter(author=user).delete()
    sent = ContactMessage.objects.filter(sender=user)
    OutboxMessage.objects.filter(
        related_model="community.contactmessage", related_id__in=list(sent.values_list("pk", flat=True))
    ).update(reply_to="")
    sent.delete()
    ContactMessage.objects.filter(recipient=user).update(recipient=None)
    Suspension.objects.filter(user=user).delete()
    Testimonial.objects.filter(author=user).delete()
    Post.objects.filter(author=user, hidden=True).delete()
    Post.objects.filter(author=user).update(author=None)
    Thread.objects.filter(author=user).update(author=None)
    Watch.objects.filter(user=user).delete()
    Report.objects.filter(reporter=user).delete()
    DigestSubscription.objects.filter(user=user).delete()
    ModerationEvent.objects.filter(subject=user).update(subject=None, reason="")


def restrict(user: User, *, at: dt.datetime) -> None:
    """Erasure was asked for while other apps must still keep records: nothing of the network
    has to be kept, so it goes now, as on erasure."""
    erase(user, at=at)


def retention(*, at: dt.datetime) -> dict[str, int]:
    deleted, _by_model = ContactMessage.objects.filter(sent_at__lt=at - CONTACT_MESSAGES_KEPT).delete()
    return {"community_contact_messages_deleted": deleted}
