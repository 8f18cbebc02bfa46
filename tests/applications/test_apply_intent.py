"""'Jetzt bewerben' while signed out: the login says why, and the cohort is carried through sign-up,
e-mail confirmation and login to that cohort's form, with no way to redirect elsewhere."""

import re
from urllib.parse import quote

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory, berlin

pytestmark = pytest.mark.django_db

DURING = berlin(2022, 9, 15, 10)
PASSWORD = "Stadtentwicklung-2026!"
FORM = "/bewerbung/neu/3/"


def confirmation_link(body: str) -> str:
    return re.search(r"https?://[^/\s]+(/konto/confirm-email/\S+)", body).group(1)


def sign_up(client, capture, *, next_url=FORM):
    with capture(execute=True):
        return client.post(
            reverse("account_signup"),
            {
                "first_name": "Jörg",
                "last_name": "Müller",
                "email": "neu@example.org",
                "password1": PASSWORD,
                "password2": PASSWORD,
                "next": next_url,
            },
        )


@time_machine.travel(DURING, tick=False)
def test_apply_signed_out_leads_to_the_login_that_says_why(client, cohort):
    response = client.get(reverse("applications:start"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={quote(FORM, safe='')}"
    page = client.get(response["Location"]).content.decode()
    assert "Ihre Bewerbung für den 3. Schulungsdurchgang" in page
    assert "Melden Sie sich an; danach öffnet sich Ihr Bewerbungsformular." in page
    assert f"{reverse('account_signup')}?next={quote(FORM, safe='')}" in page.replace("&amp;", "&")
    assert '<span class="kern-label">Anmelden</span>' in page


def test_without_an_open_cohort_the_login_says_nothing_of_an_application(client, cohort):
    response = client.get(reverse("applications:start"), follow=True)
    assert "Ihre Bewerbung für den" not in response.content.decode()


@time_machine.travel(DURING, tick=False)
def test_the_cohort_is_carried_through_sign_up_confirmation_and_login(
    client, cohort, django_capture_on_commit_callbacks
):
    client.get(reverse("applications:start"))
    signup_page = client.get(f"{reverse('account_signup')}?next={FORM}").content.decode()
    assert (
        "Sobald Sie ihn bestätigt und sich angemeldet haben, öffnet sich Ihr Bewerbungsformular"
        in signup_page
    )

    sent = client.get(sign_up(client, django_capture_on_commit_callbacks)["Location"]).content.decode()
    assert "kommen direkt zu Ihrem Bewerbungsformular" in sent

    link = confirmation_link(mail.outbox[0].body)
    assert link.endswith(f"?next={quote(FORM, safe='')}")
    # Confirmed in another browser: the link alone carries the cohort.
    client.cookies.clear()
    confirm_page = client.get(link).content.decode()
    assert "3. Schulungsdurchgang" in confirm_page
    hidden = (
        re.search(r'name="next" value="(/konto/login/[^"]+)"', confirm_page).group(1).replace("&amp;", "&")
    )
    response = client.post(link.split("?")[0], {"next": hidden})
    assert EmailAddress.objects.get(email="neu@example.org").verified
    assert response["Location"] == f"{reverse('account_login')}?bestaetigt=1&next={quote(FORM, safe='')}"

    login_page = client.get(response["Location"]).content.decode()
    assert "Ihre E-Mail-Adresse ist bestätigt." in login_page
    assert "Sie haben noch kein Konto?" not in login_page
    logged_in = client.post(
        response["Location"], {"login": "neu@example.org", "password": PASSWORD, "next": FORM}
    )
    assert logged_in["Location"] == FORM
    form = client.get(FORM)
    assert form.status_code == 200 and "Bewerbung für den 3. Schulungsdurchgang" in form.content.decode()


@time_machine.travel(DURING, tick=False)
def test_a_login_without_next_still_ends_on_the_remembered_form(client, cohort):
    UserFactory(email="da@example.org", password=PASSWORD)
    client.get(reverse("applications:start"))
    response = client.post(reverse("account_login"), {"login": "da@example.org", "password": PASSWORD})
    assert response["Location"] == FORM
    # Once there, it is forgotten: the next login starts on the person's own page.
    client.get(FORM)
    client.logout()
    response = client.post(reverse("account_login"), {"login": "da@example.org", "password": PASSWORD})
    assert response["Location"] == reverse("applications:dashboard")


@time_machine.travel(DURING, tick=False)
@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_no_open_redirect_through_any_step(client, cohort, django_capture_on_commit_callbacks, target):
    sign_up(client, django_capture_on_commit_callbacks, next_url=target)
    link = confirmation_link(mail.outbox[0].body)
    assert "evil" not in link
    response = client.post(f"{link}?next={quote(target, safe='')}")
    assert "evil" not in response["Location"].split("?")[0]
    UserFactory(email="da@example.org", password=PASSWORD)
    login = client.post(
        f"{reverse('account_login')}?next={quote(target)}",
        {"login": "da@example.org", "password": PASSWORD, "next": target},
    )
    assert "evil" not in login["Location"]
