"""Help and contact: who to ask and how, the FAQ, and a new confirmation mail through allauth."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_help_names_both_contacts_with_mail_and_phone(client, settings):
    settings.PORTAL_OPERATOR = {
        **settings.PORTAL_OPERATOR,
        "email": "referat22@mil.example",
        "phone": "+49 331 866-0",
        "course_email": "kurs@digitalagentur.example",
        "course_phone": "+49 331 123",
    }
    page = client.get(reverse("help")).content.decode()
    assert "Referat 22 – Stadtentwicklung" in page
    assert 'href="mailto:referat22@mil.example"' in page and "+49 331 866-0" in page
    assert "Programmkoordination" in page
    assert 'href="mailto:kurs@digitalagentur.example"' in page and "+49 331 123" in page
    assert "Häufige Fragen zur Bewerbung" in page and "Häufige Fragen zum Kurs" in page
    assert "Kann ich meine Bewerbung zurückziehen und mich neu bewerben?" in page
    assert f'href="{reverse("help")}"' in client.get(reverse("home")).content.decode()


def test_resend_form_on_the_help_page_sends_a_new_confirmation_through_allauth(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory(email="neu@example.org", verified=False)
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    page = client.get(reverse("help")).content.decode()
    assert "Bestätigungsmail erneut senden" in page
    assert f'action="{reverse("resend_confirmation")}"' in page  # see test_resend_confirmation.py
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_login"), {"login": "neu@example.org", "password": "ein-sicheres-Passwort-1"}
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    (message,) = mail.outbox
    assert message.to == ["neu@example.org"]
    assert "/konto/confirm-email/" in message.body or "confirm-email" in message.body


def test_the_verification_sent_page_says_who_to_contact_and_how(client, settings):
    settings.PORTAL_OPERATOR = {**settings.PORTAL_OPERATOR, "email": "referat22@mil.example"}
    page = client.get(reverse("account_email_verification_sent")).content.decode()
    assert "Please contact us" not in page and "Wenden Sie sich an uns" not in page
    assert 'href="mailto:referat22@mil.example"' in page
    assert f'href="{reverse("help")}#resend-title"' in page
