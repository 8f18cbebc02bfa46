"""The nationwide rollout of the federal benchmark (federal.py), built around its small world with
bulk inserts: one function per table or step, called by :func:`grow` in the order they must run."""

import contextlib
import dataclasses
import datetime as dt
import itertools
import sys
import time
from collections import defaultdict

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone

from .data import complete, person_names, staff_user
from .federal_rows import analyze, certificate_row, submitted_application


class SQL:
    """An SQL expression (with its parameters) for a column of :func:`insert_select`."""

    def __init__(self, sql: str, *params):
        self.sql, self.params = sql, params


@contextlib.contextmanager
def indexes_set_aside(model):
    """Drop the table's plain indexes for a bulk load and build them again afterwards: one
    sorted build per index is many times faster than a million single inserts into each. Keys
    and unique constraints stay, so the load is checked as always."""
    if connection.in_atomic_block:  # a test's small world: its foreign-key checks wait for the end
        yield
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            [table],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '256MB'")
            for _name, definition in indexes:
                cursor.execute(definition)
            cursor.execute("RESET maintenance_work_mem")


def insert_select(model, values: dict, source: str, params=()) -> int:
    """``INSERT INTO`` the model's table ``SELECT`` one row per row of ``source``, inside
    PostgreSQL: rows that follow a rule need no Python objects. Columns not in ``values`` take
    the field's default (``now()`` for automatic times); a value that is not :class:`SQL` is a
    parameter. Returns the number of rows written."""
    columns, expressions, arguments = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        value = values.get(field.name, values.get(field.attname, field))
        if isinstance(value, SQL):
            expressions.append(value.sql)
            arguments.extend(value.params)
        elif value is field and (getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)):
            expressions.append("now()")
        else:
            expressions.append("%s")
            default = field.get_default() if value is field else value
            arguments.append(field.get_db_prep_save(default, connection))
    # Table and column names come from the models, expressions from this module: nothing typed.
    table = connection.ops.quote_name(model._meta.db_table)
    statement = f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(expressions)} FROM {source}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(statement, [*arguments, *params])
        return cursor.rowcount


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def grow(world, sizes: dict[str, int]) -> dict[str, int]:
    """Build the nationwide rollout around the small world with bulk inserts."""
    from portal.models import State
    from portal.privacy.registry import retention_cutoff

    started = time.monotonic()
    now = timezone.now()
    # The retention job runs every night: applications of cohorts past their retention period are
    # built as it leaves them, so the run measured below meets the steady state, not years of
    # backlog at once.
    cutoff = retention_cutoff(now)

    # The other fifteen states, each with its own programme and its own list of municipalities.
    other_states = [state for state in State.values if state != world.programme.state]
    towns = _municipalities(sizes, other_states)
    programmes, modules = _programmes(world, sizes, other_states)
    cohorts = _cohorts(programmes, modules, sizes)
    reviewers = _people(world, programmes, cohorts, towns, sizes, now=now, cutoff=cutoff)
    _reviews(cohorts, reviewers)
    _mails(sizes, now)
    analyze()
    counts = _counts()
    counts["build_seconds"] = round(time.monotonic() - started)
    return counts


def _municipalities(sizes: dict[str, int], other_states: list[str]) -> dict[str, list[int]]:
    """The municipalities still missing, spread over the other states; every state's keys."""
    from portal.models import Municipality

    existing = Municipality.objects.count()
    Municipality.objects.bulk_create(
        (
            Municipality(
                key=f"bench-{index:05d}",
                ags=f"{other_states[index % 15]}{index:06d}",
                name=f"Gemeinde {index}",
                district=f"Landkreis {index // 40}",
                state=other_states[index % 15],
                kind=Municipality.Kind.GEMEINDE if index % 5 else Municipality.Kind.STADT,
            )
            for index in range(max(sizes["municipalities"] - existing, 0))
        ),
        batch_size=5000,
    )
    towns = defaultdict(list)
    for pk, state in Municipality.objects.values_list("pk", "state"):
        towns[state].append(pk)
    log(f"    municipalities: {sum(len(pks) for pks in towns.values())} in {len(towns)} states")
    return towns


