"""5. Federal scale: the same pages and background jobs in a small world and after a nationwide
rollout, in one run on one database.

The small world is what one state's portal holds in its first weeks: one programme, an open
cohort with ten submitted applications and a draft, a finished cohort with ten participants and
their certificates, a first page of mails. Every page and job is measured there first. Then the
rollout is built around it with bulk inserts (sixteen programmes, about 11,000 municipalities,
400 cohorts, 100,000 applications with scores, notes and history, 20,000 participants with
attendance and task submissions, 20,000 certificates, 1,000,000 mails), and the same pages and
jobs are measured again for the same people. A page that does work proportional to the tables
shows it as a ratio; a job shows it in its plan.

Jobs run inside a transaction that is rolled back, so each run meets the same state. The plan of
every statement a job sends is read with EXPLAIN; a sequential scan of one of the big tables is
reported by name.

``BENCH_FEDERAL_FRACTION`` (default 1) shrinks the rollout for a trial run of the harness.
"""

import contextlib
import datetime as dt
import hashlib
import itertools
import os
import time
from collections import defaultdict

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from .common import median
from .data import complete, graduate, make_users, person_names, programme_and_modules, staff_user
from .pages import _client, measure

FULL = {
    "programmes": 16,
    "municipalities": 11_000,
    "cohorts": 400,
    "applications": 100_000,
    "enrollments": 20_000,
    "certificates": 20_000,
    "outbox": 1_000_000,
}
JOB_RUNS = 3
# The tables that grow with a rollout; a job must not read any of them from end to end. The
# municipalities are reference data (about 11,000 in Germany, loaded once), read whole where a
# job lists districts; their scans are shown in the plans but are no verdict.
BIG_TABLES = {
    "applications_application",
    "applications_score",
    "applications_reviewnote",
    "applications_statuschange",
    "cohorts_enrollment",
    "modules_attendance",
    "modules_tasksubmission",
    "certificates_certificate",
    "portal_outboxmessage",
    "portal_user",
}


def targets() -> dict[str, int]:
    """The sizes to build; a trial fraction shrinks the rows, not the sixteen states."""
    fraction = float(os.environ.get("BENCH_FEDERAL_FRACTION", "1"))
    sizes = {key: max(int(value * fraction), 1) for key, value in FULL.items()}
    sizes["programmes"] = FULL["programmes"]
    return sizes


# --- the small world -------------------------------------------------------------------------


