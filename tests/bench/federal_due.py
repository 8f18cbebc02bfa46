"""Work that is due, so that the federal benchmark's reminder jobs send something: the same in
the small world and after the rollout, so that a job's two times are for the same amount of work.

- a running cohort of 25 participants whose next session is tomorrow and whose practical task is
  due in three days (session and task reminders, the coordinators' digest);
- two cohorts whose applications close in 7 days and tomorrow, with 25 drafts each (draft
  reminders);
- 25 seats offered and not yet confirmed, to be confirmed in three days (offer reminder).
"""

import datetime as dt

from django.utils import timezone

from .data import make_users, next_cohort_number
from .federal_rows import submitted_application

COHORT_SIZE = 25


def build(world) -> dict[str, int]:
    """Build the due work around the small world; returns how much is due, by kind."""
    now = timezone.now()
    today = timezone.localdate(now)
    _running_cohort(world, now, today)
    for days in (7, 1):
        _drafts(world, now, today, days)
    _offers(world, now, today)
    return {"session": COHORT_SIZE, "task": COHORT_SIZE, "draft-7d": COHORT_SIZE, "draft-1d": COHORT_SIZE}


def _cohort(world, now, *, title: str, start: dt.date, close: dt.date, phase: str = "open"):
    from cohorts.models import Cohort

    number = next_cohort_number(world.programme)
    return Cohort.objects.create(
        programme=world.programme,
        number=number,
        title=f"{number}. Schulungsdurchgang ({title})",
        start_date=start,
        end_date=start + dt.timedelta(days=60),
        applications_open_at=now - dt.timedelta(days=30),
        applications_close_on=close,
        seats=COHORT_SIZE,
        review_phase=phase,
    )


def _running_cohort(world, now, today) -> None:
    from cohorts.models import BERLIN, Enrollment
    from modules.models import Session, TaskDeadline

    cohort = _cohort(
        world,
        now - dt.timedelta(days=90),
        title="läuft",
        start=today - dt.timedelta(days=14),
        close=today - dt.timedelta(days=40),
        phase="decision",
    )
    cohort.coordinators.add(world.coordinator)
    tomorrow = today + dt.timedelta(days=1)
    Session.objects.bulk_create(
        Session(
            cohort=cohort,
            module=module,
            starts_at=dt.datetime.combine(
                tomorrow + dt.timedelta(days=7 * index), dt.time(13), tzinfo=BERLIN
            ),
            ends_at=dt.datetime.combine(tomorrow + dt.timedelta(days=7 * index), dt.time(15), tzinfo=BERLIN),
        )
        for index, module in enumerate(world.modules)
    )
    TaskDeadline.objects.create(
        cohort=cohort,
        module=world.modules[0],
        due_at=dt.datetime.combine(today + dt.timedelta(days=3), dt.time(12), tzinfo=BERLIN),
    )
    Enrollment.objects.bulk_create(
        Enrollment(cohort=cohort, user=user, state=Enrollment.State.CONFIRMED)
        for user in make_users(COHORT_SIZE, tag="kurs-morgen")
    )


def _drafts(world, now, today, days: int) -> None:
    from applications.models import Application

    cohort = _cohort(
        world,
        now,
        title=f"Frist in {days} Tagen",
        start=today + dt.timedelta(days=60),
        close=today + dt.timedelta(days=days),
    )
    Application.objects.bulk_create(
        Application(cohort=cohort, applicant=user, motivation="Entwurf", department="Bauamt")
        for user in make_users(COHORT_SIZE, tag=f"entwurf-{days}")
    )


def _offers(world, now, today) -> None:
    from applications.models import Application
    from cohorts.models import Enrollment

    cohort = _cohort(
        world,
        now - dt.timedelta(days=60),
        title="Plätze angeboten",
        start=today + dt.timedelta(days=20),
        close=today - dt.timedelta(days=10),
        phase="decision",
    )
    users = make_users(COHORT_SIZE, tag="angebot")
    enrollments = Enrollment.objects.bulk_create(
        Enrollment(
            cohort=cohort, user=user, state=Enrollment.State.OFFERED, respond_by=today + dt.timedelta(days=3)
        )
        for user in users
    )
    rows = []
    for sequence, enrollment in enumerate(enrollments, start=1):
        row = submitted_application(
            enrollment.user, cohort, sequence, status=Application.Status.ACCEPTED, at=now
        )
        row.enrollment = enrollment
        rows.append(row)
    Application.objects.bulk_create(rows)