def _programmes(world, sizes: dict[str, int], other_states: list[str]) -> tuple[list, dict]:
    """A programme for each other state with the small world's modules; each programme's modules."""
    from cohorts.models import Programme
    from modules.models import Module
    from portal.models import State

    programmes = [world.programme]
    for number, state in enumerate(other_states[: sizes["programmes"] - 1], start=1):
        programme = Programme.objects.create(
            slug=f"land-{state}",
            title=f"Smart City Manager:in ({State(state).label})",
            reference_prefix=f"L{number}",
            state=state,
        )
        Module.objects.bulk_create(
            Module(programme=programme, position=m.position, title=m.title, description=m.description)
            for m in world.modules
        )
        programmes.append(programme)
    modules = {p.pk: list(Module.objects.filter(programme=p).order_by("position")) for p in programmes}
    return programmes, modules


def _cohorts(programmes: list, modules: dict, sizes: dict[str, int]) -> list:
    """The cohorts still to build, spread over the programmes, with a session for each module."""
    from cohorts.models import BERLIN, Cohort
    from modules.models import Session

    # The remainder goes one each to the first programmes.
    per_programme, remainder = divmod(max(sizes["cohorts"] - Cohort.objects.count(), 0), len(programmes))
    cohorts = []
    for index, programme in enumerate(programmes):
        first = 1 + Cohort.objects.filter(programme=programme).count()
        count = max(per_programme + (index < remainder), 1)
        for number in range(first, first + count):
            year = 2020 + number % 7
            cohorts.append(
                Cohort(
                    programme=programme,
                    number=number,
                    title=f"{number}. Schulungsdurchgang",
                    start_date=dt.date(year, 3, 1),
                    end_date=dt.date(year, 5, 31),
                    applications_open_at=dt.datetime(year - 1, 12, 1, tzinfo=BERLIN),
                    applications_close_on=dt.date(year, 1, 31),
                    seats=50,
                )
            )
    cohorts = Cohort.objects.bulk_create(cohorts)
    Session.objects.bulk_create(
        (
            Session(
                cohort=cohort,
                module=module,
                starts_at=dt.datetime(cohort.start_date.year, 3, 2 + module.position, 13, tzinfo=BERLIN),
                ends_at=dt.datetime(cohort.start_date.year, 3, 2 + module.position, 15, tzinfo=BERLIN),
            )
            for cohort in cohorts
            for module in modules[cohort.programme_id]
        ),
        batch_size=5000,
    )
    log(f"    programmes {len(programmes)}, cohorts {Cohort.objects.count()}")
    return cohorts


@dataclasses.dataclass
class _Intake:
    """What every group of cohorts draws its people from."""

    per_cohort: int
    enrolled_per_cohort: int
    password: str
    names: object
    state_of: dict
    town_cycles: dict
    now: dt.datetime
    cutoff: dt.date
    accounts: int = 0


