"""allauth's second factors carry German names on every admin page that shows them: the start
page, their own list and detail pages, the breadcrumbs, the columns and the filters."""

import html as entities
import re

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ENGLISH = (
    "Authenticators",
    ">Authenticator<",
    "authenticator",
    "MFA",
    "Created at",
    "Last used at",
    ">User<",
)


def visible(html: str) -> str:
    """The page's text as people read it: tags, scripts and attribute values left out."""
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", entities.unescape(re.sub(r"<[^>]+>", " ", html)))


@pytest.fixture
def factor():
    person = UserFactory(email="ada@example.org")
    return Authenticator.objects.create(user=person, type=Authenticator.Type.TOTP, data={})


def test_the_list_and_the_detail_page_of_second_factors_are_german(client, factor):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    listing = client.get(reverse("admin:mfa_authenticator_changelist"))
    detail = client.get(reverse("admin:mfa_authenticator_change", args=[factor.pk]))
    assert listing.status_code == detail.status_code == 200
    listing_text, detail_text = visible(listing.content.decode()), visible(detail.content.decode())
    assert "Zweiter Faktor (Authenticator-App) zur Änderung auswählen" in listing_text
    for text in (listing_text, detail_text):
        assert "Start › Zwei-Faktor-Anmeldung › Zweite Faktoren (Authenticator-Apps)" in text  # breadcrumbs
        for english in ENGLISH:
            assert english not in text, english
    for label in ("Person", "Art", "Eingerichtet am", "Zuletzt verwendet am"):  # the admin capitalises
        assert label in listing_text and label in detail_text
    assert "Nach Art" in listing_text and "Nach eingerichtet am" in listing_text  # the filters' titles
    assert str(factor.user) in listing_text and str(factor.user) in detail_text
    assert "<title>TOTP Authenticator | Zweiter Faktor (Authenticator-App) " in detail.content.decode()


def test_the_start_page_names_the_app_and_the_model_in_german(client, factor):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = visible(client.get(reverse("admin:index")).content.decode())
    assert "Zwei-Faktor-Anmeldung" in page and "Zweite Faktoren (Authenticator-Apps)" in page
    assert "Authenticators" not in page and " MFA " not in page
    app_page = visible(client.get(reverse("admin:app_list", args=["mfa"])).content.decode())
    assert "Zweite Faktoren (Authenticator-Apps)" in app_page and "Authenticators" not in app_page
