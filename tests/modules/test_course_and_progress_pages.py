"""The participant's and the coordinator's pages of the curriculum: progress and the next session,
the calendar file, downloads only for those who may open them, the progress matrix and its CSV,
and query counts that do not grow with the cohort."""

import datetime as dt

import pytest
from django.urls import reverse

from cohorts.models import Enrollment
from modules import services
from modules.models import Attendance, Material, Session, TaskSubmission
from portal.accounts.models import User
from tests.applications.conftest import pdf_bytes
from tests.factories import CohortFactory, EnrollmentFactory, berlin

from .conftest import session, upload

pytestmark = pytest.mark.django_db

P, E, A = Attendance.Status.PRESENT, Attendance.Status.EXCUSED, Attendance.Status.ABSENT
OK, SUBMITTED = TaskSubmission.State.ACCEPTED, TaskSubmission.State.SUBMITTED


# --- participant pages ------------------------------------------------------------------------


def complete(cohort, module, enrollment, coordinator, day):
    s = session(cohort, module, day)
    Attendance.objects.create(session=s, enrollment=enrollment, status=P, recorded_by=coordinator)
    TaskSubmission.objects.create(
        enrollment=enrollment,
        module=module,
        kind="task",
        state=OK,
        file="x.pdf",
        file_name="x.pdf",
        submitted_at=s.starts_at,
    )


def test_dashboard_shows_progress_as_text_and_the_next_session(
    client, cohort, modules, coordinator, participant
):
    complete(cohort, modules[0], participant, coordinator, dt.date(2022, 10, 25))
    complete(cohort, modules[1], participant, coordinator, dt.date(2022, 11, 8))
    session(cohort, modules[2], dt.date(2022, 12, 6))
    client.force_login(participant.user)
    import time_machine

    with time_machine.travel(berlin(2022, 11, 20, 10), tick=False):
        page = client.get(reverse("modules:dashboard")).content.decode()
    assert "2 von 5 Modulen abgeschlossen" in page
    assert '<progress id="overall-progress" class="progress-bar" max="5" value="2">40 %</progress>' in page
    assert "Nächster Termin" in page and "06.12.2022, 13:00" in page


def test_ics_has_berlin_times_in_summer_and_winter(client, cohort, modules, participant):
    session(cohort, modules[0], dt.date(2022, 10, 25))  # CEST
    session(cohort, modules[1], dt.date(2022, 12, 6))  # CET
    client.force_login(participant.user)
    response = client.get(reverse("modules:calendar"))
    body = response.content.decode()
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "DTSTART;TZID=Europe/Berlin:20221025T130000" in body
    assert "DTSTART;TZID=Europe/Berlin:20221206T130000" in body
    assert "TZOFFSETTO:+0200" in body and "TZOFFSETTO:+0100" in body
    from icalendar import Calendar

    events = list(Calendar.from_ical(response.content).walk("VEVENT"))
    assert [e.decoded("dtstart").astimezone(dt.UTC).hour for e in events] == [11, 12]


def test_materials_and_work_of_others_are_not_found(client, cohort, modules, participant):
    other_cohort_material = Material.objects.create(
        module=modules[0],
        cohort=CohortFactory(),
        title="Fremd",
        file="private/materials/x.pdf",
        file_name="x.pdf",
    )
    foreign = EnrollmentFactory(cohort=cohort, state=Enrollment.State.CONFIRMED)
    work = TaskSubmission.objects.create(
        enrollment=foreign,
        module=modules[0],
        file="private/tasks/y.pdf",
        file_name="y.pdf",
        submitted_at=berlin(2022, 11, 1),
    )
    client.force_login(participant.user)
    assert client.get(reverse("modules:material", args=[other_cohort_material.pk])).status_code == 404
    assert client.get(reverse("modules:submission_file", args=[work.pk])).status_code == 404
    assert client.get(reverse("modules:progress", args=[cohort.pk])).status_code == 404
    assert (
        client.get(
            reverse(
                "modules:attendance",
                args=[
                    Session.objects.create(
                        cohort=cohort,
                        module=modules[0],
                        starts_at=berlin(2022, 11, 1, 9),
                        ends_at=berlin(2022, 11, 1, 10),
                    ).pk
                ],
            )
        ).status_code
        == 404
    )


