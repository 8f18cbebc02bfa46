"""A coordinator's day in the browser: the start page says what to do; attendance is recorded for
the session that lacks it; a practical task goes back with feedback (and the participant's mail);
the next cohort's five sessions are planned in one form; a cohort's certificates are issued and
their progress shows without a reload; a certificate is revoked after a confirmation.

Every page is checked with axe-core (see conftest.py)."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from certificates import services as certificate_services
from certificates.models import Certificate
from cohorts.models import Enrollment
from modules.models import Attendance, Module, Session, TaskSubmission
from portal.mail.models import OutboxMessage
from tests.e2e.test_account_journeys import log_in
from tests.factories import CohortFactory, EnrollmentFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "ein-sicheres-Passwort-1"  # the factories' password


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _person(cohort, first, last):
    user = UserFactory(email=f"{first.lower()}@example.org", first_name=first, last_name=last)
    return EnrollmentFactory(cohort=cohort, user=user, state=Enrollment.State.CONFIRMED)


def _running_cohort(coordinator):
    """A cohort in its fifth week: five sessions held, the last without attendance; Greta has
    completed everything, Bert not yet, and Paula's task for module 5 waits for review."""
    today = timezone.localdate()
    cohort = CohortFactory(
        number=9,
        title="9. Schulungsdurchgang",
        applications_open_at=timezone.now() - dt.timedelta(days=90),
        applications_close_on=today - dt.timedelta(days=60),
        start_date=today - dt.timedelta(days=40),
        end_date=today + dt.timedelta(days=20),
    )
    cohort.coordinators.add(coordinator)
    modules = [
        Module.objects.create(programme=cohort.programme, position=n, title=f"Modul {n}") for n in range(1, 6)
    ]
    now = timezone.now().replace(second=0, microsecond=0)
    sessions = [
        Session.objects.create(
            cohort=cohort,
            module=m,
            starts_at=now - dt.timedelta(days=7 * (5 - i), hours=3),
            ends_at=now - dt.timedelta(days=7 * (5 - i), hours=1),
        )
        for i, m in enumerate(modules)
    ]
    greta, bert, paula = (
        _person(cohort, *n) for n in [("Greta", "Fertig"), ("Bert", "Bald"), ("Paula", "Petersen")]
    )
    for person in (greta, bert, paula):
        for s in sessions[:4]:
            Attendance.objects.create(session=s, enrollment=person, status="present", recorded_by=coordinator)
    Attendance.objects.create(
        session=sessions[4], enrollment=greta, status="present", recorded_by=coordinator
    )
    for m in modules:
        TaskSubmission.objects.create(
            enrollment=greta, module=m, state="accepted", file="x.pdf", file_name="x.pdf", submitted_at=now
        )
    task = TaskSubmission.objects.create(
        enrollment=paula, module=modules[4], file="t.pdf", file_name="Aufgabe-5.pdf", submitted_at=now
    )
    return cohort, modules, sessions, task