class World:
    """The measured people and objects; they stay the same while the data around them grows."""

    def __init__(self):
        from applications.models import Application, ReviewNote, Score, StatusChange
        from certificates.models import Certificate
        from cohorts.models import BERLIN, Cohort
        from modules.models import Session
        from portal.accounts.models import User
        from portal.mail.models import OutboxMessage

        now = timezone.now()
        today = timezone.localdate(now)
        self.programme, self.modules = programme_and_modules()
        self.reviewer = staff_user("gutachten@bench.example.org", "reviewers")
        self.coordinator = staff_user("koordination@bench.example.org", "coordinators")
        self.evaluator = staff_user("auswertung@bench.example.org", "evaluators")
        self.admin = User.objects.create(
            email="admin@bench.example.org",
            first_name="Ada",
            last_name="Admin",
            is_staff=True,
            is_superuser=True,
        )

        # A finished cohort with ten participants, their attendance, tasks and certificates.
        self.past = Cohort.objects.create(
            programme=self.programme,
            number=1,
            title="1. Schulungsdurchgang",
            start_date=dt.date(2022, 10, 24),
            end_date=dt.date(2022, 12, 16),
            applications_open_at=dt.datetime(2022, 8, 1, tzinfo=BERLIN),
            applications_close_on=dt.date(2022, 10, 4),
            seats=15,
        )
        Session.objects.bulk_create(
            Session(
                cohort=self.past,
                module=module,
                starts_at=dt.datetime(2022, 10, 25 + module.position, 13, tzinfo=BERLIN),
                ends_at=dt.datetime(2022, 10, 25 + module.position, 15, tzinfo=BERLIN),
            )
            for module in self.modules
        )
        self.past.coordinators.add(self.coordinator)
        participants = make_users(10, tag="teilnahme")
        enrollments = graduate([(self.past, participants)], recorded_by=self.coordinator)
        self.participant = participants[0]
        certificates = Certificate.objects.bulk_create(
            certificate(enrollment, self.past, sequence, issued_by=self.coordinator)
            for sequence, enrollment in enumerate(enrollments, start=1)
        )
        self.certificate = certificates[0]
        applications_for(enrollments, cohort=self.past, reviewer=self.reviewer)

        # The open cohort: ten submitted applications, three on the waiting list, one draft.
        self.open = Cohort.objects.create(
            programme=self.programme,
            number=2,
            title="2. Schulungsdurchgang",
            start_date=today + dt.timedelta(days=40),
            end_date=today + dt.timedelta(days=100),
            applications_open_at=now - dt.timedelta(days=20),
            applications_close_on=today + dt.timedelta(days=10),
            seats=15,
        )
        applicants = make_users(11, tag="bewerbung")
        self.applicant = applicants[0]
        self.draft = Application.objects.create(
            cohort=self.open, applicant=self.applicant, motivation="Entwurf", department="Bauamt"
        )
        submitted = []
        for sequence, user in enumerate(applicants[1:], start=1):
            status = Application.Status.WAITLISTED if sequence <= 3 else Application.Status.SUBMITTED
            submitted.append(submitted_application(user, self.open, sequence, status=status, at=now))
        submitted = Application.objects.bulk_create(submitted)
        self.reviewed = submitted[-1]
        Score.objects.bulk_create(
            Score(application=a, reviewer=self.reviewer, motivation=4, relevance=3, commitment=5)
            for a in submitted
        )
        ReviewNote.objects.bulk_create(
            ReviewNote(application=a, author=self.reviewer, text="Gute Begründung.") for a in submitted
        )
        StatusChange.objects.bulk_create(
            StatusChange(application=a, from_status="draft", to_status="submitted") for a in submitted
        )
        # The waiting list is ranked by score.
        # A full first page of the outbox (100 rows), as after the first weeks of a cohort.
        OutboxMessage.objects.bulk_create(
            mail(index, user=self.applicant, status=OutboxMessage.Status.SENT, at=now) for index in range(118)
        )
        OutboxMessage.objects.bulk_create(
            mail(index, user=self.applicant, status=OutboxMessage.Status.QUEUED, at=now, tag="due")
            for index in range(2)
        )
        analyze()

    def pages(self) -> list[tuple[str, object, str]]:
        admin = f"/{settings.ADMIN_URL}"
        applications = f"{admin}applications/application/"
        return [
            ("Landing page", None, "/"),
            ("Applicant dashboard", self.applicant, "/bewerbung/"),
            ("Application form", self.applicant, f"/bewerbung/{self.draft.pk}/bearbeiten/"),
            ("Admin application list", self.reviewer, applications),
            (
                "Admin list, filtered",
                self.reviewer,
                f"{applications}?cohort__id__exact={self.open.pk}&status__exact=submitted",
            ),
            ("Admin list, search", self.reviewer, f"{applications}?q={self.reviewed.reference}"),
            ("Admin application detail", self.reviewer, f"{applications}{self.reviewed.pk}/change/"),
            ("Coordinator progress matrix", self.coordinator, f"/koordination/{self.past.pk}/"),
            ("Participant dashboard", self.participant, "/kurs/"),
            ("Evaluation dashboard", self.evaluator, "/auswertung/"),
            (
                "Verification page",
                None,
                f"/zertifikat/pruefen/?nummer={self.certificate.number}&code={self.certificate.verification_code}",
            ),
            ("Outbox admin", self.admin, f"{admin}portal/outboxmessage/"),
        ]


def certificate(enrollment, cohort, sequence: int, *, issued_by):
    from certificates.models import Certificate

    number = f"{cohort.programme.reference_prefix}-{cohort.end_date.year}-{cohort.programme_id}x{cohort.number}-{sequence:04d}"
    return Certificate(
        enrollment=enrollment,
        cohort=cohort,
        sequence=sequence,
        number=number,
        holder_name=f"{enrollment.user.first_name} {enrollment.user.last_name}",
        municipality_name="Musterstadt",
        programme_title=cohort.programme.title,
        cohort_title=cohort.title,
        cohort_start=cohort.start_date,
        cohort_end=cohort.end_date,
        issued_on=cohort.end_date,
        status=Certificate.Status.ISSUED,
        issued_by=issued_by,
        sha256=hashlib.sha256(number.encode()).hexdigest(),
        rendered_at=timezone.now(),
    )


