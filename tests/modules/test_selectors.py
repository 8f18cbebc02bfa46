"""The reads behind the curriculum's pages, one behaviour each."""

import datetime as dt

import pytest
import time_machine

from modules import selectors
from modules.models import Attendance, Material, TaskSubmission
from tests.factories import CohortFactory, berlin

from .conftest import session

pytestmark = pytest.mark.django_db

P, E, A = Attendance.Status.PRESENT, Attendance.Status.EXCUSED, Attendance.Status.ABSENT


def attend(s, enrollment, status, by):
    Attendance.objects.create(session=s, enrollment=enrollment, status=status, recorded_by=by)


def test_only_an_excused_absence_asks_for_make_up_work(cohort, modules, coordinator, participant):
    for module, status in zip(modules[:3], [E, A, P], strict=True):
        s = session(cohort, module, dt.date(2022, 10, 25) + dt.timedelta(days=7 * (module.position - 1)))
        attend(s, participant, status, coordinator)
    cards = selectors.participant_dashboard(participant).cards
    assert [card.needs_makeup for card in cards] == [True, False, False, False, False]


def test_the_course_page_shows_its_cohorts_and_the_shared_materials_by_module(cohort, modules, participant):
    other = CohortFactory(programme=cohort.programme, number=9)
    Material.objects.create(module=modules[0], cohort=None, title="B für alle", link="https://example.org/b")
    Material.objects.create(module=modules[0], cohort=cohort, title="A eigene", link="https://example.org/a")
    Material.objects.create(module=modules[1], cohort=other, title="Fremd", link="https://example.org/f")
    cards = selectors.participant_dashboard(participant).cards
    assert [[m.title for m in card.materials] for card in cards] == [
        ["A eigene", "B für alle"],
        [],
        [],
        [],
        [],
    ]


def test_a_refused_upload_goes_to_its_modules_card_and_the_next_session_is_the_first_not_over(
    cohort,
    modules,
    participant,
):
    first = session(cohort, modules[0], dt.date(2022, 10, 25))
    second = session(cohort, modules[1], dt.date(2022, 11, 1))
    error = selectors.UploadError(module=modules[1].pk, kind="task", message="zu groß")
    page = selectors.participant_dashboard(participant, upload_error=error, now=berlin(2022, 10, 25, 14))
    assert [card.upload_error for card in page.cards] == [None, error, None, None, None]
    assert page.next_session == first
    later = selectors.participant_dashboard(participant, now=berlin(2022, 10, 25, 16))
    assert later.next_session == second and all(card.upload_error is None for card in later.cards)


def test_the_matrix_lists_only_submissions_that_wait_for_a_decision(cohort, modules, participant):
    for module, state in zip(
        modules[:2], [TaskSubmission.State.SUBMITTED, TaskSubmission.State.ACCEPTED], strict=True
    ):
        TaskSubmission.objects.create(
            enrollment=participant,
            module=module,
            file="x.pdf",
            file_name="x.pdf",
            state=state,
            submitted_at=berlin(2022, 11, 1),
        )
    matrix = selectors.progress_matrix(cohort)
    assert [(p.enrollment, p.module, p.submission.state) for p in matrix.pending] == [
        (participant, modules[0], TaskSubmission.State.SUBMITTED)
    ]
    assert [row.enrollment for row in matrix.rows] == [participant]


def test_the_attendance_sheet_preselects_present_until_recorded(cohort, modules, coordinator, participant):
    s = session(cohort, modules[0], dt.date(2022, 10, 25))
    sheet = selectors.attendance_sheet(s)
    assert sheet.rows == [(participant, P)] and sheet.recorded == {}
    attend(s, participant, A, coordinator)
    assert selectors.attendance_sheet(s).rows == [(participant, A)]


def test_coordinators_see_only_their_cohorts_newest_first(cohort, coordinator):
    newer = CohortFactory(programme=cohort.programme, number=7)
    CohortFactory(programme=cohort.programme, number=8)
    newer.coordinators.add(coordinator)
    assert list(selectors.coordination_cohorts(coordinator)) == [newer, cohort]


@time_machine.travel(berlin(2022, 11, 1, 10), tick=False)
def test_the_archive_marks_the_held_cohorts(cohort):
    held = CohortFactory(
        programme=cohort.programme,
        number=2,
        start_date=dt.date(2022, 4, 4),
        end_date=dt.date(2022, 6, 24),
        applications_open_at=berlin(2022, 2, 1),
        applications_close_on=dt.date(2022, 3, 11),
    )
    archive = selectors.cohort_archive(None, per_page=25)
    assert [(row.cohort, row.is_past) for row in archive.cohorts] == [(cohort, False), (held, True)]
    assert archive.page.paginator.count == 2
