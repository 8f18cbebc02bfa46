"""One-time links and codes in mails are read by their recipient alone.

A reviewer who asks for a password reset of an applicant, anonymously, and then looks into the
outbox must find nothing that opens the account: not on any admin page, not in an application's
mail list, not in the data export, the database, the audit log or the logs; while the applicant's
delivered mail still holds a link that works. Staff see only the mails of their role's objects,
and guessing a message's id gives 404.
"""

import io
import json
import logging
import zipfile

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from applications.models import Application
from portal.accounts.models import User
from portal.mail import queue_mail, send_batch, visible_mails
from portal.mail import secrets as mail_secrets
from portal.mail.models import OutboxMessage
from tests.factories import berlin
from tests.privacy.conftest import db_rows_containing

from .conftest import (
    LINK_PLACEHOLDER,
    RESET_LINK,
    World,
    assert_no_secret,
    follow_reset_link,
    logged_in,
    staff_member,
)

pytestmark = pytest.mark.django_db


def test_the_recipient_gets_a_working_link_while_the_outbox_keeps_only_a_placeholder(world):
    for message in (world.reset, world.confirmation):
        message.refresh_from_db()
        assert message.status == OutboxMessage.Status.SENT
        assert message.contains_secret
        assert message.sealed_content == ""  # wiped when it was sent
        assert LINK_PLACEHOLDER in message.body_text
        assert_no_secret(world, message.subject + message.body_text + message.body_html)
    # Nowhere in the database: not the outbox, not the audit log, not allauth's tables.
    for secret in world.secrets():
        assert db_rows_containing(secret) == []
    follow_reset_link(world.reset_link)


def test_a_queued_message_holds_its_secret_only_sealed(world):
    secret_url = "https://smartcity.example.org/konto/password/reset/key/1a-abc123def456/"
    message = queue_mail(
        recipient="ada@example.org",
        subject="Passwort",
        body_text=f"Ihr Link: {secret_url}",
        body_html=f'<a href="{secret_url}">{secret_url}</a>',
        kind="account:password_reset_key",
        secrets=[secret_url, "abc123def456"],
    )
    assert "abc123def456" not in message.body_text + message.body_html
    assert message.body_text == f"Ihr Link: {LINK_PLACEHOLDER}"
    assert "abc123def456" not in message.sealed_content  # encrypted, not merely hidden
    assert mail_secrets.unseal(message.sealed_content)["body_text"] == f"Ihr Link: {secret_url}"


def test_a_retry_sends_the_sealed_text_with_the_same_message_id_and_then_wipes_it(world, settings):
    settings.EMAIL_BACKEND = "tests.reminders.backends.FaultyBackend"
    from tests.reminders.backends import FaultyBackend

    FaultyBackend.reset()
    mail.outbox.clear()
    message = queue_mail(
        recipient="ada@example.org",
        subject="Code",
        body_text="Ihr Code: QX7-99KZ",
        kind="account:login_code",
        secrets=["QX7-99KZ"],
    )
    assert message.body_text == "Ihr Code: [Code nur in der zugestellten E-Mail]"
    FaultyBackend.drop_after = 0  # the server drops the connection on the first attempt
    send_batch([message.pk])
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.QUEUED and message.attempts == 1
    assert message.sealed_content  # kept for the retry
    assert "QX7-99KZ" not in message.error
    FaultyBackend.drop_after = None
    send_batch([message.pk])
    (delivered,) = mail.outbox
    assert delivered.body == "Ihr Code: QX7-99KZ"
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT and message.sealed_content == ""
    assert delivered.extra_headers["Message-ID"] == mail_secrets_message_id(message)
    FaultyBackend.reset()


def mail_secrets_message_id(message: OutboxMessage) -> str:
    from portal.mail.sending import _message_id

    return _message_id(message)


def test_a_message_that_ended_undelivered_is_not_sent_again_without_its_secret(world, settings):
    settings.EMAIL_BACKEND = "tests.reminders.backends.FaultyBackend"
    from tests.reminders.backends import FaultyBackend

    FaultyBackend.reset()
    FaultyBackend.refused = {"ada@example.org": (550, b"No such user")}
    message = queue_mail(
        recipient="ada@example.org", subject="Code", body_text="Code 4711-XY", kind="k", secrets=["4711-XY"]
    )
    send_batch([message.pk])
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.BOUNCED and message.sealed_content == ""
    FaultyBackend.reset()
    # An administrator's "send again" leaves it alone and says why.
    client = logged_in(world.staff["superuser"])
    response = client.post(
        reverse("admin:portal_outboxmessage_changelist"),
        {"action": "send_again", "_selected_action": [message.pk]},
        follow=True,
    )
    assert "Einmal-Link oder Code" in response.content.decode()
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.BOUNCED
    # Even if it were queued again by hand, nothing without its secret goes out.
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxMessage.Status.QUEUED)
    mail.outbox.clear()
    send_batch([message.pk])
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED and "neu anfordern" in message.error
    assert mail.outbox == []


# --- what each role sees ------------------------------------------------------------------------

SCOPES = {
    "superuser": {
        "application_a",
        "application_b",
        "draft",
        "session_a",
        "session_b",
        "reset",
        "confirmation",
    },
    "reviewer": {"application_a", "application_b"},
    "coordinator": {"session_a"},
    "evaluator": set(),
}


def messages_of(world: World) -> dict[str, OutboxMessage]:
    return {**world.about, "reset": world.reset, "confirmation": world.confirmation}


