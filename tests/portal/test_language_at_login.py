"""The language chosen before login is kept: stored when the account has none of its own; an
account's own choice wins otherwise, and then the whole page, its messages included, speaks it."""

import pytest
from django.conf import settings
from django.urls import reverse

from portal.accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Stadtentwicklung-2026!"


def log_in(client, email):
    """The login's answer and the page it leads to."""
    response = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    return response, client.get(response["Location"])


def test_english_chosen_before_login_is_kept_and_stored_when_none_was_chosen(client):
    user = UserFactory(email="neu@example.org", password=PASSWORD)
    assert not user.language_chosen and user.language == "de"
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = log_in(client, "neu@example.org")[1].content.decode()
    assert '<html lang="en">' in page and "Successfully signed in" in page
    user.refresh_from_db()
    assert (user.language, user.language_chosen) == ("en", True)
    client.post(reverse("account_logout"))
    assert '<html lang="en">' in client.get("/").content.decode()


def test_a_stored_choice_wins_and_the_login_message_speaks_it_too(client):
    user = UserFactory(email="da@example.org", password=PASSWORD, language="de", language_chosen=True)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response, page = log_in(client, "da@example.org")
    page = page.content.decode()
    assert '<html lang="de">' in page and "Erfolgreich" in page and "Successfully" not in page
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"  # after logging out too
    user.refresh_from_db()
    assert (user.language, user.language_chosen) == ("de", True)


def test_without_a_choice_before_login_nothing_is_stored(client):
    user = UserFactory(email="leer@example.org", password=PASSWORD, language="en")
    page = log_in(client, "leer@example.org")[1].content.decode()
    assert '<html lang="en">' in page
    user.refresh_from_db()
    assert not user.language_chosen


def test_sign_up_the_switch_and_the_profile_count_as_a_choice(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    client.post(
        reverse("account_signup"),
        {
            "first_name": "Ann",
            "last_name": "Lee",
            "email": "ann@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert User.objects.filter(email="ann@example.org", language="en", language_chosen=True).exists()

    other = UserFactory(password=PASSWORD)
    client.force_login(other)
    client.post(reverse("set_language"), {"language": "de", "next": "/"})
    other.refresh_from_db()
    assert other.language_chosen

    third = UserFactory(password=PASSWORD)
    client.force_login(third)
    client.post(
        reverse("profile"),
        {"first_name": "Tia", "last_name": "Dahl", "language": "de", "reminders_opt_out": ""},
    )
    third.refresh_from_db()
    assert third.language_chosen
