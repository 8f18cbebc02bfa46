"""The applicant's intake journey in the browser, each page checked with axe-core (see conftest.py).

Sign up, confirm the address, apply with the keyboard only, save a draft and resume it, submit,
download the own copy as PDF and withdraw.
"""

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from applications.models import Application
from tests.applications.conftest import pdf_bytes
from tests.e2e.test_account_journeys import PASSWORD, link_in_last_mail, log_in, tab_to, type_into
from tests.factories import CohortFactory

# The live server needs a transactional database (see test_account_journeys.py).
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EMAIL = "joerdis@example.org"
ROLE = (
    "Ich koordiniere die Digitalisierung im Fachbereich Stadtentwicklung.\nSeit 2021 leite ich die AG Daten."
)
MOTIVATION = "Ich möchte die Smart-City-Strategie für Eberswalde voranbringen – gemeinsam mit allen Ämtern."


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Uploaded letters go to a temporary folder, never into the project's media folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


def sign_up_and_confirm(page, axe, base_url: str) -> None:
    page.goto(base_url + reverse("account_signup"))
    axe()
    page.get_by_label("Vorname").fill("Jördis")
    page.get_by_label("Nachname").fill("Groß-Nüßlein")
    page.get_by_label("E-Mail-Adresse").fill(EMAIL)
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.get_by_label("Passwort (Wiederholung)").fill(PASSWORD)
    page.get_by_label("Passwort (Wiederholung)").press("Enter")
    expect(page).to_have_url(base_url + reverse("account_email_verification_sent"))
    axe()

    page.goto(base_url + link_in_last_mail(r"/konto/confirm-email/[^\s]+/"))
    axe()
    page.get_by_role("button", name="Bestätigen").click()
    expect(page).to_have_url(base_url + reverse("account_login") + "?bestaetigt=1")
    axe()


def expect_typed_values(page) -> None:
    expect(page.get_by_label("Kommune, bei der Sie beschäftigt sind")).to_have_value(
        str(Application.objects.get().municipality_id)
    )
    expect(page.get_by_label("Kommune, bei der Sie beschäftigt sind").locator("option:checked")).to_have_text(
        "Eberswalde (Barnim, Stadt)"
    )
    expect(page.get_by_label("Fachbereich oder Organisationseinheit")).to_have_value("Stadtplanung")
    expect(page.get_by_label("Ihre Funktion")).to_have_value("Sachgebietsleiterin")
    expect(page.get_by_label("Telefon für Rückfragen")).to_have_value("03334 64-0")
    expect(page.get_by_label("Ihre Rolle in Digitalisierung und Stadtentwicklung")).to_have_value(ROLE)
    expect(page.get_by_label("Motivation")).to_have_value(MOTIVATION)
    expect(page.get_by_label("Sie wird gerade erarbeitet")).to_be_checked()
    expect(page.get_by_label("Vorgesetzte:r: Name")).to_have_value("Dr. Hanna Schulze")
    expect(page.get_by_label("Vorgesetzte:r: E-Mail-Adresse")).to_have_value("h.schulze@example.org")
    expect(page.get_by_label("Ich habe die Datenschutzhinweise gelesen")).to_be_checked()
    expect(page.get_by_text("Hochgeladen: Schreiben der Bürgermeisterin.pdf")).to_be_visible()


