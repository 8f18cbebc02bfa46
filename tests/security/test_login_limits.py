"""Sign-in and reset limits: a whole office behind one NAT address signs in at a deadline, while
guessing stays stopped per account from whatever addresses; reset mails to one address are capped
per minute and per day."""

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
TOWN_HALL = "198.51.100.20"
PASSWORD = "ein-sicheres-Passwort-1"
START = dt.datetime(2026, 11, 25, 9, 0, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def behind_the_proxy(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.PORTAL_STAFF_MFA_REQUIRED = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def sign_in(email: str, password: str, address: str):
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address)
    response = client.post(reverse("account_login"), {"login": email, "password": password})
    return client, response


def test_two_hundred_colleagues_behind_one_office_address_all_sign_in_within_ten_minutes(time_machine):
    time_machine.move_to(START, tick=False)
    people = [UserFactory(email=f"amt{n}@example.org") for n in range(200)]
    statuses = []
    for n, person in enumerate(people):
        # Half of them in the first minute (the deadline), the rest over the next nine.
        offset = n * 0.6 if n < 100 else 60 + (n - 100) * 5.4
        time_machine.move_to(START + dt.timedelta(seconds=offset), tick=False)
        if n % 10 == 0:  # and some typing errors on the way
            assert sign_in(person.email, "vertippt", TOWN_HALL)[1].status_code == 200
        client, response = sign_in(person.email, PASSWORD, TOWN_HALL)
        statuses.append(response.status_code)
        assert "_auth_user_id" in client.session, n
    assert statuses == [302] * 200


def test_guessing_one_accounts_password_from_rotating_addresses_is_stopped(time_machine):
    time_machine.move_to(START, tick=False)
    UserFactory(email="ziel@example.org")
    for n in range(10):  # ten wrong passwords, each from a fresh address (django-axes never locks)
        client, response = sign_in("ziel@example.org", f"falsch-{n}", f"203.0.113.{n + 1}")
        assert response.status_code == 200
    # From the eleventh address even the right password is refused for now: no more guesses.
    client, response = sign_in("ziel@example.org", PASSWORD, "203.0.113.99")
    assert "_auth_user_id" not in client.session
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in response.content.decode()
    # The other accounts of the portal are not affected, nor is this one after the half hour.
    UserFactory(email="kollegin@example.org")
    assert "_auth_user_id" in sign_in("kollegin@example.org", PASSWORD, "203.0.113.99")[0].session
    time_machine.move_to(START + dt.timedelta(minutes=31), tick=False)
    assert "_auth_user_id" in sign_in("ziel@example.org", PASSWORD, "198.51.100.5")[0].session


def request_reset(email: str, address: str):
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address)
    return client.post(reverse("account_reset_password"), {"email": email})


def test_reset_mails_to_one_address_are_capped_per_minute(django_capture_on_commit_callbacks, time_machine):
    time_machine.move_to(START, tick=False)
    UserFactory(email="erika@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [request_reset("erika@example.org", f"203.0.113.{n}").status_code for n in range(1, 7)]
    assert statuses == [302] * 5 + [429]
    assert len(mail.outbox) == 5


def test_reset_mails_to_one_address_are_capped_per_day(django_capture_on_commit_callbacks, time_machine):
    UserFactory(email="erika@example.org")
    statuses = []
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(30):  # one request every ten minutes, each from another address
            time_machine.move_to(START + dt.timedelta(minutes=10 * n), tick=False)
            statuses.append(request_reset("erika@example.org", f"203.0.113.{n + 1}").status_code)
    assert statuses == [302] * 20 + [429] * 10
    assert len(mail.outbox) == 20
    # The next day the owner can ask again; another address could all along.
    with django_capture_on_commit_callbacks(execute=True):
        time_machine.move_to(START + dt.timedelta(days=1, minutes=1), tick=False)
        assert request_reset("erika@example.org", "198.51.100.5").status_code == 302
        assert request_reset("someone.else@example.org", "203.0.113.1").status_code == 302
    assert len(mail.outbox) == 22
