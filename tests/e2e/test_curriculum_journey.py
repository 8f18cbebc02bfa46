"""The curriculum journey in the browser: a coordinator schedules a session and shares a material in
the admin, records attendance and accepts a practical task in the portal; the participant then sees
the completed module, downloads the material and imports the sessions into a calendar.

Every page either user loads is checked with axe-core (see conftest.py).
"""

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect

from cohorts.models import BERLIN, Enrollment
from modules import services
from modules.demo import MODULES, TASKS
from modules.models import Attendance, Material, Module, Session, TaskSubmission
from tests.applications.conftest import pdf_bytes
from tests.e2e.conftest import AccessibilityAudit
from tests.e2e.test_account_journeys import log_in
from tests.factories import CohortFactory, EnrollmentFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "ein-sicheres-Passwort-1"  # the factories' password
MATERIAL_NAME = "Leitfaden Smart-City-Strategie.pdf"


def check_admin_page(audit: AccessibilityAudit) -> None:
    """Admin pages get the same WCAG A/AA check as the portal (the session form labels its split
    date and time inputs with aria-label, see modules/admin.py)."""
    audit()


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Uploaded tasks and materials go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


def test_coordinator_records_progress_and_the_participant_sees_it(page, axe, browser, live_server):
    today = timezone.localdate()
    cohort = CohortFactory(
        number=9,
        title="9. Schulungsdurchgang",
        applications_open_at=timezone.now() - dt.timedelta(days=60),
        applications_close_on=today - dt.timedelta(days=30),
        start_date=today - dt.timedelta(days=10),
        end_date=today + dt.timedelta(days=60),
    )
    modules = [
        Module.objects.create(programme=cohort.programme, position=number, title=title, task=task)
        for number, ((title, *_translations), task) in enumerate(zip(MODULES, TASKS, strict=True), start=1)
    ]
    coordinator = UserFactory(
        email="kai@example.org", first_name="Kai", last_name="Koordination", is_staff=True
    )
    coordinator.groups.add(Group.objects.get(name="coordinators"))
    cohort.coordinators.add(coordinator)
    participant = UserFactory(email="paula@example.org", first_name="Paula", last_name="Petersen")
    enrollment = EnrollmentFactory(cohort=cohort, user=participant, state=Enrollment.State.CONFIRMED)

    now = timezone.now().replace(microsecond=0)  # iCalendar times have whole seconds
    past_session = Session.objects.create(
        cohort=cohort,
        module=modules[0],
        starts_at=now - dt.timedelta(hours=2),
        ends_at=now - dt.timedelta(hours=1),
    )
    task = services.upload_task(
        enrollment=enrollment,
        module=modules[0],
        file=SimpleUploadedFile("Praxisaufgabe Modul 1.pdf", pdf_bytes(), content_type="application/pdf"),
        user=participant,
        at=now - dt.timedelta(minutes=30),
    )
    next_week = today + dt.timedelta(days=7)
    base_url = live_server.url

    # --- the coordinator: a session and a material in the admin ------------------------------
    log_in(page, axe, base_url, coordinator.email, PASSWORD)
    page.locator(".site-header").get_by_role("link", name="Verwaltung").click()
    expect(page).to_have_url(base_url + reverse("admin:index"))
    check_admin_page(axe)

    page.get_by_role("rowheader", name="Sitzungen", exact=True).get_by_role("link").click()
    expect(page).to_have_url(base_url + reverse("admin:modules_session_changelist"))
    check_admin_page(axe)
    page.get_by_role("link", name="Sitzung hinzufügen").click()
    expect(page).to_have_url(base_url + reverse("admin:modules_session_add"))
    check_admin_page(axe)
    page.get_by_label("Schulungsdurchgang").select_option(label=cohort.title)
    page.get_by_label("Modul").select_option(label=str(modules[1]))
    page.locator("#id_starts_at_0").fill(f"{next_week:%d.%m.%Y}")
    page.locator("#id_starts_at_1").fill("10:00:00")
    page.locator("#id_ends_at_0").fill(f"{next_week:%d.%m.%Y}")
    page.locator("#id_ends_at_1").fill("12:30:00")
    page.get_by_label("Referent:in").fill("Dr. Ines Sicher")
    page.get_by_role("button", name="Sichern", exact=True).click()
    expect(page).to_have_url(base_url + reverse("admin:modules_session_changelist"))
    expect(page.locator(".messagelist")).to_contain_text("erfolgreich hinzugefügt")
    check_admin_page(axe)
    new_session = Session.objects.get(module=modules[1])
    assert new_session.cohort == cohort
    assert timezone.localtime(new_session.starts_at) == dt.datetime.combine(
        next_week, dt.time(10), tzinfo=BERLIN
    )
    assert timezone.localtime(new_session.ends_at) == dt.datetime.combine(
        next_week, dt.time(12, 30), tzinfo=BERLIN
    )
    assert new_session.trainer == "Dr. Ines Sicher"

    page.locator("#nav-sidebar").get_by_role("link", name="Materialien", exact=True).click()
    expect(page).to_have_url(base_url + reverse("admin:modules_material_changelist"))
    check_admin_page(axe)
    page.get_by_role("link", name="Material hinzufügen").click()
    expect(page).to_have_url(base_url + reverse("admin:modules_material_add"))
    check_admin_page(axe)
    page.get_by_label("Modul").select_option(label=str(modules[0]))
    page.get_by_label("Schulungsdurchgang").select_option(label=cohort.title)
    page.locator("#id_title").fill("Leitfaden zur Strategie")  # beside "Titel (englisch)"
    page.locator("#id_file").set_input_files(
        {"name": MATERIAL_NAME, "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    page.get_by_role("button", name="Sichern", exact=True).click()
    expect(page).to_have_url(base_url + reverse("admin:modules_material_changelist"))
    expect(page.locator(".messagelist")).to_contain_text("erfolgreich hinzugefügt")
    check_admin_page(axe)
    material = Material.objects.get()
    assert (material.module, material.cohort, material.file_name) == (modules[0], cohort, MATERIAL_NAME)

    # --- the coordinator: attendance and the practical task in the portal --------------------
    page.get_by_role("link", name="Website anzeigen").click()
    expect(page).to_have_url(base_url + reverse("home"))
    axe()
    page.locator(".site-header").get_by_role("link", name="Koordination").click()
    expect(page).to_have_url(base_url + reverse("modules:coordination"))
    axe()
    page.get_by_role("region", name=cohort.title).get_by_role("link", name="Fortschritt und Abgaben").click()
    progress_url = base_url + reverse("modules:progress", args=[cohort.pk])
    expect(page).to_have_url(progress_url)
    axe()

    page.get_by_role("listitem").filter(has_text=modules[0].title).get_by_role(
        "link", name="Anwesenheit erfassen"
    ).click()
    expect(page).to_have_url(base_url + reverse("modules:attendance", args=[past_session.pk]))
    expect(
        page.get_by_role("group", name="Paula Petersen").get_by_role("radio", name="anwesend")
    ).to_be_checked()
    axe()
    page.get_by_role("button", name="Anwesenheit speichern").click()
    expect(page).to_have_url(progress_url)
    expect(page.get_by_role("status")).to_contain_text("Die Anwesenheit ist gespeichert.")
    axe()
    assert Attendance.objects.get(session=past_session, enrollment=enrollment).status == "present"

    review = page.locator("form.review-form", has_text="Paula Petersen")
    expect(review).to_contain_text(modules[0].title)
    expect(review.get_by_role("link", name="Praxisaufgabe Modul 1.pdf")).to_be_visible()
    review.get_by_role("button", name="Annehmen").click()
    expect(page).to_have_url(progress_url)
    expect(page.get_by_role("status")).to_contain_text("Die Rückmeldung ist gespeichert.")
    expect(page.get_by_role("main")).to_contain_text("Keine offenen Abgaben.")
    matrix = page.get_by_role("table", name="Teilnehmer:innen und Module")
    expect(matrix.get_by_role("row", name="Paula Petersen")).to_contain_text("1 / 5")
    axe()
    task.refresh_from_db()
    assert (task.state, task.reviewed_by) == (TaskSubmission.State.ACCEPTED, coordinator)

    # --- the participant, in a browser of their own ------------------------------------------
    context = browser.new_context(accept_downloads=True)
    own_page = context.new_page()
    own_page.set_default_timeout(15_000)
    own_axe = AccessibilityAudit(own_page)
    log_in(own_page, own_axe, base_url, participant.email, PASSWORD)
    own_page.locator(".site-header").get_by_role("link", name="Mein Kurs").click()
    expect(own_page).to_have_url(base_url + reverse("modules:dashboard"))
    progress = own_page.get_by_role("progressbar", name="1 von 5 Modulen abgeschlossen")
    expect(progress).to_have_attribute("value", "1")
    expect(progress).to_have_attribute("max", "5")
    first_module = own_page.get_by_role("article", name=modules[0].title)
    expect(first_module).to_contain_text("(abgeschlossen)")
    expect(own_page.get_by_role("article", name=modules[1].title)).to_contain_text(
        f"{next_week:%d.%m.%Y}, 10:00 Uhr"
    )
    next_up = own_page.get_by_role("region", name="Nächster Termin")
    expect(next_up).to_contain_text(modules[1].title)
    expect(next_up).to_contain_text(f"{next_week:%d.%m.%Y}, 10:00 – 12:30 Uhr · Dr. Ines Sicher")
    own_axe()

    with own_page.expect_download() as material_download:
        first_module.get_by_role("link", name="Leitfaden zur Strategie").click()
    download = material_download.value
    assert download.suggested_filename == MATERIAL_NAME
    with material.file.open("rb") as stored:
        assert Path(download.path()).read_bytes() == stored.read()

    with own_page.expect_download() as calendar_download:
        own_page.get_by_role("link", name="Alle Termine als Kalenderdatei").click()
    download = calendar_download.value
    assert download.suggested_filename == f"smart-city-manager-{cohort.number}.ics"
    calendar = Calendar.from_ical(Path(download.path()).read_bytes())
    assert [zone["TZID"] for zone in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    events = calendar.walk("VEVENT")
    assert [str(event["SUMMARY"]) for event in events] == [
        f"1. {modules[0].title}",
        f"2. {modules[1].title}",
    ]
    for event, session in zip(events, [past_session, new_session], strict=True):
        for name, instant in [("DTSTART", session.starts_at), ("DTEND", session.ends_at)]:
            assert event[name].params["TZID"] == "Europe/Berlin"
            assert event[name].dt == instant.astimezone(BERLIN)
            assert event[name].dt.utcoffset() == instant.astimezone(BERLIN).utcoffset()

    # Guessing the coordinators' page of the own cohort finds nothing.
    response = own_page.goto(progress_url)
    assert response.status == 404
    own_axe()
    assert not own_axe.unchecked(), f"pages loaded without an accessibility check: {own_axe.unchecked()}"
    context.close()
