"""From the start page to Leichte Sprache, the accessibility statement and its feedback form, and the
help page, at desktop and phone width. Every page is checked with axe-core (see conftest.py)."""

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from portal.models import AccessibilityFeedback

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.parametrize("width", [1366, 390])
def test_a_visitor_reads_leichte_sprache_reports_a_barrier_and_finds_help(page, axe, live_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + reverse("home"))
    axe()
    page.get_by_role("link", name="Informationen in Leichter Sprache").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Informationen in Leichter Sprache")
    assert no_sideways_scroll(page)
    axe()

    page.get_by_role("link", name="Zum Formular").click()
    expect(page).to_have_url(live_server.url + reverse("accessibility") + "#feedback-title")
    expect(page.get_by_role("heading", name="Durchsetzungsverfahren")).to_be_visible()
    assert no_sideways_scroll(page)
    axe()
    page.get_by_role("button", name="Rückmeldung senden").click()
    expect(page.get_by_text("Bitte beschreiben Sie die Barriere.")).to_be_visible()
    axe()
    page.get_by_label("Welche Barriere ist Ihnen aufgefallen?").fill(
        "Der Kontrast der Fußzeile ist zu schwach."
    )
    page.get_by_label("Betroffene Seite oder Funktion (freiwillig)").fill("Startseite")
    page.get_by_role("button", name="Rückmeldung senden").click()
    expect(page.get_by_text("Vielen Dank für Ihre Rückmeldung.")).to_be_visible()
    axe()
    assert AccessibilityFeedback.objects.get().page == "Startseite"
    assert mail.outbox[-1].to == ["barrierefreiheit@example.org"]

    page.goto(live_server.url + reverse("help"))
    expect(page.get_by_role("heading", name="Bestätigungsmail erneut senden")).to_be_visible()
    page.get_by_text("Kann ich meine Bewerbung zurückziehen und mich neu bewerben?").click()
    expect(page.get_by_text("„Neu bewerben“ wählen")).to_be_visible()
    assert no_sideways_scroll(page)
    axe()
