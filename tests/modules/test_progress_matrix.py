"""The progress matrix a coordinator scans: each module's state as colour, icon and words, the work
to review at the top (oldest first), filters for the open and the at-risk participants, and no
other cohort's people."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.urls import reverse

from cohorts.models import Enrollment
from modules.coordination import cell, progress_matrix
from modules.models import Attendance, TaskDeadline, TaskSubmission
from tests.factories import CohortFactory, EnrollmentFactory, UserFactory, berlin

from .conftest import session
from .test_coordination_home import attend, submit

pytestmark = pytest.mark.django_db

NOW = berlin(2022, 11, 20, 10)


@pytest.fixture
def people(cohort, modules, coordinator):
    """Anna completed module 1, Bert missed its session and has nothing handed in after the
    deadline, Cleo handed in module 1's task for review; module 2 runs, modules 3-5 are to come."""
    s1 = session(cohort, modules[0], dt.date(2022, 10, 25))
    session(cohort, modules[1], dt.date(2022, 11, 15))
    session(cohort, modules[1], dt.date(2022, 11, 29))
    for i, module in enumerate(modules[2:]):
        session(cohort, module, dt.date(2022, 12, 6) + dt.timedelta(days=i))
    TaskDeadline.objects.create(cohort=cohort, module=modules[0], due_at=berlin(2022, 11, 10, 23, 59))
    names = {}
    for first in ("Anna", "Bert", "Cleo"):
        names[first] = EnrollmentFactory(
            cohort=cohort,
            state=Enrollment.State.CONFIRMED,
            user=UserFactory(first_name=first, last_name="Muster"),
        )
    attend(s1, names["Anna"], Attendance.Status.PRESENT, coordinator)
    attend(s1, names["Bert"], Attendance.Status.ABSENT, coordinator)
    attend(s1, names["Cleo"], Attendance.Status.PRESENT, coordinator)
    submit(names["Anna"], modules[0], state=TaskSubmission.State.ACCEPTED)
    names["review"] = submit(names["Cleo"], modules[0], at=berlin(2022, 11, 9, 8))
    return names


def test_each_module_state_is_colour_icon_and_words(cohort, people):
    with time_machine.travel(NOW, tick=False):
        matrix = progress_matrix(cohort)
    states = {row.progress.enrollment.user.first_name: [c.state for c in row.cells] for row in matrix.rows}
    assert states == {
        "Anna": ["completed", "running", "upcoming", "upcoming", "upcoming"],
        "Bert": ["at_risk", "running", "upcoming", "upcoming", "upcoming"],
        "Cleo": ["review", "running", "upcoming", "upcoming", "upcoming"],
    }
    anna = matrix.rows[0].cells[0]
    assert (anna.label, anna.tone, anna.icon) == ("abgeschlossen", "success", "check")


def test_the_filters_keep_the_open_and_the_at_risk(client, cohort, people, coordinator):
    client.force_login(coordinator)
    url = reverse("modules:progress", args=[cohort.pk])
    with time_machine.travel(NOW, tick=False):
        everyone = client.get(url).content.decode()
        at_risk = client.get(url, {"nur": "gefaehrdet"}).content.decode()
        unknown = client.get(url, {"nur": "<script>"}).content.decode()
    assert everyone.count('<th scope="row">') == 3 and "3 von 3 Teilnehmer:innen angezeigt." in everyone
    assert (
        at_risk.count('<th scope="row">') == 1 and "Bert Muster" in at_risk and "Anna Muster" not in at_risk
    )
    assert 'href="?nur=gefaehrdet" class="matrix-filter" aria-current="page"' in at_risk
    assert unknown.count('<th scope="row">') == 3 and "<script>" not in unknown
    assert '<span class="kern-icon kern-icon--danger" aria-hidden="true"></span>gefährdet' in at_risk


def test_only_open_hides_who_completed_everything(cohort, modules, people, coordinator):
    with time_machine.travel(NOW, tick=False):
        matrix = progress_matrix(cohort, only="offen")
    assert len(matrix.rows) == 3  # nobody has completed all five modules yet
    TaskSubmission.objects.filter(enrollment=people["Anna"]).delete()
    for s in cohort.sessions.all():
        Attendance.objects.update_or_create(
            session=s, enrollment=people["Anna"], defaults={"status": "present", "recorded_by": coordinator}
        )
    for module in modules:
        submit(people["Anna"], module, state=TaskSubmission.State.ACCEPTED)
    with time_machine.travel(berlin(2022, 12, 20), tick=False):
        matrix = progress_matrix(cohort, only="offen")
    assert [row.progress.enrollment.user.first_name for row in matrix.rows] == ["Bert", "Cleo"]
    assert matrix.total == 3


def test_the_work_to_review_comes_first(client, cohort, modules, people, coordinator):
    newer = submit(people["Anna"], modules[1], at=berlin(2022, 11, 18, 8))
    client.force_login(coordinator)
    with time_machine.travel(NOW, tick=False):
        page = client.get(reverse("modules:progress", args=[cohort.pk])).content.decode()
    first, second = (
        page.index(f'id="submission-{people["review"].pk}"'),
        page.index(f'id="submission-{newer.pk}"'),
    )
    assert first < second < page.index('id="matrix-caption"')


def test_a_cell_without_sessions_is_upcoming(cohort, modules, participant):
    with time_machine.travel(NOW, tick=False):
        (row,) = progress_matrix(cohort).rows
    assert cell(row.cells[0].progress, None).state == "upcoming"


def test_another_cohorts_coordinator_sees_nothing(client, cohort, people):
    other = CohortFactory(number=8)
    stranger = UserFactory(is_staff=True)
    stranger.groups.add(Group.objects.get(name="coordinators"))
    other.coordinators.add(stranger)
    client.force_login(stranger)
    assert client.get(reverse("modules:progress", args=[cohort.pk])).status_code == 404
    client.force_login(people["Anna"].user)
    assert client.get(reverse("modules:progress", args=[cohort.pk])).status_code == 404