def submitted_application(user, cohort, sequence: int, *, status: str, at: dt.datetime, municipality=None):
    from applications.models import Application

    return Application(
        cohort=cohort,
        applicant=user,
        municipality=municipality,
        other_employer="" if municipality else "Landkreis Musterkreis",
        status=status,
        sequence=sequence,
        reference=f"{cohort.programme.reference_prefix}-{cohort.programme_id}x{cohort.number}-{sequence:04d}",
        department="Stabsstelle Digitalisierung",
        position="Sachbearbeitung",
        phone="+49 331 000000",
        role="Koordination der Digitalisierung in der Verwaltung.",
        motivation="Smart City gemeinsam gestalten.",
        strategy=Application.Strategy.YES,
        supervisor_name="Dr. Erika Muster",
        supervisor_email="leitung@bench.example.org",
        endorsement="private/bench/schreiben.pdf",
        endorsement_name="schreiben.pdf",
        privacy_consent_at=at - dt.timedelta(days=30),
        privacy_consent_version=settings.PRIVACY_NOTICE_VERSION,
        submitted_at=at - dt.timedelta(days=5),
        decided_at=None if status in ("submitted", "in_review") else at - dt.timedelta(days=2),
    )


def applications_for(enrollments, *, cohort, reviewer) -> None:
    """Accepted applications behind participants, as the intake left them."""
    from applications.models import Application

    now = timezone.now()
    rows = []
    for sequence, enrollment in enumerate(enrollments, start=1):
        row = submitted_application(
            enrollment.user,
            cohort,
            sequence,
            status=Application.Status.ACCEPTED,
            at=now - dt.timedelta(days=900),
            municipality=enrollment.municipality,
        )
        row.enrollment = enrollment
        rows.append(row)
    Application.objects.bulk_create(rows)


def mail(index: int, *, user, status: str, at: dt.datetime, tag: str = "sent", related=None):
    from portal.mail.models import OutboxMessage

    return OutboxMessage(
        idempotency_key=f"bench:{tag}:{user.pk if user else 0}:{index}",
        kind="decision-rejected" if index % 3 else "reminder-session",
        recipient=user.email if user else f"person-{index}@bench.example.org",
        user=user,
        related_model="applications.application" if related else "",
        related_id=related,
        subject="Ihre Bewerbung",
        body_text="Guten Tag,\n\nvielen Dank für Ihre Bewerbung.\n",
        status=status,
        attempts=1 if status == "sent" else 0,
        sent_at=at if status == "sent" else None,
        next_attempt_at=None if status == "sent" else at - dt.timedelta(minutes=1),
    )


def analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- the rollout -----------------------------------------------------------------------------


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
    import sys

    print(message, file=sys.stderr, flush=True)


