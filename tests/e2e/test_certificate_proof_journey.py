"""The certificate's own proof in the browser: the participant downloads PDF and credential from
the course page and finds the LinkedIn link; anyone checks both files on the verification page,
and sees a revocation there. Every page is checked with axe-core and at 390 px for sideways
scrolling."""

import os

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from certificates import services
from tests.certificates import test_certificates as base
from tests.e2e.test_account_journeys import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "ein-sicheres-Passwort-1"  # the factories' password
SHOTS = os.environ.get("PORTAL_SCREENSHOT_DIR")

cohort = base.cohort
coordinator = base.coordinator


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_participant_takes_the_proof_along_and_an_employer_checks_it(
    page, axe, live_server, cohort, coordinator, tmp_path, django_capture_on_commit_callbacks
):
    enrollment = base.graduate(cohort, coordinator, first_name="Jördis", last_name="Groß-Łęcka")
    with django_capture_on_commit_callbacks(execute=True):
        (certificate,) = services.issue_certificates(cohort=cohort, by=coordinator, at=timezone.now())
    certificate.refresh_from_db()

    log_in(page, axe, live_server.url, enrollment.user.email, PASSWORD)
    page.goto(live_server.url + reverse("modules:dashboard"))
    axe()
    linkedin = page.get_by_role("link", name="Zum LinkedIn-Profil hinzufügen (externe Seite)")
    assert linkedin.get_attribute("href").startswith("https://www.linkedin.com/profile/add?")
    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Zertifikat herunterladen (PDF)").click()
    pdf_path = tmp_path / "zertifikat.pdf"
    pdf_download.value.save_as(pdf_path)
    expect(page.get_by_role("main")).to_contain_text(
        "ein digitaler Nachweis, den Arbeitgeber automatisch prüfen können"
    )
    page.get_by_text("Dateien für den digitalen Nachweis (technische Angaben)").click()
    with page.expect_download() as jwt_download:
        page.get_by_role("link", name="signiert herunterladen (.jwt)").click()
    jwt_path = tmp_path / f"Nachweis-{certificate.number}.jwt"
    jwt_download.value.save_as(jwt_path)
    page.set_viewport_size({"width": 390, "height": 844})
    no_sideways_scroll(page)
    shot(page, "dashboard-390")
    page.set_viewport_size({"width": 1366, "height": 900})
    shot(page, "dashboard-1366")

    verify = live_server.url + reverse("certificates:verify")
    page.goto(verify)
    axe()
    page.get_by_label("Zertifikat als PDF oder digitaler Nachweis (.jwt, .json)").set_input_files(pdf_path)
    page.get_by_role("button", name="Datei prüfen").click()
    page.wait_for_load_state("load")
    axe()
    expect(page.get_by_role("status")).to_contain_text(
        "Die Datei ist ein unverändertes, gültiges Zertifikat."
    )
    expect(page.get_by_role("status")).to_contain_text("Gesiegelt von:")
    shot(page, "verify-pdf-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    no_sideways_scroll(page)
    shot(page, "verify-pdf-390")
    page.set_viewport_size({"width": 1366, "height": 900})

    services.revoke(certificate=certificate, reason="Angaben unzutreffend", by=coordinator, at=timezone.now())
    page.goto(verify)
    axe()
    page.get_by_label("Zertifikat als PDF oder digitaler Nachweis (.jwt, .json)").set_input_files(jwt_path)
    page.get_by_role("button", name="Datei prüfen").click()
    page.wait_for_load_state("load")
    axe()
    result = page.get_by_role("status")
    expect(result).to_contain_text("das Zertifikat wurde aber widerrufen")
    expect(result).to_contain_text("Angaben unzutreffend")
    shot(page, "verify-revoked-1366")