def test_apply_with_the_keyboard_save_resume_submit_download_and_withdraw(page, axe, live_server):
    cohort = CohortFactory(number=7, title="7. Schulungsdurchgang")
    base_url = live_server.url

    sign_up_and_confirm(page, axe, base_url)
    log_in(page, axe, base_url, EMAIL, PASSWORD)
    expect(page).to_have_url(base_url + reverse("applications:dashboard"))

    page.goto(base_url + reverse("home"))
    axe()
    page.get_by_role("link", name="Jetzt bewerben").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bewerbung für den 7. Schulungsdurchgang")
    axe()

    # Keyboard only, from the skip link through the whole form.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Zum Inhalt springen")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()
    select = page.get_by_label("Kommune, bei der Sie beschäftigt sind")
    tab_to(page, select)
    # A closed select jumps to the option whose text starts with the typed letters.
    page.keyboard.type("Eberswalde")
    expect(select.locator("option:checked")).to_have_text("Eberswalde (Barnim, Stadt)")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Andere öffentliche Stelle")).to_be_focused()
    page.keyboard.press("Tab")
    type_into(page, page.get_by_label("Fachbereich oder Organisationseinheit"), "Stadtplanung")
    page.keyboard.press("Tab")
    type_into(page, page.get_by_label("Ihre Funktion"), "Sachgebietsleiterin")
    page.keyboard.press("Tab")
    type_into(page, page.get_by_label("Telefon für Rückfragen"), "03334 64-0")
    page.keyboard.press("Tab")
    type_into(page, page.get_by_label("Ihre Rolle in Digitalisierung und Stadtentwicklung"), ROLE)
    page.keyboard.press("Tab")
    type_into(page, page.get_by_label("Motivation"), MOTIVATION)
    # The radio group is one stop of the Tab key; the arrow keys choose within it.
    page.keyboard.press("Tab")
    expect(page.get_by_label("Ja, eine Strategie liegt vor")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Sie wird gerade erarbeitet")).to_be_focused()
    expect(page.get_by_label("Sie wird gerade erarbeitet")).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Vorhaben Ihrer Kommune")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Förderprogramm")).to_be_focused()
    page.keyboard.press("Tab")
    type_into(page, page.get_by_label("Vorgesetzte:r: Name"), "Dr. Hanna Schulze")
    page.keyboard.press("Tab")
    type_into(page, page.get_by_label("Vorgesetzte:r: E-Mail-Adresse"), "h.schulze@example.org")
    upload = page.get_by_label("Unterstützungsschreiben von Vorgesetzte:r (PDF)")
    page.keyboard.press("Tab")
    expect(upload).to_be_focused()
    # A headless browser has no file picker to drive with the keyboard.
    upload.set_input_files(
        {"name": "Schreiben der Bürgermeisterin.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    consent = page.get_by_label("Ich habe die Datenschutzhinweise gelesen")
    tab_to(page, consent, limit=3)  # past the link to the privacy notice
    page.keyboard.press("Space")
    expect(consent).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Entwurf speichern")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_contain_text("Ihr Entwurf ist gespeichert.")
    axe()
    application = Application.objects.get()
    assert application.status == Application.Status.DRAFT
    assert application.motivation == MOTIVATION
    assert application.role.replace("\r\n", "\n") == ROLE
    expect_typed_values(page)

    page.reload()
    axe()
    expect_typed_values(page)

    # Resume from the list of the own applications.
    page.goto(base_url + reverse("applications:dashboard"))
    axe()
    page.get_by_role("link", name="Weiter bearbeiten").click()
    expect(page).to_have_url(base_url + reverse("applications:edit", args=[application.pk]))
    axe()
    expect_typed_values(page)

    page.get_by_role("button", name="Speichern und weiter zur Übersicht").click()
    expect(page).to_have_url(base_url + reverse("applications:review", args=[application.pk]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bewerbung prüfen und absenden")
    expect(page.get_by_role("main")).to_contain_text(MOTIVATION)
    expect(page.get_by_role("main")).not_to_contain_text("Zum Absenden fehlt noch")
    axe()

    mail.outbox.clear()
    page.get_by_role("button", name="Verbindlich absenden").click()
    reference = f"SCM-{cohort.number}-0001"
    expect(page).to_have_url(base_url + reverse("applications:submitted", args=[application.pk]))
    expect(page.get_by_role("status")).to_contain_text(f"Ihr Aktenzeichen lautet {reference}.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ihre Bewerbung ist eingegangen")
    expect(page.get_by_role("heading", name="So geht es weiter")).to_be_visible()
    axe()

    (confirmation,) = mail.outbox
    assert confirmation.to == [EMAIL]
    assert reference in confirmation.subject
    assert reference in confirmation.body

    pdf_link = page.get_by_role("link", name="Bewerbung als PDF herunterladen")
    with page.expect_download() as download_info:
        pdf_link.click()
    download = download_info.value
    assert download.suggested_filename == f"{reference}.pdf"
    with open(download.path(), "rb") as downloaded:
        assert downloaded.read(5) == b"%PDF-"
    response = page.request.get(base_url + pdf_link.get_attribute("href"))
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")

    page.get_by_role("link", name="Bewerbung zurückziehen").click()
    expect(page).to_have_url(base_url + reverse("applications:withdraw", args=[application.pk]))
    expect(page.get_by_role("main")).to_contain_text(f"Möchten Sie {reference} für den 7. Schulungsdurchgang")
    axe()
    page.get_by_role("button", name="Ja, zurückziehen").click()

    expect(page).to_have_url(base_url + reverse("applications:dashboard"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Meine Bewerbungen")
    expect(page.get_by_role("status")).to_contain_text("Ihre Bewerbung ist zurückgezogen.")
    row = page.get_by_role("row", name=reference)
    expect(row.get_by_role("cell").nth(1)).to_have_text("zurückgezogen")
    expect(row).not_to_contain_text("Zurückziehen")
    axe()
    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN
