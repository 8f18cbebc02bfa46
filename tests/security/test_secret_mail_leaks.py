"""One-time links and codes stay out of error reports, the worker's stored copy, the admin and the
database; the placeholder speaks the mail's language; the outbox list costs the same for few and
many mails. (The world these tests share is in conftest.py.)"""

import logging
import os

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from modules.models import Session
from portal.mail.models import OutboxMessage
from tests.factories import UserFactory
from tests.privacy.conftest import db_rows_containing

from .conftest import (
    LINK_PLACEHOLDER,
    RESET_LINK,
    follow_reset_link,
    logged_in,
    note,
    staff_member,
)

pytestmark = pytest.mark.django_db

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