def test_a_coordinators_day(page, axe, live_server, monkeypatch):
    coordinator = UserFactory(
        email="kai@example.org", first_name="Kai", last_name="Koordination", is_staff=True
    )
    coordinator.groups.add(Group.objects.get(name="coordinators"))
    cohort, modules, sessions, task = _running_cohort(coordinator)
    today = timezone.localdate()
    next_cohort = CohortFactory(
        programme=cohort.programme,
        number=10,
        title="10. Schulungsdurchgang",
        applications_open_at=timezone.now() - dt.timedelta(days=10),
        applications_close_on=today + dt.timedelta(days=10),
        start_date=today + dt.timedelta(days=30),
        end_date=today + dt.timedelta(days=90),
    )
    next_cohort.coordinators.add(coordinator)
    queued = []  # the worker's queue: rendering waits until the test lets it happen
    monkeypatch.setattr(certificate_services.render_certificate, "delay", queued.append)
    base_url = live_server.url

    # --- the start page: what to do today ------------------------------------------------------
    log_in(page, axe, base_url, coordinator.email, PASSWORD)
    page.locator(".site-header").get_by_role("link", name="Koordination").click()
    expect(page).to_have_url(base_url + reverse("modules:coordination"))
    today_box = page.get_by_role("region", name=cohort.title)
    expect(today_box).to_contain_text("Paula Petersen: 5. Modul 5 (Praxisaufgabe)")
    expect(today_box).to_contain_text("Voraussetzungen erfüllt: 1 · noch nicht erfüllt: 2")
    axe()

    # --- attendance for the session that lacks it ---------------------------------------------
    today_box.get_by_role("link", name="5. Modul 5").first.click()
    expect(page).to_have_url(base_url + reverse("modules:attendance", args=[sessions[4].pk]))
    axe()
    page.get_by_role("group", name="Bert Bald").get_by_role("radio", name="abwesend").check()
    page.get_by_role("button", name="Anwesenheit speichern").click()
    progress_url = base_url + reverse("modules:progress", args=[cohort.pk])
    expect(page).to_have_url(progress_url)
    axe()
    assert Attendance.objects.get(session=sessions[4], enrollment__user__first_name="Bert").status == "absent"

    # --- the matrix: who is at risk, and a task back with feedback ------------------------------
    page.get_by_role("link", name="nur gefährdet").click()
    expect(page).to_have_url(progress_url + "?nur=gefaehrdet")
    matrix = page.get_by_role("table", name="Teilnehmer:innen und Module")
    expect(matrix.get_by_role("row")).to_have_count(2)  # the header and Bert
    expect(matrix.get_by_role("row", name="Bert Bald")).to_contain_text("gefährdet")
    axe()
    review = page.locator("form.review-form", has_text="Paula Petersen")
    review.get_by_label("Rückmeldung (bei Rückgabe erforderlich)").fill("Bitte ergänzen Sie die Zeitplanung.")
    review.get_by_role("button", name="Zur Überarbeitung zurückgeben").click()
    expect(page.get_by_role("status")).to_contain_text("Die Rückmeldung ist gespeichert.")
    axe()
    task.refresh_from_db()
    assert task.state == TaskSubmission.State.RETURNED
    mail = OutboxMessage.objects.get(kind="task-returned")
    assert mail.recipient == "paula@example.org" and "Bitte ergänzen Sie die Zeitplanung." in mail.body_text

    # --- the next cohort's five sessions in one form --------------------------------------------
    page.goto(base_url + reverse("modules:coordination"))
    axe()
    page.get_by_role("region", name=next_cohort.title).get_by_role("link", name="Termine planen").click()
    expect(page).to_have_url(base_url + reverse("modules:schedule", args=[next_cohort.pk]))
    axe()
    for i in range(5):
        row = page.get_by_role("group", name=f"Zeile {i + 1}: neue Sitzung (optional)")
        day = next_cohort.start_date + dt.timedelta(days=7 * i)
        row.get_by_label("Datum").fill(day.isoformat())
        row.get_by_label("Beginn").fill("13:00")
        row.get_by_label("Ende").fill("15:00")
        row.get_by_label("Beschreibung (englisch)").fill(f"Session {i + 1}")
    page.get_by_role("button", name="Alle Termine speichern").click()
    expect(page.get_by_role("status")).to_contain_text("Die Termine sind gespeichert.")
    axe()
    planned = list(Session.objects.filter(cohort=next_cohort).order_by("starts_at"))
    assert [s.module.position for s in planned] == [1, 2, 3, 4, 5]
    assert planned[4].description_en == "Session 5"

    # --- certificates: issued, with the progress updating by itself -----------------------------
    page.goto(base_url + reverse("certificates:cohort", args=[cohort.pk]))
    axe()
    expect(page.get_by_role("main")).to_contain_text("Modul 5: Termin versäumt, Praxisaufgabe fehlt")
    page.get_by_role("button", name="Zertifikate ausstellen").click()
    expect(page.locator("#issuing-progress")).to_contain_text("In Erstellung: 1")
    axe()
    page.evaluate("() => { window.notReloaded = true; }")
    (certificate,) = Certificate.objects.filter(cohort=cohort)
    assert queued == [certificate.pk]  # the request only queued the rendering
    Certificate.objects.filter(pk=certificate.pk).update(
        status=Certificate.Status.ISSUED
    )  # the worker's result
    expect(page.locator("#issuing-progress")).to_contain_text("Ausgestellt: 1", timeout=10_000)
    expect(page.locator("#issuing-progress")).to_contain_text("Alle Zertifikate sind bearbeitet.")
    assert page.evaluate("() => window.notReloaded") is True

    # --- revocation, confirmed first ------------------------------------------------------------
    page.get_by_role("row", name=certificate.number).get_by_role(
        "link", name="Widerrufen oder neu ausstellen"
    ).click()
    axe()
    page.get_by_role("button", name="Weiter zur Bestätigung").click()
    expect(page.get_by_role("alert")).to_contain_text(f"Zertifikat {certificate.number} von Greta Fertig")
    axe()
    page.get_by_label("Grund").fill("Anwesenheit nachträglich berichtigt")
    page.get_by_role("button", name="Weiter zur Bestätigung").click()
    expect(page.get_by_role("heading", name="Widerruf bestätigen")).to_be_visible()
    axe()
    assert Certificate.objects.get(pk=certificate.pk).status == Certificate.Status.ISSUED
    page.get_by_role("button", name="Ja, widerrufen").click()
    expect(page.get_by_role("status").first).to_contain_text(
        f"Das Zertifikat {certificate.number} ist widerrufen."
    )
    axe()
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED
    assert OutboxMessage.objects.filter(kind="certificate-revoked", recipient="greta@example.org").exists()
