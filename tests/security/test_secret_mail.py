"""One-time links and codes in mails are read by their recipient alone.

A reviewer who asks for a password reset of an applicant, anonymously, and then looks into the
outbox must find nothing that opens the account: not on any admin page, not in an application's
mail list, not in the data export, the database, the audit log or the logs; while the applicant's
delivered mail still holds a link that works. Staff see only the mails of their role's objects,
and guessing a message's id gives 404.
"""

import datetime as dt
import io
import json
import logging
import os
import re
import zipfile
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applications.models import Application
from modules.models import Module, Session
from portal.accounts.models import User
from portal.mail import queue_mail, send_batch, visible_mails
from portal.mail import secrets as mail_secrets
from portal.mail.models import OutboxMessage
from tests.factories import CohortFactory, UserFactory, berlin
from tests.privacy.conftest import db_rows_containing

pytestmark = pytest.mark.django_db

RESET_LINK = re.compile(r"https?://[^/\s]+(/konto/password/reset/key/([^\s/]+)/)")
CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/konto/confirm-email/([^\s/]+)/)")
LINK_PLACEHOLDER = "[Link nur in der zugestellten E-Mail]"
NEW_PASSWORD = "Neues-Passwort-2026!"


@dataclass
class World:
    cohort_a: object
    cohort_b: object
    ada: User
    application_a: Application
    application_b: Application
    draft: Application
    staff: dict[str, User]
    reset: OutboxMessage = None
    reset_link: str = ""
    reset_key: str = ""
    confirmation: OutboxMessage = None
    confirm_key: str = ""
    about: dict[str, OutboxMessage] = field(default_factory=dict)

    def secrets(self) -> list[str]:
        return [self.reset_key, self.confirm_key]


def application(cohort, applicant, sequence, status=Application.Status.SUBMITTED) -> Application:
    draft = status == Application.Status.DRAFT
    return Application.objects.create(
        cohort=cohort,
        applicant=applicant,
        status=status,
        sequence=None if draft else sequence,
        reference="" if draft else f"SCM-{cohort.number}-{sequence:04d}",
        submitted_at=None if draft else berlin(2022, 9, 1, 10),
    )


def cohort(number: int):
    return CohortFactory(
        number=number,
        applications_open_at=berlin(2022, 8, 1, 9),
        applications_close_on=dt.date(2022, 10, 4),
        start_date=dt.date(2022, 10, 24),
        end_date=dt.date(2022, 12, 16),
    )


def staff_member(email: str, group: str | None = None, **fields) -> User:
    user = UserFactory(email=email, is_staff=True, **fields)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def note(subject: str, related) -> OutboxMessage:
    return queue_mail(
        recipient="ada@example.org",
        subject=subject,
        body_text=f"Text: {subject}",
        kind="test",
        related=related,
    )


