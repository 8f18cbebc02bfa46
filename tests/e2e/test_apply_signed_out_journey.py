"""Journeys without dead ends, in the browser, each page checked with axe-core (see conftest.py):
a new applicant from "Jetzt bewerben" while signed out to a submitted application without typing
anything twice; a draft saved with an invalid field and recovered; English kept across login."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from applications.models import Application
from portal.accounts.models import User
from tests.applications.conftest import pdf_bytes
from tests.e2e.test_account_journeys import PASSWORD, link_in_last_mail
from tests.factories import CohortFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EMAIL = "karla@example.org"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def fill_application(page) -> None:
    page.get_by_label("Kommune, bei der Sie beschäftigt sind").select_option(
        label="Eberswalde (Barnim, Stadt)"
    )
    page.get_by_label("Fachbereich oder Organisationseinheit").fill("Stadtplanung")
    page.get_by_label("Ihre Funktion").fill("Sachgebietsleiterin")
    page.get_by_label("Telefon für Rückfragen").fill("03334 64-0")
    page.get_by_label("Ihre Rolle in Digitalisierung und Stadtentwicklung").fill("Koordination")
    page.get_by_label("Motivation").fill("Daten für alle.")
    page.get_by_label("Sie wird gerade erarbeitet").check()
    page.get_by_label("Vorgesetzte:r: Name").fill("Dr. Hanna Schulze")
    page.get_by_label("Vorgesetzte:r: E-Mail-Adresse").fill("h.schulze@example.org")
    page.get_by_label("Unterstützungsschreiben von Vorgesetzte:r (PDF)").set_input_files(
        {"name": "Schreiben.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    page.get_by_label("Ich habe die Datenschutzhinweise gelesen").check()


def test_from_jetzt_bewerben_signed_out_to_a_submitted_application(page, axe, live_server):
    cohort = CohortFactory(number=9, title="9. Schulungsdurchgang")
    base_url = live_server.url
    form_url = base_url + reverse("applications:start_for_cohort", args=[cohort.number])

    page.goto(base_url + reverse("home"))
    axe()
    page.get_by_role("link", name="Jetzt bewerben").first.click()
    # The login says why it is asked for, and where it leads.
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmelden")
    expect(page.get_by_role("main")).to_contain_text("Ihre Bewerbung für den 9. Schulungsdurchgang")
    axe()
    page.get_by_role("main").get_by_role("link", name="registrieren Sie sich").click()
    expect(page.get_by_role("main")).to_contain_text("öffnet sich Ihr Bewerbungsformular")
    axe()
    page.get_by_label("Vorname").fill("Karla")
    page.get_by_label("Nachname").fill("Kolumna")
    page.get_by_label("E-Mail-Adresse").fill(EMAIL)
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.get_by_label("Passwort (Wiederholung)").fill(PASSWORD)
    page.get_by_role("button", name="Registrieren").click()
    expect(page).to_have_url(base_url + reverse("account_email_verification_sent"))
    expect(page.get_by_role("main")).to_contain_text("kommen direkt zu Ihrem Bewerbungsformular")
    axe()

    page.goto(base_url + link_in_last_mail(r"/konto/confirm-email/\S+"))
    expect(page.get_by_role("main")).to_contain_text("9. Schulungsdurchgang")
    axe()
    page.get_by_role("button", name="Bestätigen").click()
    expect(page.get_by_role("main")).to_contain_text("Ihre E-Mail-Adresse ist bestätigt.")
    expect(page.get_by_role("main")).not_to_contain_text("Sie haben noch kein Konto?")
    axe()
    page.get_by_label("E-Mail-Adresse").fill(EMAIL)
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()

    # The form of the cohort chosen at the very start.
    expect(page).to_have_url(form_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Bewerbung für den 9. Schulungsdurchgang")
    axe()
    fill_application(page)
    page.get_by_role("button", name="Speichern und weiter zur Übersicht").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bewerbung prüfen und absenden")
    axe()
    mail.outbox.clear()
    page.get_by_role("button", name="Verbindlich absenden").click()

    application = Application.objects.get(applicant__email=EMAIL)
    expect(page).to_have_url(base_url + reverse("applications:submitted", args=[application.pk]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ihre Bewerbung ist eingegangen")
    expect(page.get_by_role("main")).to_contain_text(f"Ihr Aktenzeichen lautet {application.reference}.")
    expect(page.get_by_role("heading", name="So geht es weiter")).to_be_visible()
    axe()
    assert application.status == Application.Status.SUBMITTED


def test_a_draft_with_an_invalid_field_is_saved_and_recovered(page, axe, live_server):
    CohortFactory(number=10, title="10. Schulungsdurchgang")
    UserFactory(email=EMAIL, password=PASSWORD)
    base_url = live_server.url
    page.goto(base_url + reverse("applications:start"))
    axe()
    page.get_by_label("E-Mail-Adresse").fill(EMAIL)
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bewerbung für den 10. Schulungsdurchgang")
    axe()
    page.get_by_label("Telefon für Rückfragen").fill("abc")
    page.get_by_label("Motivation").fill("Alles, was ich schreibe, bleibt.")
    page.get_by_role("button", name="Entwurf speichern").click()
    expect(page.get_by_role("main")).to_contain_text("Ihr Entwurf ist gespeichert. Bitte korrigieren Sie")
    axe()

    # Away and back: everything is there, the invalid value flagged.
    page.goto(base_url + reverse("applications:dashboard"))
    expect(page.get_by_role("main")).not_to_contain_text("noch keine Bewerbung")
    axe()
    page.get_by_role("link", name="Weiter bearbeiten").click()
    axe()
    phone = page.get_by_label("Telefon für Rückfragen")
    expect(phone).to_have_value("abc")
    expect(phone).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Motivation")).to_have_value("Alles, was ich schreibe, bleibt.")
    phone.fill("0331 123456")
    page.get_by_role("button", name="Entwurf speichern").click()
    expect(page.get_by_role("status")).to_contain_text("Ihr Entwurf ist gespeichert.")
    expect(page.get_by_label("Telefon für Rückfragen")).not_to_have_attribute("aria-invalid", "true")
    axe()
    assert Application.objects.get().invalid_input == {}


def test_english_chosen_before_login_is_kept(page, axe, live_server):
    UserFactory(email=EMAIL, password=PASSWORD)
    base_url = live_server.url
    page.goto(base_url + reverse("home"))
    axe()
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    axe()
    page.goto(base_url + reverse("account_login"))
    axe()
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(base_url + reverse("applications:dashboard"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("My applications")
    expect(page.get_by_role("status")).to_contain_text("Successfully signed in")
    axe()
    assert User.objects.get(email=EMAIL).language == "en"


def assert_targets_large_enough(page) -> None:
    """WCAG 2.2 target size (2.5.8): axe's target-size rule finds nothing."""
    results = Axe().run(page, options={"runOnly": {"type": "rule", "values": ["target-size"]}})
    assert not results.violations_count, f"{page.url}:\n{results.generate_report()}"


@pytest.mark.parametrize("width", [1366, 390, 320])
def test_error_summaries_help_and_faq_have_targets_of_24_px(page, axe, live_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    base_url = live_server.url
    page.goto(base_url + reverse("account_signup"))
    axe()
    page.get_by_role("button", name="Registrieren").click()
    expect(page.locator(".form-errors")).to_be_visible()
    axe()
    assert_targets_large_enough(page)
    for name in ("help", "easy_language", "home"):
        page.goto(base_url + reverse(name))
        axe()
        assert_targets_large_enough(page)
    # The FAQ is a KERN accordion: the whole question is the target.
    page.goto(base_url + reverse("help"))
    axe()
    question = page.get_by_text("Wer kann sich bewerben?")
    assert page.locator("summary.kern-accordion__header").first.bounding_box()["height"] >= 44
    question.click()
    expect(page.get_by_text("Beschäftigte brandenburgischer Städte")).to_be_visible()
