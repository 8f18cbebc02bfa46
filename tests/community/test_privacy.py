"""The group's personal data in "Meine Daten", with the account's erasure, and in retention."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from community import privacy, projects, services
from community.models import ContactMessage, DirectoryEntry, ModerationEvent, Project, Suspension
from portal.privacy.registry import collect_exports, privacy_modules
from tests.factories import municipality

pytestmark = pytest.mark.django_db


def test_the_registry_finds_the_group(cast):
    assert privacy in privacy_modules()


def entry_and_messages(cast):
    entry = services.save_entry(
        user=cast.graduate,
        municipality=municipality("Potsdam"),
        unit="Stabsstelle",
        function="Leitung",
        modules=cast.modules[:1],
        tags=["Open Data"],
        contact="form",
        contact_note="",
    )
    services.send_contact_message(
        sender=cast.graduate,
        entry=services.save_entry(
            user=cast.participant,
            municipality=municipality("Cottbus"),
            unit="",
            function="",
            modules=[],
            tags=[],
            contact="form",
            contact_note="",
        ),
        subject="Hallo",
        body="Eine Frage",
        reply_to_sender=True,
    )
    services.suspend_member(member=cast.graduate, actor=cast.coordinator, reason="Zu viel Werbung")
    project = projects.save_project(
        author=cast.graduate,
        modules=[],
        municipality=municipality("Potsdam"),
        title="Parksensoren",
        summary="s",
        status="idea",
        tags=[],
        started_on=None,
        ended_on=None,
        lessons="",
        links=[],
        files=[("pdf", "Plan.pdf", ContentFile(b"%PDF-1.4 test", name="Plan.pdf"))],
    )
    return entry, project


def test_export_holds_entry_messages_and_suspensions(cast):
    entry_and_messages(cast)
    exports = {export.name: export for export in collect_exports(cast.graduate)}
    data = exports["netzwerk"].data
    assert data["directory_entry"]["unit"] == "Stabsstelle"
    assert data["directory_entry"]["modules"] == ["Modul 1"]
    assert data["contact_messages_sent"][0]["body"] == "Eine Frage"
    assert data["suspensions"][0]["reason"] == "Zu viel Werbung"
    assert data["projects"][0]["title"] == "Parksensoren"
    assert [f.path for f in exports["netzwerk"].files] == data["projects"][0]["files"]
    assert data["projects"][0]["files"][0].endswith("Plan.pdf")
    other = {export.name: export for export in collect_exports(cast.participant)}["netzwerk"].data
    assert other["contact_messages_sent"] == [] and other["suspensions"] == []


def test_erasure_removes_the_persons_data_and_keeps_the_moderation_record(cast):
    entry_and_messages(cast)
    privacy.erase(cast.graduate, at=timezone.now())
    assert not DirectoryEntry.objects.filter(user=cast.graduate).exists()
    assert not ContactMessage.objects.filter(sender=cast.graduate).exists()
    assert not Suspension.objects.filter(user=cast.graduate).exists()
    assert not Project.objects.exists()
    event = ModerationEvent.objects.get()
    assert event.subject is None and event.reason == "" and event.actor == cast.coordinator
    assert DirectoryEntry.objects.filter(user=cast.participant).exists()


def test_retention_deletes_old_contact_messages(cast):
    entry_and_messages(cast)
    assert privacy.retention(at=timezone.now()) == {"community_contact_messages_deleted": 0}
    later = timezone.now() + dt.timedelta(days=366)
    assert privacy.retention(at=later) == {"community_contact_messages_deleted": 1}


def test_deleting_the_account_erases_the_network_data_through_the_registry(cast):
    from community import exchange
    from portal.privacy.registry import erase_account

    entry_and_messages(cast)
    thread = exchange.start_thread(author=cast.participant, title="Frage", body="?")
    exchange.reply(author=cast.graduate, thread=thread, body="Meine Antwort")
    erase_account(user=cast.graduate, at=timezone.now())
    assert not DirectoryEntry.objects.filter(user_id=cast.graduate.pk).exists()
    assert not Project.objects.exists()
    reply = thread.posts.get(body="Meine Antwort")
    assert reply.author_id is None


def test_erasure_takes_the_senders_address_out_of_the_recipients_mail(cast):
    from portal.mail.models import OutboxMessage

    entry_and_messages(cast)
    assert OutboxMessage.objects.get(kind="community-contact").reply_to == cast.graduate.email
    privacy.erase(cast.graduate, at=timezone.now())
    assert OutboxMessage.objects.get(kind="community-contact").reply_to == ""
