import datetime as dt
import io
import zipfile

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cohorts.models import Enrollment
from modules import services
from modules.models import Attendance, Session, TaskDeadline, TaskSubmission
from modules.progress import module_completed
from tests.applications.conftest import pdf_bytes
from tests.factories import CohortFactory, EnrollmentFactory, UserFactory, berlin

from .conftest import docx_bytes, odt_bytes, session, upload

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
    assert (
        f'<legend class="kern-label" id="person-{participant.pk}">{participant.user.get_full_name()}' in page
    )
    assert f'value="present" id="status-{participant.pk}-present" checked>' in page
    assert "<table" not in page  # one group of radios per person: no column hides sideways
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