def test_own_material_is_a_download(client, cohort, modules, coordinator, participant, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    material = services.add_material(
        module=modules[0],
        cohort=cohort,
        title="Folien",
        by=coordinator,
        file=upload("Folien Modul 1.pdf", pdf_bytes()),
    )
    client.force_login(participant.user)
    response = client.get(reverse("modules:material", args=[material.pk]))
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="Folien Modul 1.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_progress_matrix_and_csv(client, cohort, modules, coordinator, participant):
    complete(cohort, modules[0], participant, coordinator, dt.date(2022, 10, 25))
    client.force_login(coordinator)
    page = client.get(reverse("modules:progress", args=[cohort.pk])).content.decode()
    assert participant.user.get_full_name() in page and "1 / 5" in page
    csv_text = client.get(reverse("modules:progress_csv", args=[cohort.pk])).content.decode("utf-8-sig")
    header, row = csv_text.splitlines()[:2]
    assert header.startswith("Name;E-Mail;Kommune;1: 25.10.2022 13:00;Modul 1")
    assert row.endswith(";anwesend;ja;nein;nein;nein;nein;1/5")


def test_dashboard_and_matrix_query_counts_do_not_grow(
    client, cohort, modules, coordinator, participant, django_assert_num_queries
):
    def fill(count):
        users = User.objects.bulk_create(
            User(email=f"p{count}-{i}@example.org", first_name="P", last_name=str(i)) for i in range(count)
        )
        enrollments = Enrollment.objects.bulk_create(
            Enrollment(cohort=cohort, user=u, state="confirmed") for u in users
        )
        for s in Session.objects.filter(cohort=cohort):
            Attendance.objects.bulk_create(
                Attendance(session=s, enrollment=e, status=P, recorded_by=coordinator) for e in enrollments
            )

    for index, module in enumerate(modules):
        session(cohort, module, dt.date(2022, 10, 25) + dt.timedelta(days=7 * index))
    fill(14)
    client.force_login(coordinator)
    with django_assert_num_queries(11):
        client.get(reverse("modules:progress", args=[cohort.pk]))
    client.force_login(participant.user)
    with django_assert_num_queries(11):
        client.get(reverse("modules:dashboard"))
    fill(285)
    Material.objects.create(module=modules[1], cohort=cohort, title="Mehr", link="https://example.org/m")
    client.force_login(coordinator)
    with django_assert_num_queries(11):
        response = client.get(reverse("modules:progress", args=[cohort.pk]))
    assert response.content.decode().count('<th scope="row">') == 300
    client.force_login(participant.user)
    with django_assert_num_queries(11):
        client.get(reverse("modules:dashboard"))


def test_admin_adds_a_session_and_links_to_it(client, cohort, modules, coordinator):
    from django.contrib.admin.models import LogEntry

    client.force_login(coordinator)
    response = client.post(
        reverse("admin:modules_session_add"),
        {
            "cohort": cohort.pk,
            "module": modules[1].pk,
            "starts_at_0": "08.11.2022",
            "starts_at_1": "13:00",
            "ends_at_0": "08.11.2022",
            "ends_at_1": "15:00",
            "meeting_url": "konferenz.example.org/raum",
            "trainer": "",
            "description": "",
            "_continue": "1",
        },
    )
    created = Session.objects.get()
    assert response["Location"] == reverse("admin:modules_session_change", args=[created.pk])
    assert created.meeting_url == "https://konferenz.example.org/raum"
    assert LogEntry.objects.get().object_id == str(created.pk)
    page = client.get(response["Location"]).content.decode()
    assert 'aria-label="Beginn: Datum"' in page
