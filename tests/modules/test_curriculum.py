import datetime as dt
import io
import zipfile

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cohorts.models import Enrollment
from modules import services
from modules.models import Attendance, Material, Module, Session, TaskDeadline, TaskSubmission
from modules.progress import module_completed
from portal.accounts.models import User
from tests.applications.conftest import pdf_bytes
from tests.factories import CohortFactory, EnrollmentFactory, UserFactory, berlin

pytestmark = pytest.mark.django_db

P, E, A = Attendance.Status.PRESENT, Attendance.Status.EXCUSED, Attendance.Status.ABSENT
OK, SUBMITTED = TaskSubmission.State.ACCEPTED, TaskSubmission.State.SUBMITTED


class S:
    def __init__(self, pk):
        self.pk = pk


@pytest.mark.parametrize(
    ("attendance", "submissions", "expected"),
    [
        ({1: P, 2: P}, {"task": OK}, True),
        ({1: P, 2: P}, {"task": SUBMITTED}, False),
        ({1: P, 2: P}, {}, False),
        ({1: P}, {"task": OK}, False),  # one session not recorded
        ({1: P, 2: A}, {"task": OK}, False),
        ({1: P, 2: E}, {"task": OK}, False),  # excused, but no make-up task
        ({1: P, 2: E}, {"task": OK, "makeup": SUBMITTED}, False),
        ({1: P, 2: E}, {"task": OK, "makeup": OK}, True),
        (
            {1: A, 2: P},
            {"task": OK, "makeup": OK},
            False,
        ),  # a make-up task does not cure an unexcused absence
    ],
)
def test_completion_rule(attendance, submissions, expected):
    assert module_completed(sessions=[S(1), S(2)], attendance=attendance, submissions=submissions) is expected


def test_a_module_without_sessions_is_not_completed():
    assert module_completed(sessions=[], attendance={}, submissions={"task": OK}) is False


@pytest.fixture
def cohort(db):
    return CohortFactory(
        number=3,
        start_date=dt.date(2022, 10, 24),
        end_date=dt.date(2022, 12, 16),
        applications_open_at=berlin(2022, 8, 1),
        applications_close_on=dt.date(2022, 10, 4),
    )


@pytest.fixture
def modules(cohort):
    return [
        Module.objects.create(programme=cohort.programme, position=i, title=f"Modul {i}") for i in range(1, 6)
    ]


@pytest.fixture
def coordinator(cohort):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="coordinators"))
    cohort.coordinators.add(user)
    return user


@pytest.fixture
def participant(cohort):
    return EnrollmentFactory(cohort=cohort, state=Enrollment.State.CONFIRMED)


def session(cohort, module, day, hour=13):
    start = berlin(2022, day.month, day.day, hour)
    return Session.objects.create(
        cohort=cohort, module=module, starts_at=start, ends_at=start + dt.timedelta(hours=2)
    )


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def odt_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def upload(name, content):
    return SimpleUploadedFile(name, content)


# --- scheduling ----------------------------------------------------------------------------


def test_sessions_may_not_overlap_or_leave_the_cohort_period(cohort, modules, coordinator):
    first = services.schedule_session(
        cohort=cohort,
        module=modules[0],
        starts_at=berlin(2022, 10, 25, 13),
        ends_at=berlin(2022, 10, 25, 15),
        by=coordinator,
    )
    with pytest.raises(ValidationError, match="überschneidet sich"):
        services.schedule_session(
            cohort=cohort,
            module=modules[1],
            starts_at=berlin(2022, 10, 25, 14),
            ends_at=berlin(2022, 10, 25, 16),
            by=coordinator,
        )
    with pytest.raises(ValidationError, match="im Zeitraum des Durchgangs .*24.10.2022 bis 16.12.2022"):
        services.schedule_session(
            cohort=cohort,
            module=modules[1],
            starts_at=berlin(2022, 12, 20, 13),
            ends_at=berlin(2022, 12, 20, 15),
            by=coordinator,
        )
    with pytest.raises(ValidationError, match="Ende muss nach dem Beginn"):
        services.schedule_session(
            cohort=cohort,
            module=modules[1],
            starts_at=berlin(2022, 11, 1, 15),
            ends_at=berlin(2022, 11, 1, 13),
            by=coordinator,
        )
    # Moving a session onto its own slot is not an overlap; back-to-back sessions are fine.
    services.schedule_session(
        cohort=cohort,
        module=modules[0],
        starts_at=berlin(2022, 10, 25, 13),
        ends_at=berlin(2022, 10, 25, 15),
        by=coordinator,
        session=first,
    )
    services.schedule_session(
        cohort=cohort,
        module=modules[1],
        starts_at=berlin(2022, 10, 25, 15),
        ends_at=berlin(2022, 10, 25, 17),
        by=coordinator,
    )
    assert Session.objects.count() == 2


def test_a_coordinator_of_another_cohort_changes_nothing(cohort, modules, participant):
    other = UserFactory(is_staff=True)
    other.groups.add(Group.objects.get(name="coordinators"))
    CohortFactory().coordinators.add(other)
    with pytest.raises(PermissionDenied):
        services.schedule_session(
            cohort=cohort,
            module=modules[0],
            starts_at=berlin(2022, 10, 25, 13),
            ends_at=berlin(2022, 10, 25, 15),
            by=other,
        )
    s = session(cohort, modules[0], dt.date(2022, 10, 25))
    with pytest.raises(PermissionDenied):
        services.record_attendance(session=s, statuses={participant.pk: P}, by=other)
    assert not Attendance.objects.exists()


