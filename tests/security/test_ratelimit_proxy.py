"""Rate limits behind the documented reverse proxy.

Every request reaches the portal from the proxy's address (REMOTE_ADDR 10.0.0.2); the proxy
appends the address it saw to X-Forwarded-For. Limits must throttle one client, never the
whole portal, and a client must not escape them by writing its own X-Forwarded-For entries.
"""

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from applications.models import Application
from tests.applications.conftest import form_data, pdf_upload
from tests.factories import CohortFactory, UserFactory, berlin

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
TOWN_HALL = "198.51.100.20"  # many municipal employees behind one office address
DURING = berlin(2022, 9, 15, 10)


@pytest.fixture(autouse=True)
def behind_one_proxy(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.PORTAL_STAFF_MFA_REQUIRED = False


def through_proxy(client_address: str, *, spoofed: str = "", user=None, language: str = "") -> Client:
    forwarded = f"{spoofed}, {client_address}" if spoofed else client_address
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    if language:
        client.cookies["portal_language"] = language
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def cohort(db):
    return CohortFactory(
        number=3, applications_open_at=berlin(2022, 8, 1, 9), applications_close_on=dt.date(2022, 10, 4)
    )


def upload_endorsement(client) -> int:
    return client.post(
        reverse("applications:start"), {**form_data(), "endorsement_upload": pdf_upload()}
    ).status_code


# --- signed-in actions count per account ---------------------------------------------------------


@time_machine.travel(DURING, tick=False)
def test_forty_applicants_behind_one_proxy_and_one_office_address_all_upload(cohort):
    applicants = [UserFactory() for _ in range(40)]
    statuses = [upload_endorsement(through_proxy(TOWN_HALL, user=user)) for user in applicants]
    assert statuses == [302] * 40
    uploaded = Application.objects.exclude(endorsement="")
    assert sorted(uploaded.values_list("applicant_id", flat=True)) == sorted(u.pk for u in applicants)


@time_machine.travel(DURING, tick=False)
def test_one_account_uploading_without_end_is_stopped_and_nobody_else(cohort):
    abuser = UserFactory()
    client = through_proxy(TOWN_HALL, user=abuser)
    assert upload_endorsement(client) == 302
    application = Application.objects.get(applicant=abuser)
    edit = reverse("applications:edit", args=[application.pk])
    statuses = [
        client.post(edit, {**form_data(), "endorsement_upload": pdf_upload()}).status_code for _ in range(29)
    ]
    assert statuses == [302] * 29
    # From another address, through a second proxy hop or a new office: still the same account.
    elsewhere = through_proxy("203.0.113.99", spoofed="192.0.2.1", user=abuser)
    response = elsewhere.post(
        edit, {**form_data(department="Neu getippt"), "endorsement_upload": pdf_upload()}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "sehr viele Dateien hochgeladen" in html
    assert 'value="Neu getippt"' in html  # nothing typed is lost
    # A colleague at the same office uploads as usual.
    assert upload_endorsement(through_proxy(TOWN_HALL, user=UserFactory())) == 302


# --- anonymous actions count per client address, as django-axes sees it -----------------------------


def verify(client) -> int:
    return client.get(reverse("certificates:verify"), {"nummer": "SCM-2022-3-9999", "code": "X"})


def test_one_abusive_client_is_limited_while_the_others_behind_the_proxy_are_not():
    abuser = through_proxy("203.0.113.66")
    assert [verify(abuser).status_code for _ in range(20)] == [200] * 20
    response = verify(abuser)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 600
    # Writing its own X-Forwarded-For entries in front does not make it someone else.
    for fake in ("192.0.2.1", "192.0.2.2", "203.0.113.77"):
        assert verify(through_proxy("203.0.113.66", spoofed=fake)).status_code == 429
    # Everybody else behind the same proxy goes on checking certificates.
    assert [verify(through_proxy(f"203.0.113.{n}")).status_code for n in range(100, 140)] == [200] * 40


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    statuses = [
        verify(Client(REMOTE_ADDR="203.0.113.66", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")).status_code
        for n in range(21)
    ]
    assert statuses == [200] * 20 + [429]


def test_failed_logins_are_counted_for_the_client_behind_the_proxy():
    UserFactory(email="ziel@example.org")
    attacker = through_proxy("203.0.113.66", spoofed="192.0.2.1")
    for _ in range(5):
        attacker.post(reverse("account_login"), {"login": "ziel@example.org", "password": "falsch"})
    attempt = AccessAttempt.objects.get(username="ziel@example.org")
    assert attempt.ip_address == "203.0.113.66"
    locked = attacker.post(
        reverse("account_login"), {"login": "ziel@example.org", "password": "ein-sicheres-Passwort-1"}
    )
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) == 30 * 60
    html = locked.content.decode()
    assert "Anmeldung vorübergehend gesperrt" in html and "für 30 Minuten gesperrt" in html
    assert '<main id="inhalt"' in html  # the portal's layout
    # The owner of the account, behind the same proxy, still signs in.
    owner = through_proxy("198.51.100.5")
    response = owner.post(
        reverse("account_login"), {"login": "ziel@example.org", "password": "ein-sicheres-Passwort-1"}
    )
    assert response.status_code == 302


def test_the_lockout_page_speaks_english_and_follows_the_configured_cool_off(settings):
    from datetime import timedelta

    settings.AXES_COOLOFF_TIME = timedelta(minutes=45)
    UserFactory(email="ziel@example.org")
    attacker = through_proxy("203.0.113.66", language="en")
    for _ in range(6):
        response = attacker.post(
            reverse("account_login"), {"login": "ziel@example.org", "password": "falsch"}
        )
    assert response.status_code == 429
    assert response["Retry-After"] == str(45 * 60)
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Sign-in temporarily blocked" in html and "45 minutes" in html


# --- the 429 page ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "heading", "retry"),
    [
        ("de", "Zu viele Anfragen", "Bitte versuchen Sie es in 1 Minute erneut."),
        ("en", "Too many requests", "Please try again in 1 minute."),
    ],
)
def test_allauths_limits_answer_with_the_portals_page_per_client(language, heading, retry):
    noisy = through_proxy("203.0.113.66", language=language)
    # An address may start 300 sign-ins in 10 minutes (settings.ACCOUNT_RATE_LIMITS["login"]).
    statuses = [noisy.post(reverse("account_login"), {}).status_code for _ in range(300)]
    assert 429 not in statuses
    response = noisy.post(reverse("account_login"), {})
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    html = response.content.decode()
    assert f'<html lang="{language}">' in html and '<main id="inhalt"' in html
    assert f'<h1 class="kern-heading">{heading}</h1>' in html and retry in html
    assert "Too Many Requests</h1>" not in html
    # Another visitor behind the same proxy signs in as usual.
    assert through_proxy("198.51.100.5").post(reverse("account_login"), {}).status_code == 200


def test_the_data_export_limit_answers_with_the_portals_page(settings):
    client = through_proxy("203.0.113.66", user=UserFactory())
    assert [client.get(reverse("my_data_export")).status_code for _ in range(10)] == [200] * 10
    response = client.get(reverse("my_data_export"))
    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")
    assert 3500 < int(response["Retry-After"]) <= 3600
    html = response.content.decode()
    assert "Sie haben Ihre Daten in der letzten Stunde schon mehrmals heruntergeladen." in html
    assert "Bitte versuchen Sie es in 60 Minuten erneut." in html
    assert '<main id="inhalt"' in html
