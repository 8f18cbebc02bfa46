"""'Bestätigungsmail erneut senden' asks only for the address, and says the same whether or not an
unconfirmed account has it."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ANSWER = "Gehört zu dieser Adresse ein Konto, das noch nicht bestätigt ist"


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def unconfirmed(db):
    user = UserFactory(email="neu@example.org", verified=False)
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    return user


def resend(client, email):
    return client.post(reverse("resend_confirmation"), {"email": email}, follow=True)


def test_the_help_page_asks_for_the_address_only(client):
    html = client.get(reverse("help")).content.decode()
    form = html[html.index(f'action="{reverse("resend_confirmation")}"') :]
    form = form[: form.index("</form>")]
    assert 'name="email"' in form and 'type="password"' not in form


def test_an_unconfirmed_address_gets_a_new_link(client, unconfirmed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = resend(client, "NEU@example.org")
    assert ANSWER in response.content.decode()
    assert [m.to for m in mail.outbox] == [["neu@example.org"]]
    assert "/konto/confirm-email/" in mail.outbox[0].body


def test_unknown_and_confirmed_addresses_get_the_same_answer_and_no_mail(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="da@example.org")  # confirmed
    with django_capture_on_commit_callbacks(execute=True):
        unknown = resend(client, "niemand@example.org").content.decode()
        confirmed = resend(client, "da@example.org").content.decode()
    assert ANSWER in unknown and ANSWER in confirmed
    assert mail.outbox == []


def test_one_mail_per_address_for_a_while_and_few_requests_per_client(
    client, unconfirmed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            resend(client, "neu@example.org")
        refused = resend(client, "neu@example.org").content.decode()
    assert len(mail.outbox) == 1
    assert "viele Anfragen" in refused


def test_an_invalid_address_is_named(client):
    assert "Bitte geben Sie Ihre E-Mail-Adresse an" in resend(client, "kein-at").content.decode()


def test_only_post_is_accepted(client):
    assert client.get(reverse("resend_confirmation")).status_code == 405