def test_admin_session_form_shows_the_overlap(client, cohort, modules, coordinator):
    session(cohort, modules[0], dt.date(2022, 10, 25))
    client.force_login(coordinator)
    response = client.post(
        reverse("admin:modules_session_add"),
        {
            "cohort": cohort.pk,
            "module": modules[1].pk,
            "starts_at_0": "25.10.2022",
            "starts_at_1": "14:00",
            "ends_at_0": "25.10.2022",
            "ends_at_1": "16:00",
            "meeting_url": "",
            "trainer": "",
            "description": "",
        },
    )
    assert "überschneidet sich" in response.content.decode()
    assert Session.objects.count() == 1


# --- attendance ------------------------------------------------------------------------------


def test_bulk_attendance_and_its_limits(cohort, modules, coordinator, participant):
    second = EnrollmentFactory(cohort=cohort, state=Enrollment.State.CONFIRMED)
    s = session(cohort, modules[0], dt.date(2022, 10, 25))
    services.record_attendance(
        session=s, statuses={participant.pk: P, second.pk: A}, by=coordinator, at=berlin(2022, 10, 25, 15)
    )
    services.record_attendance(
        session=s, statuses={participant.pk: P, second.pk: E}, by=coordinator, at=berlin(2022, 10, 25, 16)
    )
    assert dict(Attendance.objects.values_list("enrollment_id", "status")) == {
        participant.pk: P,
        second.pk: E,
    }
    stranger = EnrollmentFactory(state=Enrollment.State.CONFIRMED)
    with pytest.raises(ValidationError, match="nur Teilnehmer:innen dieses Durchgangs"):
        services.record_attendance(
            session=s, statuses={stranger.pk: P}, by=coordinator, at=berlin(2022, 10, 26)
        )
    later = session(cohort, modules[1], dt.date(2022, 11, 8))
    with pytest.raises(ValidationError, match="erst ab Beginn"):
        services.record_attendance(
            session=later, statuses={participant.pk: P}, by=coordinator, at=berlin(2022, 11, 7)
        )


def test_attendance_page_preselects_present_and_saves(client, cohort, modules, coordinator, participant):
    s = session(cohort, modules[0], dt.date(2022, 10, 25))
    client.force_login(coordinator)
    page = client.get(reverse("modules:attendance", args=[s.pk])).content.decode()
    assert f'value="present" id="status-{participant.pk}-present" aria-labelledby' in page
    assert "checked" in page.split(f"status-{participant.pk}-present")[1][:200]
    client.post(reverse("modules:attendance", args=[s.pk]), {f"status-{participant.pk}": "excused"})
    assert Attendance.objects.get().status == E


# --- tasks -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("aufgabe.pdf", b"MZ\x90\x00" + b"\x00" * 100, "kein erlaubtes Format"),
        ("aufgabe.docx", b"<html></html>", "kein erlaubtes Format"),
        ("folien.pptx", None, "kein erlaubtes Format"),
        ("gross.pdf", pdf_bytes() + b" " * (10 * 1024 * 1024), "höchstens 10,0"),
    ],
)
def test_bad_task_uploads_are_refused(cohort, modules, participant, name, content, message):
    if content is None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("ppt/presentation.xml", "<p/>")
        content = buffer.getvalue()
    with pytest.raises(ValidationError, match=message):
        services.upload_task(
            enrollment=participant,
            module=modules[0],
            file=upload(name, content),
            user=participant.user,
            at=berlin(2022, 11, 1),
        )
    assert not TaskSubmission.objects.exists()


@pytest.mark.parametrize("content", [pdf_bytes(), docx_bytes(), odt_bytes()])
def test_pdf_docx_and_odt_tasks_are_accepted_by_content(cohort, modules, participant, content):
    submission = services.upload_task(
        enrollment=participant,
        module=modules[0],
        file=upload("a.bin", content),
        user=participant.user,
        at=berlin(2022, 11, 1),
    )
    assert submission.state == TaskSubmission.State.SUBMITTED
    assert submission.file.name.startswith("private/tasks/") and not submission.file.name.endswith(".bin")


def test_task_after_its_deadline_is_refused(cohort, modules, participant):
    TaskDeadline.objects.create(cohort=cohort, module=modules[0], due_at=berlin(2022, 11, 6, 23, 59))
    services.upload_task(
        enrollment=participant,
        module=modules[0],
        file=upload("a.pdf", pdf_bytes()),
        user=participant.user,
        at=berlin(2022, 11, 6, 23, 59),
    )
    with pytest.raises(ValidationError, match="Abgabefrist endete am 06.11.2022, 23:59 Uhr"):
        services.upload_task(
            enrollment=participant,
            module=modules[0],
            file=upload("b.pdf", pdf_bytes()),
            user=participant.user,
            at=berlin(2022, 11, 7, 0, 0),
        )


def test_review_accept_or_return_with_comment(cohort, modules, coordinator, participant):
    submission = services.upload_task(
        enrollment=participant,
        module=modules[0],
        file=upload("a.pdf", pdf_bytes()),
        user=participant.user,
        at=berlin(2022, 11, 1),
    )
    with pytest.raises(ValidationError, match="was überarbeitet werden soll"):
        services.review_task(
            submission=submission, accept=False, comment=" ", by=coordinator, at=berlin(2022, 11, 2)
        )
    services.review_task(
        submission=submission, accept=True, comment="", by=coordinator, at=berlin(2022, 11, 2)
    )
    with pytest.raises(ValidationError, match="bereits angenommen"):
        services.upload_task(
            enrollment=participant,
            module=modules[0],
            file=upload("b.pdf", pdf_bytes()),
            user=participant.user,
            at=berlin(2022, 11, 3),
        )


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
