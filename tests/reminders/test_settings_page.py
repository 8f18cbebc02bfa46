"""The e-mail settings page, linked from the header and from every reminder."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_settings_page_needs_a_login(client):
    response = client.get(reverse("profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_person_turns_reminders_off_and_on_again(client):
    user = UserFactory(email="erika@example.org")
    client.force_login(user)
    page = client.get(reverse("profile"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "E-Mail-Einstellungen" in html
    assert f'href="{reverse("profile")}"' in html  # in the header
    assert 'for="id_reminders_opt_out"' in html
    assert "Entscheidungen, Bestätigungen und Zertifikate erhalten Sie immer." in html

    name = {"first_name": user.first_name, "last_name": user.last_name}  # the profile holds the name too
    response = client.post(
        reverse("profile"), {**name, "language": "de", "reminders_opt_out": "on"}, follow=True
    )
    assert "Ihre Einstellungen wurden gespeichert." in response.content.decode()
    user.refresh_from_db()
    assert user.reminders_opt_out is True

    client.post(reverse("profile"), {**name, "language": "en"})
    user.refresh_from_db()
    assert (user.reminders_opt_out, user.language) == (False, "en")


def test_an_unknown_language_is_refused_and_nothing_is_saved(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("profile"), {"language": "xx", "reminders_opt_out": "on"})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    user.refresh_from_db()
    assert (user.language, user.reminders_opt_out) == ("de", False)
