"""Bulk data for the benchmark: people, cohorts, graduates, applications. Written with
``bulk_create`` so that 10,000 participants take seconds, not minutes."""

import datetime as dt
import itertools

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone

from cohorts.models import BERLIN, Cohort, Enrollment, Programme
from modules.models import Attendance, Module, Session, TaskSubmission
from portal.accounts.models import User
from portal.models import Municipality

# Names as the portal meets them in Brandenburg: German, Sorbian/Wendish and Polish spellings.
FIRST_NAMES = [
    "Jördis", "Łucja", "Hanka", "Jürgen", "Małgorzata", "Wito", "Zdzisław", "Ánnemarie", "Ægidius",
    "Fryco", "Grzegorz", "Käthe", "Mérten", "Žofija", "Bärbel", "Ćěsław", "Renée", "Søren",
]  # fmt: skip
LAST_NAMES = [
    "Groß-Łęcka", "Krawcojc", "Nowak", "Wiśniewska", "Šołćic", "Müller-Lüdenscheidt", "Dźěwjatkowa",
    "Brězan", "Kochanowski", "Ženčykowa", "Schröder", "Pětš", "Żółkiewska", "Hrjehorjowa",
    "Kowalczyk", "Hauptmann", "Mrózek", "O’Brien",
]  # fmt: skip


def person_names():
    return itertools.cycle(itertools.product(FIRST_NAMES, LAST_NAMES))


def programme_and_modules() -> tuple[Programme, list[Module]]:
    from modules.demo import MODULES

    programme, _ = Programme.objects.get_or_create(
        slug="smart-city-manager", defaults={"title": "Smart City Manager:in", "reference_prefix": "SCM"}
    )
    for position, (title, title_en, description, description_en) in enumerate(MODULES, start=1):
        Module.objects.update_or_create(
            programme=programme,
            position=position,
            defaults={
                "title": title,
                "title_en": title_en,
                "description": description,
                "description_en": description_en,
            },
        )
    return programme, list(Module.objects.filter(programme=programme).order_by("position"))


def make_users(count: int, *, tag: str) -> list[User]:
    password = make_password(None)  # unusable: the benchmark logs people in through sessions
    names = person_names()
    users = []
    for index in range(count):
        first, last = next(names)
        users.append(
            User(
                email=f"{tag}-{index}@bench.example.org",
                first_name=first,
                last_name=last,
                password=password,
                language="de",
            )
        )
    return User.objects.bulk_create(users, batch_size=2000)


def staff_user(email: str, *groups: str) -> User:
    user = User.objects.create(email=email, first_name="Kim", last_name="Koordination", is_staff=True)
    user.set_unusable_password()
    user.save()
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


def next_cohort_number(programme: Programme) -> int:
    last = Cohort.objects.filter(programme=programme).order_by("-number").values_list("number", flat=True)
    return (last.first() or 0) + 1


def past_cohort(programme: Programme, modules: list[Module], *, number: int, seats: int) -> Cohort:
    """A cohort that has ended, with one session per module."""
    start = dt.date(2022, 10, 24)
    cohort = Cohort.objects.create(
        programme=programme,
        number=number,
        title=f"{number}. Schulungsdurchgang",
        start_date=start,
        end_date=dt.date(2022, 12, 16),
        applications_open_at=dt.datetime(2022, 8, 1, tzinfo=BERLIN),
        applications_close_on=dt.date(2022, 10, 4),
        seats=seats,
    )
    Session.objects.bulk_create(
        Session(
            cohort=cohort,
            module=module,
            starts_at=dt.datetime(2022, 10, 25 + module.position, 13, tzinfo=BERLIN),
            ends_at=dt.datetime(2022, 10, 25 + module.position, 15, tzinfo=BERLIN),
        )
        for module in modules
    )
    return cohort


def municipalities():
    """The portal's own state's municipalities (a federal run adds the other states' lists)."""
    local = Municipality.objects.filter(state=settings.PORTAL_STATE).order_by("ags")
    return itertools.cycle(list(local[:400]))


def graduate(cohorts_and_users: list[tuple[Cohort, list[User]]], *, recorded_by: User) -> list[Enrollment]:
    """Confirmed participants who attended every session and whose every task was accepted."""
    towns = municipalities()
    enrollments = Enrollment.objects.bulk_create(
        [
            Enrollment(cohort=cohort, user=user, municipality=next(towns), state=Enrollment.State.CONFIRMED)
            for cohort, users in cohorts_and_users
            for user in users
        ],
        batch_size=2000,
    )
    complete(enrollments, recorded_by=recorded_by)
    return enrollments


def complete(enrollments: list[Enrollment], *, recorded_by: User) -> None:
    """Attendance at every session of the enrollments' cohorts and an accepted task per module."""
    sessions = {}
    for session in Session.objects.filter(cohort__in={e.cohort_id for e in enrollments}):
        sessions.setdefault(session.cohort_id, []).append(session)
    now = timezone.now()
    Attendance.objects.bulk_create(
        (
            Attendance(session=session, enrollment=enrollment, status="present", recorded_by=recorded_by)
            for enrollment in enrollments
            for session in sessions[enrollment.cohort_id]
        ),
        batch_size=5000,
    )
    TaskSubmission.objects.bulk_create(
        (
            TaskSubmission(
                enrollment=enrollment,
                module_id=session.module_id,
                kind="task",
                state="accepted",
                file="bench/task.pdf",
                file_name="aufgabe.pdf",
                submitted_at=now,
            )
            for enrollment in enrollments
            for session in sessions[enrollment.cohort_id]
        ),
        batch_size=5000,
    )