@pytest.fixture
def world(db, settings, django_capture_on_commit_callbacks) -> World:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cohort_a, cohort_b = cohort(3), cohort(4)
    ada = UserFactory(email="ada@example.org", first_name="Ada", last_name="Lovelace")
    world = World(
        cohort_a=cohort_a,
        cohort_b=cohort_b,
        ada=ada,
        application_a=application(cohort_a, ada, 1),
        application_b=application(cohort_b, UserFactory(email="bea@example.org"), 1),
        draft=application(cohort_a, UserFactory(email="carl@example.org"), None, Application.Status.DRAFT),
        staff={
            "superuser": staff_member("root@example.org", is_superuser=True),
            "reviewer": staff_member("gutachterin@example.org", "reviewers"),
            "coordinator": staff_member("koordination@example.org", "coordinators"),
            "evaluator": staff_member("evaluation@example.org", "evaluators"),
        },
    )
    cohort_a.coordinators.add(world.staff["coordinator"])
    module = Module.objects.create(programme=cohort_a.programme, position=1, title="Modul 1")
    sessions = [
        Session.objects.create(
            cohort=c, module=module, starts_at=berlin(2022, 11, 1, 13), ends_at=berlin(2022, 11, 1, 15)
        )
        for c in (cohort_a, cohort_b)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        # Anyone may ask for a reset of any address, without an account.
        Client().post(reverse("account_reset_password"), {"email": "ada@example.org"})
        Client().post(
            reverse("account_signup"),
            {
                "first_name": "Neu",
                "last_name": "Person",
                "email": "neu@example.org",
                "password1": NEW_PASSWORD,
                "password2": NEW_PASSWORD,
            },
        )
        world.about = {
            "application_a": note("Entscheidung A", world.application_a),
            "application_b": note("Entscheidung B", world.application_b),
            "draft": note("Erinnerung Entwurf", world.draft),
            "session_a": note("Sitzung A", sessions[0]),
            "session_b": note("Sitzung B", sessions[1]),
        }
    delivered = "\n".join(message.body for message in mail.outbox)
    match = RESET_LINK.search(delivered)
    world.reset_link, world.reset_key = match.group(1), match.group(2)
    world.confirm_key = CONFIRM_LINK.search(delivered).group(2)
    world.reset = OutboxMessage.objects.get(kind="account:password_reset_key")
    world.confirmation = OutboxMessage.objects.get(kind="account:email_confirmation_signup")
    return world


def logged_in(user: User) -> Client:
    """Staff signed in (``UserFactory`` gives them their second factor)."""
    client = Client()
    client.force_login(user)
    return client


def assert_no_secret(world: World, text: str) -> None:
    for secret in world.secrets():
        assert secret not in text
    assert "/password/reset/key/" not in text
    assert "/confirm-email/" not in text


def follow_reset_link(link: str) -> None:
    """The recipient follows the delivered link, sets a new password and signs in with it."""
    client = Client()
    form_url = client.get(link)["Location"]
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    client = Client()
    client.post(reverse("account_login"), {"login": "ada@example.org", "password": NEW_PASSWORD})
    assert int(client.session["_auth_user_id"]) == User.objects.get(email="ada@example.org").pk


# --- what is stored and delivered -----------------------------------------------------------


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

KNOWN_KEY = "c9ab-0123456789abcdefgeheim"


@pytest.fixture
def error_mails(settings, monkeypatch):
    """Error reports mailed to the administrators, with the HTML part that shows local variables."""
    from django.utils.log import AdminEmailHandler

    settings.ADMINS = [("Betrieb", "betrieb@example.org")]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    (handler,) = [h for h in logging.getLogger("django").handlers if isinstance(h, AdminEmailHandler)]
    monkeypatch.setattr(handler, "include_html", True)
    mail.outbox.clear()

    def reports() -> list[str]:
        return [
            "\n".join([m.subject, m.body, *(content for content, _type in getattr(m, "alternatives", []))])
            for m in mail.outbox
            if m.to == ["betrieb@example.org"]
        ]

    return reports


def test_a_reset_that_fails_half_way_reports_the_error_without_the_key(world, monkeypatch, error_mails):
    from django.contrib.auth.tokens import PasswordResetTokenGenerator

    monkeypatch.setattr(PasswordResetTokenGenerator, "make_token", lambda self, user: KNOWN_KEY)

    def broken(*args, **kwargs):
        raise RuntimeError("Datenbank weg")

    monkeypatch.setattr(OutboxMessage.objects, "get_or_create", broken)
    response = Client(raise_request_exception=False).post(
        reverse("account_reset_password"), {"email": "ada@example.org"}
    )
    assert response.status_code == 500
    (report,) = error_mails()
    assert "RuntimeError" in report and "Datenbank weg" in report
    assert "request_password_reset" in report  # allauth's frame is in the report, its variables are not
    assert KNOWN_KEY not in report


def test_an_error_on_the_page_a_reset_link_opens_reports_the_address_without_the_key(
    world, monkeypatch, error_mails, caplog
):
    from allauth.account import views

    def broken(self, request, *args, **kwargs):
        raise RuntimeError("Seite kaputt")

    monkeypatch.setattr(views.PasswordResetFromKeyView, "dispatch", broken)
    path = f"/konto/password/reset/key/{KNOWN_KEY}/"
    response = Client(raise_request_exception=False).get(path)
    assert response.status_code == 500
    (report,) = error_mails()
    assert "RuntimeError" in report and "/konto/password/reset/key/" in report
    assert KNOWN_KEY not in report
    assert "/konto/password/reset/key/" in caplog.text and KNOWN_KEY not in caplog.text


# --- PostgreSQL and a real worker process against an SMTP server ----------------------------------


class Inbox:
    """An SMTP server that keeps every delivered message."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        import email

        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


@pytest.mark.celery_worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_a_working_link_after_a_retry_while_the_stored_copy_has_none(tmp_path):
    from aiosmtpd.controller import Controller
    from django.conf import settings

    from config.celery import app
    from portal.mail.sending import _message_id
    from portal.mail.tasks import flush_outbox
    from tests.reminders.test_worker import free_port, start, stop, wait_for

    UserFactory(email="ada@example.org", first_name="Ada", last_name="Lovelace")
    superuser = staff_member("root@example.org", is_superuser=True)
    port = free_port()
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}".format(
            **{key: database.get(key) or "" for key in ("USER", "PASSWORD", "HOST", "PORT", "NAME")}
        ),
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",  # nobody listens yet: the first attempt fails
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    app.conf.task_always_eager = False
    log = tmp_path / "celery.log"
    worker = start("worker", env, log)
    controller = None
    try:
        response = Client().post(reverse("account_reset_password"), {"email": "ada@example.org"})
        assert response.status_code == 302
        message = OutboxMessage.objects.get(kind="account:password_reset_key")
        wait_for(
            lambda: OutboxMessage.objects.filter(pk=message.pk, attempts=1).exists(),
            60,
            "the first, failed attempt",
        )
        message.refresh_from_db()
        assert message.status == OutboxMessage.Status.QUEUED and message.sealed_content
        inbox = Inbox()
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
        flush_outbox.delay()
        wait_for(
            lambda: OutboxMessage.objects.filter(pk=message.pk, status="sent").exists(),
            60,
            "the retry: " + log.read_text()[-2000:],
        )
    finally:
        stop(worker)
        if controller is not None:
            controller.stop()
        app.conf.task_always_eager = True
    (delivered,) = inbox.messages
    message.refresh_from_db()
    assert delivered["Message-ID"] == _message_id(message)
    body = delivered.get_payload(decode=True).decode(delivered.get_content_charset() or "utf-8")
    link = RESET_LINK.search(body)
    assert link, body
    key = link.group(2)
    assert message.sealed_content == "" and message.attempts == 2
    assert LINK_PLACEHOLDER in message.body_text
    assert db_rows_containing(key) == []
    page = logged_in(superuser).get(reverse("admin:portal_outboxmessage_change", args=[message.pk]))
    assert page.status_code == 200 and LINK_PLACEHOLDER in page.content.decode()
    assert key not in page.content.decode()
    follow_reset_link(link.group(1))


def test_the_placeholder_speaks_the_language_the_mail_is_written_in(
    world, settings, django_capture_on_commit_callbacks
):
    UserFactory(email="grace@example.org", language="en")
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": "grace@example.org"})
    message = OutboxMessage.objects.get(kind="account:password_reset_key", recipient="grace@example.org")
    assert message.language == "en"
    assert "[Link only in the delivered e-mail]" in message.body_text
    assert RESET_LINK.search(mail.outbox[-1].body)


# Session, user, second factor, permissions, the scoped count and the page; with a shared cache
# (Redis) one of them is answered from the cache.
MOST_QUERIES = 6


@pytest.mark.parametrize("role", ["reviewer", "coordinator"])
def test_the_outbox_list_needs_the_same_queries_for_few_and_many_mails(world, role):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = logged_in(world.staff[role])
    url = reverse("admin:portal_outboxmessage_changelist")
    client.get(url)  # the session and the second factor settle on the first request
    about = world.application_a if role == "reviewer" else Session.objects.get(cohort=world.cohort_a)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for index in range(30):
        note(f"Mehr {index}", about)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["cl"].result_list) >= 31
    assert len(many) == len(few) <= MOST_QUERIES


# --- other secrets the admin could show -------------------------------------------------------------


def test_the_admin_shows_which_second_factor_exists_but_never_its_secret(world):
    from allauth.mfa.models import Authenticator

    from tests.factories import STAFF_TOTP_SECRET

    client = logged_in(world.staff["superuser"])
    totp = Authenticator.objects.get(user=world.staff["reviewer"], type=Authenticator.Type.TOTP)
    listing = client.get(reverse("admin:mfa_authenticator_changelist"))
    page = client.get(reverse("admin:mfa_authenticator_change", args=[totp.pk]))
    assert listing.status_code == page.status_code == 200
    assert str(world.staff["reviewer"]) in listing.content.decode()
    for response in (listing, page):
        html = response.content.decode()
        assert STAFF_TOTP_SECRET not in html and "secret" not in html
    # Resetting a lost factor stays possible.
    assert client.get(reverse("admin:mfa_authenticator_delete", args=[totp.pk])).status_code == 200


def test_confirmation_keys_are_signed_not_stored_so_no_admin_lists_them(world, settings):
    from allauth.account.models import EmailConfirmation
    from django.contrib import admin

    assert getattr(settings, "ACCOUNT_EMAIL_CONFIRMATION_HMAC", True) is True
    assert EmailConfirmation not in admin.site._registry
    assert not EmailConfirmation.objects.exists()