@pytest.mark.parametrize("role", SCOPES)
def test_each_role_sees_only_its_mails_and_no_secret_on_any_admin_page(world, role):
    user = world.staff[role]
    client = logged_in(user)
    messages = messages_of(world)
    assert set(visible_mails(user).values_list("pk", flat=True)) == {
        messages[name].pk for name in SCOPES[role]
    }

    changelist = client.get(reverse("admin:portal_outboxmessage_changelist"))
    if role == "evaluator":
        assert changelist.status_code == 403
    else:
        assert changelist.status_code == 200
        listed = {m.pk for m in changelist.context["cl"].result_list}
        assert listed == {messages[name].pk for name in SCOPES[role]}
        assert_no_secret(world, changelist.content.decode())
    for name, message in messages.items():
        for view in ("change", "history"):
            url = reverse(f"admin:portal_outboxmessage_{view}", args=[message.pk])
            response = client.get(url)
            if name in SCOPES[role]:
                assert response.status_code == 200, (name, view)
                assert_no_secret(world, response.content.decode())
            else:
                assert response.status_code in {403, 404}, (name, view)  # a guessed id
    if role == "superuser":
        page = client.get(
            reverse("admin:portal_outboxmessage_change", args=[world.reset.pk])
        ).content.decode()
        assert LINK_PLACEHOLDER in page
        assert "sealed_content" not in page
    # An application's sent mails: only those about it, and only as far as the role may see them.
    response = client.get(reverse("admin:applications_application_change", args=[world.application_a.pk]))
    if role in {"superuser", "reviewer"}:
        html = response.content.decode()
        assert response.status_code == 200
        assert "Entscheidung A" in html and "Entscheidung B" not in html and "Sitzung A" not in html
        assert_no_secret(world, html)
    else:
        assert response.status_code == 403
    follow_reset_link(world.reset_link)  # after all that looking, the link still works


def test_a_coordinator_of_another_cohort_sees_none_of_the_first_cohorts_mails(world):
    other = staff_member("andere@example.org", "coordinators")
    world.cohort_b.coordinators.add(other)
    client = logged_in(other)
    assert list(visible_mails(other)) == [world.about["session_b"]]
    assert (
        client.get(
            reverse("admin:portal_outboxmessage_change", args=[world.about["session_a"].pk])
        ).status_code
        == 404
    )
    # Listed as coordinator but no longer in the group: nothing.
    other.groups.clear()
    assert not visible_mails(User.objects.get(pk=other.pk)).exists()


def test_a_draft_becomes_visible_to_reviewers_only_once_submitted(world):
    reviewer = world.staff["reviewer"]
    assert world.about["draft"] not in visible_mails(reviewer)
    Application.objects.filter(pk=world.draft.pk).update(
        status=Application.Status.SUBMITTED,
        sequence=2,
        reference="SCM-3-0002",
        submitted_at=berlin(2022, 9, 2),
    )
    assert world.about["draft"] in visible_mails(reviewer)


# --- the person's own export, the audit log, the logs -------------------------------------------


def test_the_recipients_own_export_holds_the_mail_but_not_the_live_link(world):
    client = Client()
    client.force_login(world.ada)
    response = client.get(reverse("my_data_export"))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    everything = "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    assert_no_secret(world, everything)
    mails = json.loads(archive.read("konto.json"))["mails"]
    (reset,) = [m for m in mails if m["kind"] == "account:password_reset_key"]
    assert LINK_PLACEHOLDER in reset["text"]


def test_the_outbox_is_not_in_the_audit_log_and_no_log_line_carries_a_secret(
    world, caplog, django_capture_on_commit_callbacks
):
    from auditlog.models import LogEntry
    from auditlog.registry import auditlog

    assert not auditlog.contains(OutboxMessage)
    assert not LogEntry.objects.filter(content_type__model="outboxmessage").exists()
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(reverse("account_reset_password"), {"email": "ada@example.org"})
    key = RESET_LINK.search(mail.outbox[-1].body).group(2)
    assert key not in caplog.text
    assert all(key not in str(record.args) for record in caplog.records)


def test_mails_stored_before_sealing_are_redacted_by_the_migration(world):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("portal.migrations.0008_outbox_sealed_secrets")
    link = "http://testserver/konto/password/reset/key/3-c9ab-0123456789abcdef/"
    old = OutboxMessage.objects.create(
        idempotency_key="account:password_reset_key:alt",
        kind="account:password_reset_key",
        recipient="ada@example.org",
        subject="Passwort zurücksetzen",
        body_text=f"Klicken Sie: {link}\nDanke",
        status=OutboxMessage.Status.SENT,
    )
    waiting = OutboxMessage.objects.create(
        idempotency_key="account:email_confirmation:alt",
        kind="account:email_confirmation",
        recipient="ada@example.org",
        subject="Bestätigen",
        body_text="Bitte: http://testserver/konto/confirm-email/MQ:1tAbc:xyz-123/",
    )
    decision = OutboxMessage.objects.create(
        idempotency_key=f"decision:accepted:{world.application_a.pk}:9",
        kind="decision-accepted",
        recipient="ada@example.org",
        subject="Zusage",
        body_text="x",
    )
    migration.seal_stored_secrets(apps, None)
    migration.relate_decisions_and_certificates(apps, None)
    old.refresh_from_db()
    waiting.refresh_from_db()
    decision.refresh_from_db()
    assert old.body_text == f"Klicken Sie: {LINK_PLACEHOLDER}\nDanke" and old.sealed_content == ""
    assert "xyz-123" not in waiting.body_text
    assert "MQ:1tAbc:xyz-123" in mail_secrets.unseal(waiting.sealed_content)["body_text"]
    assert (decision.related_model, decision.related_id) == (
        "applications.application",
        world.application_a.pk,
    )
    assert decision in visible_mails(world.staff["reviewer"])


# --- error reports --------------------------------------------------------------------------------
