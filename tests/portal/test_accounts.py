import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.urls import reverse

from portal.accounts.models import User
from portal.mail.models import OutboxMessage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Stadtentwicklung-2026!"


def sign_up(client, capture, email="neu@example.org"):
    with capture(execute=True):
        return client.post(
            reverse("account_signup"),
            {
                "first_name": "Jörg",
                "last_name": "Müller-Lüdenscheidt",
                "email": email,
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )


def confirmation_link(message_body: str) -> str:
    return re.search(r"https?://[^/\s]+(/konto/confirm-email/[^\s]+/)", message_body).group(1)


def test_sign_up_sends_a_german_confirmation_mail_through_the_outbox(
    client, django_capture_on_commit_callbacks
):
    response = sign_up(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    user = User.objects.get(email="neu@example.org")
    assert (user.first_name, user.last_name, user.language) == ("Jörg", "Müller-Lüdenscheidt", "de")
    outbox = OutboxMessage.objects.get(recipient="neu@example.org")
    assert outbox.kind == "account:email_confirmation_signup"
    assert outbox.status == OutboxMessage.Status.SENT
    assert len(mail.outbox) == 1
    assert "E-Mail" in mail.outbox[0].subject
    # The outbox keeps the mail as delivered, but with the link replaced by a placeholder.
    link = confirmation_link(mail.outbox[0].body)
    assert (
        mail.outbox[0].body.replace(
            f"{settings.PORTAL_BASE_URL}{link}", "[Link nur in der zugestellten E-Mail]"
        )
        == outbox.body_text
    )
    assert outbox.contains_secret and outbox.sealed_content == ""
    # Signed with the portal's name, formally addressed.
    assert "Smart City Manager:in" in mail.outbox[0].body
    assert " du " not in mail.outbox[0].body.lower() and "Sie" in mail.outbox[0].body


def test_login_is_refused_until_the_address_is_confirmed(client, django_capture_on_commit_callbacks):
    sign_up(client, django_capture_on_commit_callbacks)
    client.logout()
    response = client.post(reverse("account_login"), {"login": "neu@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session

    link = confirmation_link(mail.outbox[0].body)
    page = client.get(link)
    assert "Bestätigen" in page.content.decode()
    client.post(link)
    assert EmailAddress.objects.get(email="neu@example.org").verified

    response = client.post(reverse("account_login"), {"login": "neu@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == User.objects.get(email="neu@example.org").pk


def test_wrong_password_gives_a_clear_german_message(client):
    UserFactory(email="erika@example.org")
    response = client.post(reverse("account_login"), {"login": "erika@example.org", "password": "falsch"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Die E-Mail-Adresse und/oder das Passwort sind leider falsch." in html
    assert 'value="erika@example.org"' in html


def test_password_reset_does_not_reveal_whether_an_account_exists(client, django_capture_on_commit_callbacks):
    UserFactory(email="erika@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("account_reset_password"), {"email": "erika@example.org"})
        unknown = client.post(reverse("account_reset_password"), {"email": "niemand@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == ["erika@example.org", "niemand@example.org"]
    unknown_mail = next(m for m in mail.outbox if m.to[0] == "niemand@example.org")
    assert "/konto/password/reset/key/" not in unknown_mail.body


def test_reset_link_cannot_be_used_twice(client, django_capture_on_commit_callbacks):
    UserFactory(email="erika@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": "erika@example.org"})
    link = re.search(r"https?://[^/\s]+(/konto/password/reset/key/[^\s]+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link)["Location"]
    new = "Neues-Passwort-2026!"
    response = client.post(form_url, {"password1": new, "password2": new})
    assert response.status_code == 302
    again = client.get(link, follow=True).content.decode()
    assert "ungültig" in again


def test_language_switch_is_remembered_in_the_profile(client):
    user = UserFactory()
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    user.refresh_from_db()
    assert user.language == "en"
    assert client.get(reverse("home"))["Content-Language"] == "en"


def test_language_switch_refuses_foreign_redirects(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"
