"""A small world for the evaluation waves: one programme with its plan T0/T1/T2, a cohort that
ended, its participants with certificates, and helpers to answer a wave."""

import datetime as dt
from dataclasses import dataclass, field

from certificates.models import Certificate
from cohorts.models import BERLIN, Enrollment
from evaluation import instruments, waves
from evaluation.models import Invitation, Wave
from tests.factories import CohortFactory, EnrollmentFactory, ProgrammeFactory, UserFactory

NOW = dt.datetime(2024, 6, 3, 10, tzinfo=BERLIN)


@dataclass
class World:
    programme: object
    cohort: object
    plan: dict
    enrollments: list = field(default_factory=list)
    certificates: dict = field(default_factory=dict)  # enrollment pk -> Certificate


def certify(enrollment: Enrollment, *, issued_on: dt.date, sequence: int) -> Certificate:
    cohort = enrollment.cohort
    return Certificate.objects.create(
        enrollment=enrollment,
        cohort=cohort,
        sequence=sequence,
        number=f"SCM-{cohort.number}-{sequence:04d}",
        holder_name=enrollment.user.get_full_name(),
        programme_title=cohort.programme.title,
        cohort_title=cohort.title,
        cohort_start=cohort.start_date,
        cohort_end=cohort.end_date,
        issued_on=issued_on,
        status=Certificate.Status.ISSUED,
    )


def build(*, people: int = 4, issued_days_ago: int = 3, now: dt.datetime = NOW) -> World:
    programme = ProgrammeFactory()
    today = now.astimezone(BERLIN).date()
    cohort = CohortFactory(
        programme=programme,
        applications_open_at=now - dt.timedelta(days=200),
        applications_close_on=today - dt.timedelta(days=150),
        start_date=today - dt.timedelta(days=120),
        end_date=today - dt.timedelta(days=issued_days_ago),
    )
    world = World(
        programme=programme, cohort=cohort, plan={w.kind: w for w in waves.ensure_plan(programme=programme)}
    )
    for index in range(people):
        enrollment = EnrollmentFactory(cohort=cohort, user=UserFactory(first_name=f"Person{index}"))
        # The seat was accepted before the course: T0 is long closed.
        Enrollment.objects.filter(pk=enrollment.pk).update(created_at=now - dt.timedelta(days=130))
        enrollment.refresh_from_db()
        world.enrollments.append(enrollment)
        world.certificates[enrollment.pk] = certify(
            enrollment, issued_on=today - dt.timedelta(days=issued_days_ago), sequence=index + 1
        )
    return world


def invite(world: World, kind: str, enrollment: Enrollment, *, opened_days_ago: int = 1) -> Invitation:
    wave = world.plan[kind]
    opens = NOW - dt.timedelta(days=opened_days_ago)
    return Invitation.objects.create(
        wave=wave, enrollment=enrollment, opens_at=opens, closes_at=opens + dt.timedelta(days=wave.open_days)
    )


def answer(invitation: Invitation, values: dict, *, at=NOW, consent: bool = True):
    version = instruments.current_version(invitation.wave.instrument)
    items = list(version.items.order_by("position", "pk"))
    return waves.submit_response(
        invitation=invitation,
        version=version,
        shown=instruments.fingerprint(version, items),
        answers=values,
        consent=consent,
        at=at,
    )


def competencies(value: int) -> dict:
    return {f"kompetenz_{n}": value for n in range(1, 6)}


KINDS = Wave.Kind