def grow(world: World, sizes: dict[str, int]) -> dict[str, int]:
    """Build the nationwide rollout around the small world with bulk inserts."""
    from dateutil.relativedelta import relativedelta

    from applications.models import Application, ReviewNote, Score, StatusChange
    from applications.privacy import BLANK, UNSUCCESSFUL
    from certificates.models import Certificate
    from cohorts.models import BERLIN, Cohort, Enrollment, Programme
    from modules.models import Module, Session
    from portal.accounts.models import User
    from portal.mail.models import OutboxMessage
    from portal.models import Municipality, State
    from portal.privacy.registry import retention_cutoff, retention_months

    started = time.monotonic()
    now = timezone.now()
    # The retention job runs every night: applications of cohorts past their retention period are
    # built as it leaves them, so the run measured below meets the steady state, not years of
    # backlog at once.
    cutoff = retention_cutoff(now)

    # The other fifteen states, each with its own programme and its own list of municipalities.
    other_states = [state for state in State.values if state != world.programme.state]
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

    # The cohorts still to build, spread over the programmes, the remainder one each to the first.
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

    reviewers = [staff_user(f"gutachten-{index}@bench.example.org", "reviewers") for index in range(4)]
    per_cohort = max(sizes["applications"] // len(cohorts), 1)
    enrolled_per_cohort = min(max(sizes["enrollments"] // len(cohorts), 1), per_cohort)
    password = make_password(None)
    names = person_names()
    user_count = 0
    enrollment_total = 0
    application_total = 0
    state_of = {p.pk: p.state for p in programmes}
    # A small trial run may leave a state without municipalities: it borrows the first state's.
    town_cycles = {
        p.state: itertools.cycle(towns[p.state] or towns[world.programme.state]) for p in programmes
    }
    for offset in range(0, len(cohorts), 20):
        group = cohorts[offset : offset + 20]
        users = []
        for _cohort in group:
            for _ in range(per_cohort):
                first, last = next(names)
                users.append(
                    User(
                        email=f"land-{user_count}@bench.example.org",
                        first_name=first,
                        last_name=last,
                        password=password,
                        language="de",
                    )
                )
                user_count += 1
        users = User.objects.bulk_create(users, batch_size=5000)
        people = iter(users)
        enrollments, applications = [], []
        for cohort in group:
            for sequence in range(1, per_cohort + 1):
                user = next(people)
                town = next(town_cycles[state_of[cohort.programme_id]])
                if sequence <= enrolled_per_cohort:
                    status = Application.Status.ACCEPTED
                    enrollments.append(
                        Enrollment(
                            cohort=cohort, user=user, municipality_id=town, state=Enrollment.State.CONFIRMED
                        )
                    )
                elif sequence % 10 == 0:
                    status = Application.Status.WITHDRAWN
                elif sequence % 7 == 0:
                    status = Application.Status.WAITLISTED
                else:
                    status = Application.Status.REJECTED
                application = submitted_application(
                    user, cohort, sequence, status=status, at=now - dt.timedelta(days=365)
                )
                application.municipality_id = town
                application.other_employer = ""
                if status == Application.Status.WITHDRAWN:
                    application.withdrawn_at = application.submitted_at + dt.timedelta(days=1)
                if cohort.end_date < cutoff and status in UNSUCCESSFUL:
                    # As the nightly retention run has left it: anonymised, no notes.
                    for field, value in BLANK.items():
                        setattr(application, field, value)
                    application.applicant_id = application.municipality_id = None
                    application.anonymised_at = now - dt.timedelta(days=1)
                applications.append(application)
        enrollments = Enrollment.objects.bulk_create(enrollments, batch_size=5000)
        by_person = {enrollment.user_id: enrollment for enrollment in enrollments}
        for application in applications:
            application.enrollment = by_person.get(application.applicant_id)
        applications = Application.objects.bulk_create(applications, batch_size=5000)
        complete(enrollments, recorded_by=reviewers[0])
        Certificate.objects.bulk_create(
            (
                certificate_row(enrollment, sequence, issued_by=world.coordinator)
                for sequence, enrollment in enumerate(enrollments, start=1)
            ),
            batch_size=5000,
        )
        enrollment_total += len(enrollments)
        application_total += len(applications)
        log(f"    applications {application_total}, enrollments {enrollment_total}")

    # What follows a rule is written by PostgreSQL itself: two scores, a note (unless anonymised)
    # and two status changes per application of the rollout, and the mails.
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
    analyze()
    counts = {
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
    counts["build_seconds"] = round(time.monotonic() - started)
    return counts


def certificate_row(enrollment, sequence: int, *, issued_by):
    return certificate(enrollment, enrollment.cohort, sequence, issued_by=issued_by)


# --- measuring -------------------------------------------------------------------------------


def measure_pages(world: World) -> dict:
    return {name: measure(_client(user), path) for name, user, path in world.pages()}


def _scans(plan: dict, found: list) -> None:
    node = plan.get("Node Type", "")
    relation = plan.get("Relation Name")
    if relation:
        found.append((node, relation, plan.get("Index Name", "")))
    for child in plan.get("Plans", []):
        _scans(child, found)


def explain(statements: list[str]) -> list[dict]:
    """The plan of each distinct statement: which tables it reads and how."""
    import json

    plans, seen = [], set()
    with connection.cursor() as cursor:
        for sql in statements:
            verb = sql.lstrip().split(" ", 1)[0].upper()
            if verb not in {"SELECT", "UPDATE", "DELETE", "INSERT"} or sql in seen:
                continue
            seen.add(sql)
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            raw = cursor.fetchone()[0]
            plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
            scans = []
            _scans(plan, scans)
            plans.append(
                {
                    "statement": " ".join(sql.split())[:160],
                    "scans": scans,
                    "seq_big": sorted(
                        {rel for node, rel, _i in scans if node == "Seq Scan" and rel in BIG_TABLES}
                    ),
                }
            )
    return plans


def jobs(world: World) -> dict:
    """Each background job, as its Celery task calls it, with a clock and a plan."""
    from applications.decisions import promote_from_waitlist
    from cohorts.models import Cohort
    from evaluation.selectors import dashboard_statistics
    from portal import mail
    from portal.mail import reminders
    from portal.privacy.registry import run_retention

    mail.registry._discover_send_checks()
    found = {}

    def retention():
        return run_retention(at=timezone.now())

    def flush():
        return mail.flush_due(now=timezone.now())

    def promote():
        cohort = Cohort.objects.select_for_update().get(pk=world.open.pk)
        return promote_from_waitlist(cohort=cohort, at=timezone.now())

    def evaluation():
        return dashboard_statistics()

    for kind, rule in sorted(reminders._rules.items()):
        found[f"Reminders: {kind}"] = lambda rule=rule: reminders.dispatch(rule, now=timezone.now())
    found["Retention and anonymisation"] = retention
    found["Outbox flush"] = flush
    found["Waiting-list promotion"] = promote
    found["Evaluation aggregates"] = evaluation

    results = {}
    for name, job in found.items():
        times, plans, queries = [], [], 0
        for run in range(JOB_RUNS):
            with transaction.atomic():
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    job()
                    times.append(time.perf_counter() - started)
                if run == 0:
                    statements = [q["sql"] for q in captured.captured_queries]
                    queries = len(statements)
                    plans = explain(statements)
                transaction.set_rollback(True)
        results[name] = {"time": median(times), "queries": queries, "plans": plans}
    return results


def exports(world: World) -> dict:
    """The reviewers' export of every application (CSV and XLSX, through the admin) and the
    evaluators' person table, each in a process of its own, so that its peak memory is its own."""
    import json
    import subprocess
    import sys

    from .common import ROOT

    results = {}
    for label, kind, user in (
        ("Admin export, CSV", "admin-csv", world.reviewer),
        ("Admin export, XLSX", "admin-xlsx", world.reviewer),
        ("Evaluation export, CSV", "evaluation-csv", world.evaluator),
        ("Evaluation export, XLSX", "evaluation-xlsx", world.evaluator),
    ):
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "tests.bench.export_memory", kind, user.email],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=1800,
        )
        results[label] = json.loads(done.stdout.strip().splitlines()[-1])
    return results


SIGNUPS = 15


def signup() -> dict:
    """The sign-up POST next to the landing page, in the same run. The confirmation mail is queued
    in the outbox and handed to the broker after the commit; no mail server is asked in the request.
    Most of a sign-up's time is the password hash, measured alone as well."""
    from django.contrib.auth.hashers import make_password as hash_password
    from django.core.cache import cache
    from django.test import Client

    from portal.mail.models import OutboxMessage

    def p95(values: list[float]) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]

    landing, signups, hashes = [], [], []
    queued_before = OutboxMessage.objects.filter(kind__startswith="account").count()
    for index in range(SIGNUPS):
        cache.clear()  # allauth's sign-up rate limit: every visitor of the run is a new one
        client = Client()
        started = time.perf_counter()
        client.get("/")
        landing.append(time.perf_counter() - started)
        started = time.perf_counter()
        response = client.post(
            "/konto/signup/",
            {
                "first_name": "Maja",
                "last_name": f"Nowak {index}",
                "email": f"anmeldung-{index}-{time.monotonic_ns()}@bench.example.org",
                "password1": "ein-langes-Passwort-2026",
                "password2": "ein-langes-Passwort-2026",
            },
        )
        signups.append(time.perf_counter() - started)
        if response.status_code != 302:
            raise RuntimeError(f"sign-up answered {response.status_code}")
        started = time.perf_counter()
        hash_password("ein-langes-Passwort-2026")
        hashes.append(time.perf_counter() - started)
    queued = OutboxMessage.objects.filter(kind__startswith="account").count() - queued_before
    sent = OutboxMessage.objects.filter(kind__startswith="account", status="sent").count()
    return {
        "landing_p95": p95(landing),
        "signup_p95": p95(signups),
        "signup_median": median(signups),
        "hash_median": median(hashes),
        "queued": queued,
        "sent_in_request": sent,
        "count": SIGNUPS,
    }


def run(work) -> dict:
    sizes = targets()
    log("  building the small world …")
    world = World()
    small = {"pages": measure_pages(world), "jobs": jobs(world)}
    small["exports"] = exports(world)
    small["signup"] = signup()
    log("  building the rollout …")
    counts = grow(world, sizes)
    log(f"  rollout built in {counts['build_seconds']} s; measuring …")
    large = {"pages": measure_pages(world), "jobs": jobs(world)}
    large["exports"] = exports(world)
    return {"small": small, "large": large, "counts": counts, "targets": sizes}


# --- the report ------------------------------------------------------------------------------

PAGE_LIMIT = 1.5
START, END = "<!-- federal-scale:start -->", "<!-- federal-scale:end -->"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def _table(header: list[str], body: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    return lines


def verdicts(results: dict) -> dict[str, bool]:
    small, large = results["small"], results["large"]
    out = {}
    for name, before in small["pages"].items():
        after = large["pages"][name]
        out[f"page:{name}"] = (
            after["status"] == before["status"] == 200
            and after["queries"] == before["queries"]
            and after["time"] <= PAGE_LIMIT * before["time"]
        )
    for name, figures in large["jobs"].items():
        out[f"job:{name}"] = not any(plan["seq_big"] for plan in figures["plans"])
    return out


def markdown(results: dict) -> str:
    small, large, counts = results["small"], results["large"], results["counts"]
    ok = verdicts(results)
    lines = [
        START,
        "## 5. Federal scale",
        "",
        "`make bench SCALE=federal` measures every page and background job twice in one run on one "
        "PostgreSQL database: first in a small world (one programme, an open cohort with ten submitted "
        "applications and a draft, a finished cohort with ten participants and their certificates, a first "
        "page of mails), then after a nationwide rollout has been built around it with bulk inserts. The "
        "people measured and what they see stay the same; only the data around them grows. Pages are "
        "requested through Django's test client (full middleware, no HTTP, DEBUG off): queries counted "
        "once, time the median of 7 requests after a warm-up. Jobs run inside a transaction that is "
        "rolled back, three times each (median); the plan of every statement they send is read with "
        "`EXPLAIN`.",
        "",
        "The rollout, as built: "
        + ", ".join(
            f"{counts[key]:,} {label}"
            for key, label in (
                ("programmes", "programmes"),
                ("municipalities", "municipalities"),
                ("cohorts", "cohorts"),
                ("applications", "applications"),
                ("scores", "scores"),
                ("enrollments", "participants"),
                ("certificates", "certificates"),
                ("outbox", "mails"),
                ("users", "accounts"),
            )
        )
        + f"; built in {counts['build_seconds']} s.",
        "",
        f"### Pages (target: at most {PAGE_LIMIT}× the small world's time, equal queries)",
        "",
    ]
    body = []
    for name, before in small["pages"].items():
        after = large["pages"][name]
        ratio = after["time"] / before["time"] if before["time"] else float("inf")
        body.append(
            [
                name,
                str(before["queries"]),
                str(after["queries"]),
                _ms(before["time"]),
                _ms(after["time"]),
                f"{ratio:.2f}×",
                "met" if ok[f"page:{name}"] else "missed",
            ]
        )
    lines += _table(
        ["page", "queries small", "queries federal", "time small", "time federal", "ratio", "verdict"], body
    )
    lines += [
        "",
        "### Background jobs (target: no sequential scan of a big table)",
        "",
        "Big tables: " + ", ".join(f"`{t}`" for t in sorted(BIG_TABLES)) + ".",
        "",
    ]
    body = []
    for name, before in small["jobs"].items():
        after = large["jobs"][name]
        ratio = after["time"] / before["time"] if before["time"] else float("inf")
        seq = sorted({t for plan in after["plans"] for t in plan["seq_big"]})
        body.append(
            [
                name,
                str(before["queries"]),
                str(after["queries"]),
                _ms(before["time"]),
                _ms(after["time"]),
                f"{ratio:.2f}×",
                ", ".join(seq) or "none",
                "met" if ok[f"job:{name}"] else "missed",
            ]
        )
    lines += _table(
        [
            "job",
            "statements small",
            "statements federal",
            "time small",
            "time federal",
            "ratio",
            "sequential scans of big tables",
            "verdict",
        ],
        body,
    )
    lines += ["", "Plans at federal scale, statement by statement (table: how it is read):", ""]
    for name, figures in large["jobs"].items():
        lines.append(f"- **{name}**")
        if not figures["plans"]:
            lines.append("  - sends no statement")
        for plan in figures["plans"]:
            reads = "; ".join(
                f"{rel}: {node}{f' ({index})' if index else ''}" for node, rel, index in plan["scans"]
            )
            lines.append(f"  - `{plan['statement']}` → {reads or 'no table'}")
    lines += ["", "### Exports (growth of the exporting process's peak resident memory, time)", ""]
    body = []
    for name, before in small["exports"].items():
        after = large["exports"][name]
        body.append(
            [
                name,
                f"{before['peak_mib']:.1f} MiB",
                f"{after['peak_mib']:.1f} MiB",
                f"{before['time']:.2f} s",
                f"{after['time']:.2f} s",
                f"{after['bytes'] / 1024 / 1024:.1f} MiB",
            ]
        )
    lines += _table(
        ["export", "peak small", "peak federal", "time small", "time federal", "file federal"], body
    )
    figures = small["signup"]
    lines += [
        "",
        "### Sign-up",
        "",
        f"{figures['count']} sign-ups through the whole form (allauth, the portal's adapter, the outbox), each after "
        f"a request of the landing page by the same visitor: sign-up p95 {_ms(figures['signup_p95'])} (median "
        f"{_ms(figures['signup_median'])}), landing page p95 {_ms(figures['landing_p95'])}. Of a sign-up, "
        f"{_ms(figures['hash_median'])} is the password hash (Django's PBKDF2, measured alone). "
        f"{figures['queued']} confirmation mails were queued in the outbox and handed to the broker after the "
        f"commit; {figures['sent_in_request']} were sent inside a request (the worker was not running).",
    ]
    lines += ["", END]
    return "\n".join(lines) + "\n"


def splice(document: str, section: str) -> str:
    """Put the federal section into BENCHMARKS.md, replacing an earlier one, before 'Machine'."""
    if START in document and END in document:
        before, rest = document.split(START, 1)
        _old, after = rest.split(END, 1)
        return before + section.rstrip("\n") + after
    marker = "\n## Machine"
    if marker in document:
        before, after = document.split(marker, 1)
        return before + "\n" + section + marker + after
    return document.rstrip("\n") + "\n\n" + section


def table(results: dict) -> str:
    ok = verdicts(results)
    rows = []
    for name, before in results["small"]["pages"].items():
        after = results["large"]["pages"][name]
        rows.append(
            f"{name:32} {before['queries']:>3} → {after['queries']:>3} queries  "
            f"{_ms(before['time']):>10} → {_ms(after['time']):>10}  {'met' if ok['page:' + name] else 'MISSED'}"
        )
    for name, before in results["small"]["jobs"].items():
        after = results["large"]["jobs"][name]
        seq = sorted({t for plan in after["plans"] for t in plan["seq_big"]})
        rows.append(
            f"{name:32} {_ms(before['time']):>10} → {_ms(after['time']):>10}  seq scans: {', '.join(seq) or 'none'}"
        )
    for name, before in results["small"]["exports"].items():
        after = results["large"]["exports"][name]
        rows.append(
            f"{name:32} peak {before['peak_mib']:.1f} → {after['peak_mib']:.1f} MiB, {after['time']:.2f} s"
        )
    return "\n".join(rows)
