"""Every absolute link the portal sends is built from PORTAL_BASE_URL, whatever the Host header
of the request says, also when that host is one of ALLOWED_HOSTS; in development the default
follows the port the portal serves."""

import datetime as dt
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import environ
import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from config.addresses import development_base_url
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BASE = "https://smartcity.example.org"
PASSWORD = "Stadtentwicklung-2026!"
LINK = re.compile(r"https?://[^\s/\"'<>]+")


@pytest.fixture(autouse=True)
def configured_address(settings):
    settings.PORTAL_BASE_URL = BASE
    settings.ALLOWED_HOSTS = ["smartcity.example.org", "localhost", "127.0.0.1", "testserver"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def foreign() -> Client:
    """A client that sends its requests with another allowed host name."""
    return Client(HTTP_HOST="localhost")


def origins_in_mails() -> set[str]:
    return {match for message in mail.outbox for match in LINK.findall(message.body)}


def test_a_reset_requested_with_a_foreign_host_links_to_the_configured_address(
    django_capture_on_commit_callbacks,
):
    UserFactory(email="erika@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        foreign().post(reverse("account_reset_password"), {"email": "erika@example.org"})
    body = mail.outbox[0].body
    assert f"{BASE}/konto/password/reset/key/" in body
    assert "localhost" not in body
    assert origins_in_mails() == {BASE}


def test_a_reset_for_an_unknown_address_links_the_sign_up_at_the_configured_address(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        foreign().post(reverse("account_reset_password"), {"email": "niemand@example.org"})
    assert f"{BASE}{reverse('account_signup')}" in mail.outbox[0].body
    assert origins_in_mails() == {BASE}


def sign_up(client, email: str):
    return client.post(
        reverse("account_signup"),
        {
            "first_name": "Neu",
            "last_name": "Person",
            "email": email,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )


def test_sign_up_and_sign_up_with_a_taken_address_link_to_the_configured_address(
    django_capture_on_commit_callbacks,
):
    UserFactory(email="vergeben@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(foreign(), "neu@example.org")
        sign_up(foreign(), "vergeben@example.org")
    bodies = {message.to[0]: message.body for message in mail.outbox}
    assert f"{BASE}/konto/confirm-email/" in bodies["neu@example.org"]
    assert f"{BASE}{reverse('account_reset_password')}" in bodies["vergeben@example.org"]
    assert origins_in_mails() == {BASE}
    assert all("localhost" not in body for body in bodies.values())


def test_the_delivered_link_works(django_capture_on_commit_callbacks):
    """The link points at the configured address and, opened there, sets a new password."""
    UserFactory(email="erika@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        foreign().post(reverse("account_reset_password"), {"email": "erika@example.org"})
    link = re.search(rf"{BASE}(/konto/password/reset/key/\S+/)", mail.outbox[0].body).group(1)
    client = Client(HTTP_HOST="smartcity.example.org")
    form_url = client.get(link)["Location"]
    response = client.post(
        form_url, {"password1": "Neues-Passwort-2026!", "password2": "Neues-Passwort-2026!"}
    )
    assert response.status_code == 302


def test_certificate_links_credentials_and_calendar_use_the_configured_address():
    from certificates.models import Certificate
    from certificates.render import verification_url
    from certificates.templatetags.certificate_links import linkedin_add_url

    certificate = Certificate(
        number="SCM-2022-3-0001", verification_code="ABCD2345", programme_title="Smart City Manager:in",
        issued_on=dt.date(2022, 12, 16),
    )  # fmt: skip
    qr_target = verification_url(certificate)
    assert qr_target.startswith(f"{BASE}{reverse('certificates:verify')}?")
    cert_url = parse_qs(urlsplit(linkedin_add_url(certificate)).query)["certUrl"][0]
    assert cert_url == qr_target


def test_no_code_builds_a_link_from_the_request():
    """The class: links come from PORTAL_BASE_URL (portal.mail.absolute_url and the certificate's
    addresses), never from the request's host. Reading the host is allowed only to compare it."""
    allowed = {
        Path("portal/views.py"),  # the language switch checks its redirect against the host
        Path("portal/accounts/adapters.py"),  # recognises allauth's request-built links to rebase them
    }
    root = Path(settings.BASE_DIR)
    offenders = []
    for folder in ("portal", "cohorts", "applications", "modules", "certificates", "evaluation", "templates"):
        for path in (root / folder).rglob("*"):
            if path.suffix not in {".py", ".html", ".txt", ".ics"} or "migrations" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            if re.search(r"build_absolute_uri|get_host\(|request\.get_host|\bHTTP_HOST\b", text):
                if path.relative_to(root) not in allowed:
                    offenders.append(str(path.relative_to(root)))
    assert offenders == []


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["manage.py", "runserver", "127.0.0.1:8301"], "http://127.0.0.1:8301"),
        (["manage.py", "runserver", "0.0.0.0:8302"], "http://127.0.0.1:8302"),
        (["manage.py", "runserver", "--noreload", "8303"], "http://127.0.0.1:8303"),
        (["manage.py", "runserver"], "http://127.0.0.1:8000"),
        (["celery", "-A", "config", "worker"], "http://127.0.0.1:8000"),
    ],
)
def test_the_development_address_follows_the_port_runserver_serves(argv, expected, monkeypatch):
    monkeypatch.delenv("PORT", raising=False)
    assert development_base_url(environ.Env(), argv) == expected


def test_a_worker_started_beside_make_run_takes_the_port_from_the_environment(monkeypatch):
    monkeypatch.setenv("PORT", "8301")
    assert development_base_url(environ.Env(), ["celery", "worker"]) == "http://127.0.0.1:8301"
