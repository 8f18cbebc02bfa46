"""The coordinators' start page: for each of their cohorts the next sessions, attendance still to
record, work to review (oldest first), participants at risk and who can receive a certificate and
why the others cannot; in the same number of queries for one cohort as for many."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.urls import reverse

from cohorts.models import Enrollment
from modules.coordination import coordination_home
from modules.models import Attendance, Module, Session, TaskDeadline, TaskSubmission
from portal.accounts.models import User
from tests.factories import CohortFactory, EnrollmentFactory, UserFactory, berlin

from .conftest import session

pytestmark = pytest.mark.django_db

P, E, A = Attendance.Status.PRESENT, Attendance.Status.EXCUSED, Attendance.Status.ABSENT
NOW = berlin(2022, 11, 20, 10)


def submit(enrollment, module, state=TaskSubmission.State.SUBMITTED, at=None, kind="task"):
    return TaskSubmission.objects.create(
        enrollment=enrollment,
        module=module,
        kind=kind,
        state=state,
        file="x.pdf",
        file_name="x.pdf",
        submitted_at=at or berlin(2022, 11, 1, 9),
    )


def attend(s, enrollment, status, by):
    Attendance.objects.create(session=s, enrollment=enrollment, status=status, recorded_by=by)


@pytest.fixture
def planned(cohort, modules):
    """One session per module, weekly from 25.10.2022: the last (22.11.) is after NOW."""
    return [
        session(cohort, m, dt.date(2022, 10, 25) + dt.timedelta(days=7 * i)) for i, m in enumerate(modules)
    ]


def test_home_says_what_to_do_for_the_cohort(client, cohort, modules, planned, coordinator, participant):
    late = EnrollmentFactory(
        cohort=cohort, state=Enrollment.State.CONFIRMED, user=UserFactory(first_name="Lea", last_name="Late")
    )
    participant.user.first_name, participant.user.last_name = "Petra", "Punkt"
    participant.user.save()
    attend(planned[0], participant, P, coordinator)
    attend(planned[0], late, A, coordinator)  # session 2 (01.11.) has nothing recorded
    TaskDeadline.objects.create(cohort=cohort, module=modules[0], due_at=berlin(2022, 11, 10, 23, 59))
    newer = submit(participant, modules[1], at=berlin(2022, 11, 12, 9))
    older = submit(participant, modules[0], at=berlin(2022, 11, 2, 9))
    client.force_login(coordinator)
    with time_machine.travel(NOW, tick=False):
        home = coordination_home(coordinator)
        page = client.get(reverse("modules:coordination")).content.decode()
    (item,) = home.cohorts
    assert item.next_sessions == [planned[4]]
    assert [(u.session.pk, u.recorded, u.expected) for u in item.unrecorded] == [
        (planned[1].pk, 0, 2),
        (planned[2].pk, 0, 2),
        (planned[3].pk, 0, 2),
    ]
    assert [p.submission.pk for p in item.pending] == [older.pk, newer.pk]
    (risk,) = item.at_risk
    assert risk.enrollment == late and risk.missed == [planned[0]] and risk.overdue == [modules[0]]
    assert item.eligible == []
    reasons = {row.enrollment.pk: row.reasons for row in item.not_eligible}
    assert reasons[participant.pk][0] == "Modul 1: Praxisaufgabe noch nicht geprüft"
    assert reasons[late.pk][0] == "Modul 1: Termin versäumt, Praxisaufgabe fehlt"
    assert reasons[late.pk][1] == "Modul 2: Anwesenheit fehlt, Praxisaufgabe fehlt"
    assert reasons[late.pk][4] == "Modul 5: Termin steht noch aus, Praxisaufgabe fehlt"
    assert "Lea Late" in page and "Praxisaufgabe überfällig" in page
    assert "Modul 1: Termin versäumt, Praxisaufgabe fehlt" in page
    assert page.index(f"#submission-{older.pk}") < page.index(f"#submission-{newer.pk}")
    assert reverse("modules:attendance", args=[planned[1].pk]) in page


def test_a_completed_participant_counts_as_eligible(cohort, modules, planned, coordinator, participant):
    for s, module in zip(planned, modules, strict=True):
        attend(s, participant, E if module.position == 2 else P, coordinator)
        submit(participant, module, state=TaskSubmission.State.ACCEPTED)
    submit(participant, modules[1], state=TaskSubmission.State.RETURNED, kind="makeup")
    with time_machine.travel(berlin(2022, 12, 20, 10), tick=False):
        (item,) = coordination_home(coordinator).cohorts
        assert [row.reasons for row in item.not_eligible] == [
            ["Modul 2: Ersatzleistung zur Überarbeitung zurückgegeben"]
        ]
        TaskSubmission.objects.filter(kind="makeup").update(state=TaskSubmission.State.ACCEPTED)
        (item,) = coordination_home(coordinator).cohorts
    assert item.eligible == [participant] and item.not_eligible == [] and item.unrecorded == []


def test_home_shows_only_own_cohorts_and_old_ones_as_a_list(client, cohort, coordinator):
    other = CohortFactory(number=9, start_date=dt.date(2022, 10, 1), end_date=dt.date(2022, 12, 1))
    old = CohortFactory(number=1, start_date=dt.date(2021, 3, 1), end_date=dt.date(2021, 5, 1))
    old.coordinators.add(coordinator)
    other_user = EnrollmentFactory(cohort=other, state=Enrollment.State.CONFIRMED).user
    client.force_login(coordinator)
    with time_machine.travel(NOW, tick=False):
        home = coordination_home(coordinator)
        page = client.get(reverse("modules:coordination")).content.decode()
    assert [c.cohort for c in home.cohorts] == [cohort] and home.earlier == [old]
    assert other.localized_title not in page and other_user.get_full_name() not in page
    assert "Frühere Durchgänge" in page


def test_participants_and_applicants_may_not_open_the_home(client, participant):
    client.force_login(participant.user)
    assert client.get(reverse("modules:coordination")).status_code == 403


def _fill(cohort, coordinator, count, tag):
    users = User.objects.bulk_create(
        User(email=f"{tag}-{i}@example.org", first_name="P", last_name=f"{tag}{i}") for i in range(count)
    )
    enrollments = Enrollment.objects.bulk_create(
        Enrollment(cohort=cohort, user=u, state="confirmed") for u in users
    )
    modules = list(Module.objects.filter(programme=cohort.programme).order_by("position"))
    sessions = list(Session.objects.filter(cohort=cohort))
    for s in sessions[:2]:
        Attendance.objects.bulk_create(
            Attendance(session=s, enrollment=e, status=A, recorded_by=coordinator) for e in enrollments
        )
    TaskSubmission.objects.bulk_create(
        TaskSubmission(
            enrollment=e,
            module=modules[0],
            file="x.pdf",
            file_name="x.pdf",
            submitted_at=berlin(2022, 11, 1, 9),
        )
        for e in enrollments
    )


def test_home_query_count_does_not_grow_with_cohorts_or_participants(
    client, cohort, modules, planned, coordinator, django_assert_num_queries
):
    _fill(cohort, coordinator, 1, "a")
    client.force_login(coordinator)
    with time_machine.travel(NOW, tick=False):
        with django_assert_num_queries(11):
            client.get(reverse("modules:coordination"))
    for number in range(4, 8):
        more = CohortFactory(
            programme=cohort.programme,
            number=number,
            start_date=cohort.start_date,
            end_date=cohort.end_date,
            applications_open_at=cohort.applications_open_at,
            applications_close_on=cohort.applications_close_on,
        )
        more.coordinators.add(coordinator)
        for i, module in enumerate(modules):
            session(more, module, dt.date(2022, 10, 26) + dt.timedelta(days=7 * i))
        _fill(more, coordinator, 60, f"c{number}")
    _fill(cohort, coordinator, 60, "b")
    with time_machine.travel(NOW, tick=False):
        with django_assert_num_queries(11):
            response = client.get(reverse("modules:coordination"))
    page = response.content.decode()
    assert page.count('class="coordination-cohort"') == 5
    assert page.count("Praxisaufgabe überfällig") == 0 and page.count("2 Termine versäumt") == 301


def test_coordinator_group_membership_is_required(client, cohort):
    user = UserFactory(is_staff=True)
    cohort.coordinators.add(user)
    client.force_login(user)
    assert client.get(reverse("modules:coordination")).status_code == 403
    user.groups.add(Group.objects.get(name="coordinators"))
    assert client.get(reverse("modules:coordination")).status_code == 200
