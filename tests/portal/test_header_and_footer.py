"""The frame of every page: who runs the portal, the links each role can use, the language."""

import pytest
from django.urls import reverse

from portal.models import Municipality
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_town_that_is_its_own_district_is_not_named_twice():
    assert str(Municipality.objects.get(name="Cottbus")) == "Cottbus"
    assert str(Municipality.objects.get(name="Frankfurt (Oder)")) == "Frankfurt (Oder)"
    golzow = Municipality.objects.filter(name="Golzow").first()
    assert str(golzow) == f"Golzow ({golzow.district})"


def test_the_frame_names_the_operator_and_links_the_certificate_check(client, settings):
    settings.PORTAL_OPERATOR = {**settings.PORTAL_OPERATOR, "name": "Ministerium für Test"}
    page = client.get(reverse("imprint")).content.decode()
    assert '<span class="kern-kopfzeile__label">Ministerium für Test</span>' in page
    assert "<dt>Ein Angebot von</dt><dd>Ministerium für Test</dd>" in page
    assert "des Ministerium " not in page
    assert f'<a href="{reverse("certificates:verify")}">Zertifikat prüfen</a>' in page
    assert "<img" not in page.split("</header>")[0], "no logo unless the operator configures one"


def test_the_operator_logo_is_shown_when_configured(client, settings):
    settings.PORTAL_OPERATOR = {**settings.PORTAL_OPERATOR, "logo": "favicon.svg"}
    page = client.get(reverse("imprint")).content.decode()
    assert '<img class="site-kopfzeile__logo" src="/static/favicon.svg" alt="" height="20">' in page


def test_after_logging_out_the_page_keeps_the_persons_language(client):
    person = UserFactory(language="en")
    client.force_login(person)
    response = client.post(reverse("account_logout"))
    assert response.cookies["portal_language"].value == "en"
    page = client.get(response.url)
    assert page.content.decode().startswith('<!doctype html>\n\n<html lang="en">')
    assert "You have signed out." in page.content.decode()


def test_a_german_profile_does_not_keep_an_english_choice_made_on_the_switch(client):
    person = UserFactory(language="de")
    client.force_login(person)
    client.cookies["portal_language"] = "de"
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.cookies["portal_language"].value == "en"
