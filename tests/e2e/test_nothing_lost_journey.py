"""In the browser: a refused save gives back the form with everything typed and the reason.

The window closes while the form is open (the cohort's deadline is moved into the past between
loading and sending), and a file that is not a PDF is refused while the rest is saved.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from applications.models import Application
from tests.e2e.test_account_journeys import log_in
from tests.factories import CohortFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "ein-sicheres-Passwort-1"
MOTIVATION = "Ich möchte die Smart-City-Strategie voranbringen.\nUnd zwar gemeinsam."


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def cohort(db):
    today = timezone.localdate()
    return CohortFactory(
        number=7,
        title="7. Schulungsdurchgang",
        applications_open_at=timezone.now() - dt.timedelta(days=10),
        applications_close_on=today + dt.timedelta(days=10),
        start_date=today + dt.timedelta(days=30),
        end_date=today + dt.timedelta(days=90),
    )


def fits(page, selector: str, width: int) -> bool:
    """The box of the message stays within the screen (no sideways scrolling because of it)."""
    box = page.locator(selector).first.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


def fill_some(page) -> None:
    page.get_by_label("Fachbereich oder Organisationseinheit").fill("Stadtplanung")
    page.get_by_label("Motivation").fill(MOTIVATION)
    page.get_by_label("Vorgesetzte:r: Name").fill("Dr. Hanna Schulze")


@pytest.mark.parametrize("width", [1366, 390])
def test_a_file_that_is_no_pdf_is_the_only_thing_not_kept(page, axe, live_server, cohort, width):
    page.set_viewport_size({"width": width, "height": 900})
    user = UserFactory(email="jo@example.org")
    log_in(page, axe, live_server.url, user.email, PASSWORD)
    page.goto(live_server.url + reverse("applications:start"))
    axe()
    fill_some(page)
    page.get_by_label("Unterstützungsschreiben von Vorgesetzte:r (PDF)").set_input_files(
        {"name": "brief.pdf", "mimeType": "application/pdf", "buffer": b"<html>kein PDF</html>"}
    )
    page.get_by_role("button", name="Entwurf speichern").click()
    page.wait_for_load_state("load")
    axe()
    expect(
        page.get_by_role("status").filter(has_text="Ihre übrigen Angaben sind gespeichert.")
    ).to_be_visible()
    upload = page.get_by_label("Unterstützungsschreiben von Vorgesetzte:r (PDF)")
    expect(upload).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_endorsement_upload_error")).to_contain_text("kein PDF-Dokument")
    expect(page.get_by_label("Motivation")).to_have_value(MOTIVATION)
    assert fits(page, "[role=status]", width) and fits(page, "#id_endorsement_upload_error", width)
    application = Application.objects.get()
    assert application.motivation.replace("\r\n", "\n") == MOTIVATION and not application.endorsement


def test_the_window_closing_while_the_form_is_open_loses_nothing(page, axe, live_server, cohort):
    page.set_viewport_size({"width": 390, "height": 900})
    user = UserFactory(email="spaet@example.org")
    log_in(page, axe, live_server.url, user.email, PASSWORD)
    page.goto(live_server.url + reverse("applications:start"))
    axe()
    fill_some(page)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    type(cohort).objects.filter(pk=cohort.pk).update(applications_close_on=yesterday)
    page.get_by_role("button", name="Entwurf speichern").click()
    page.wait_for_load_state("load")
    axe()
    alert = page.locator("#form-errors")
    expect(alert).to_contain_text(f"ist am {yesterday:%d.%m.%Y} um 24:00 Uhr abgelaufen")
    expect(alert).to_contain_text("Ihre Eingaben wurden nicht gespeichert.")
    expect(page.get_by_label("Motivation")).to_have_value(MOTIVATION)
    expect(page.get_by_label("Fachbereich oder Organisationseinheit")).to_have_value("Stadtplanung")
    assert fits(page, "#form-errors", 390)
    assert not Application.objects.exists()