def _people(world, programmes, cohorts, towns, sizes, *, now, cutoff) -> list:
    """Applicants, participants and their certificates, twenty cohorts at a time; the reviewers."""
    reviewers = [staff_user(f"gutachten-{index}@bench.example.org", "reviewers") for index in range(4)]
    per_cohort = max(sizes["applications"] // len(cohorts), 1)
    intake = _Intake(
        per_cohort=per_cohort,
        enrolled_per_cohort=min(max(sizes["enrollments"] // len(cohorts), 1), per_cohort),
        password=make_password(None),
        names=person_names(),
        state_of={p.pk: p.state for p in programmes},
        # A small trial run may leave a state without municipalities: it borrows the first state's.
        town_cycles={
            p.state: itertools.cycle(towns[p.state] or towns[world.programme.state]) for p in programmes
        },
        now=now,
        cutoff=cutoff,
    )
    enrollment_total = 0
    application_total = 0
    for offset in range(0, len(cohorts), 20):
        enrollments, applications = _group(
            cohorts[offset : offset + 20], intake, recorded_by=reviewers[0], issued_by=world.coordinator
        )
        enrollment_total += len(enrollments)
        application_total += len(applications)
        log(f"    applications {application_total}, enrollments {enrollment_total}")
    return reviewers


def _group(group: list, intake: _Intake, *, recorded_by, issued_by) -> tuple[list, list]:
    """One group of cohorts: accounts, enrollments, applications, attendance, certificates."""
    from applications.models import Application
    from certificates.models import Certificate
    from cohorts.models import Enrollment

    people = iter(_accounts(group, intake))
    enrollments, applications = [], []
    for cohort in group:
        for sequence in range(1, intake.per_cohort + 1):
            user = next(people)
            town = next(intake.town_cycles[intake.state_of[cohort.programme_id]])
            if sequence <= intake.enrolled_per_cohort:
                enrollments.append(
                    Enrollment(
                        cohort=cohort, user=user, municipality_id=town, state=Enrollment.State.CONFIRMED
                    )
                )
            applications.append(_application(user, cohort, sequence, town, intake))
    enrollments = Enrollment.objects.bulk_create(enrollments, batch_size=5000)
    by_person = {enrollment.user_id: enrollment for enrollment in enrollments}
    for application in applications:
        application.enrollment = by_person.get(application.applicant_id)
    applications = Application.objects.bulk_create(applications, batch_size=5000)
    complete(enrollments, recorded_by=recorded_by)
    Certificate.objects.bulk_create(
        (
            certificate_row(enrollment, sequence, issued_by=issued_by)
            for sequence, enrollment in enumerate(enrollments, start=1)
        ),
        batch_size=5000,
    )
    return enrollments, applications


def _accounts(group: list, intake: _Intake) -> list:
    """An account for each application of the group's cohorts."""
    from portal.accounts.models import User

    users = []
    for _cohort in group:
        for _ in range(intake.per_cohort):
            first, last = next(intake.names)
            users.append(
                User(
                    email=f"land-{intake.accounts}@bench.example.org",
                    first_name=first,
                    last_name=last,
                    password=intake.password,
                    language="de",
                )
            )
            intake.accounts += 1
    return User.objects.bulk_create(users, batch_size=5000)


def _status(sequence: int, intake: _Intake) -> str:
    from applications.models import Application

    if sequence <= intake.enrolled_per_cohort:
        return Application.Status.ACCEPTED
    if sequence % 10 == 0:
        return Application.Status.WITHDRAWN
    if sequence % 7 == 0:
        return Application.Status.WAITLISTED
    return Application.Status.REJECTED


def _application(user, cohort, sequence: int, town: int, intake: _Intake):
    """A submitted application of a year ago, decided; anonymised if retention has reached it."""
    from applications.models import Application
    from applications.privacy import BLANK, UNSUCCESSFUL

    status = _status(sequence, intake)
    application = submitted_application(
        user, cohort, sequence, status=status, at=intake.now - dt.timedelta(days=365)
    )
    application.municipality_id = town
    application.other_employer = ""
    if status == Application.Status.WITHDRAWN:
        application.withdrawn_at = application.submitted_at + dt.timedelta(days=1)
    if cohort.end_date < intake.cutoff and status in UNSUCCESSFUL:
        # As the nightly retention run has left it: anonymised, no notes.
        for field, value in BLANK.items():
            setattr(application, field, value)
        application.applicant_id = application.municipality_id = None
        application.anonymised_at = intake.now - dt.timedelta(days=1)
    return application


def _reviews(cohorts: list, reviewers: list) -> None:
    """What follows a rule is written by PostgreSQL itself: two scores, a note (unless anonymised)
    and two status changes per application of the rollout."""
    from applications.models import ReviewNote, Score, StatusChange

    # Statistics first: the foreign-key checks of the loads below are planned from them, and with
    # those of the small world they would read the whole user table for every mail.
    analyze()
    grown = [cohort.pk for cohort in cohorts]
    rollout = "applications_application a WHERE a.cohort_id = ANY(%s)"
    scores = insert_select(
        Score,
        {
            "application": SQL("a.id"),
            "reviewer": SQL("r.id"),
            "motivation": SQL("1 + mod(a.id + r.n, 5)"),
            "relevance": SQL("1 + mod(a.id, 5)"),
            "commitment": SQL("1 + mod(a.id * 7 + r.n, 5)"),
        },
        "applications_application a CROSS JOIN (VALUES (%s, 0), (%s, 1)) AS r(id, n) "
        "WHERE a.cohort_id = ANY(%s)",
        [reviewers[0].pk, reviewers[1].pk, grown],
    )
    notes = insert_select(
        ReviewNote,
        {"application": SQL("a.id"), "author": reviewers[0].pk, "text": "Geprüft."},
        rollout + " AND a.anonymised_at IS NULL",
        [grown],
    )
    changes = insert_select(
        StatusChange,
        {
            "application": SQL("a.id"),
            "changed_by": reviewers[1].pk,
            "from_status": SQL("CASE WHEN s.n = 0 THEN 'draft' ELSE 'submitted' END"),
            "to_status": SQL("CASE WHEN s.n = 0 THEN 'submitted' ELSE a.status END"),
        },
        "applications_application a CROSS JOIN generate_series(0, 1) AS s(n) WHERE a.cohort_id = ANY(%s)",
        [grown],
    )
    log(f"    scores {scores}, notes {notes}, status changes {changes}")


def _mails(sizes: dict[str, int], now: dt.datetime) -> None:
    """The mails, a mail a minute, written by PostgreSQL itself."""
    from dateutil.relativedelta import relativedelta

    from portal.accounts.models import User
    from portal.mail.models import OutboxMessage
    from portal.privacy.registry import retention_months

    users = min(User.objects.count(), 200_000)
    first = OutboxMessage.objects.count()
    # A mail a minute: those older than the mail log's retention period come first in the index.
    fresh = int((now - (now - relativedelta(months=retention_months()))).total_seconds() // 60)
    with indexes_set_aside(OutboxMessage):
        mails = insert_select(
            OutboxMessage,
            {
                "idempotency_key": SQL("'bench:rollout:' || i"),
                "kind": SQL(
                    "(ARRAY['decision-rejected', 'reminder-session', 'reminder-draft', 'account-confirm'])"
                    "[mod(i, 4) + 1]"
                ),
                # Mails past the retention period as the nightly run leaves them: scrubbed.
                "recipient": SQL("CASE WHEN i < %s THEN u.email ELSE '' END", fresh),
                "user": SQL("CASE WHEN i < %s THEN u.id END", fresh),
                "subject": SQL("CASE WHEN i < %s THEN 'Ihre Bewerbung' ELSE '' END", fresh),
                "body_text": SQL(
                    "CASE WHEN i < %s THEN %s ELSE '' END", fresh, "Guten Tag,\n\nvielen Dank.\n"
                ),
                "status": OutboxMessage.Status.SENT,
                "attempts": 1,
                "created_at": SQL("%s - i * interval '1 minute'", now),
                "sent_at": SQL("%s - i * interval '1 minute'", now),
            },
            "generate_series(%s, %s) AS i JOIN (SELECT id, email, row_number() OVER (ORDER BY id) - 1 AS n "
            "FROM portal_user ORDER BY id LIMIT %s) AS u ON u.n = mod(i, %s)",
            [first, sizes["outbox"] - 1, users, users],
        )
    log(f"    mails {mails}")


def _counts() -> dict[str, int]:
    from applications.models import Application, Score
    from certificates.models import Certificate
    from cohorts.models import Cohort, Enrollment, Programme
    from portal.accounts.models import User
    from portal.mail.models import OutboxMessage
    from portal.models import Municipality

    return {
        "programmes": Programme.objects.count(),
        "municipalities": Municipality.objects.count(),
        "cohorts": Cohort.objects.count(),
        "applications": Application.objects.count(),
        "scores": Score.objects.count(),
        "enrollments": Enrollment.objects.count(),
        "certificates": Certificate.objects.count(),
        "outbox": OutboxMessage.objects.count(),
        "users": User.objects.count(),
    }
