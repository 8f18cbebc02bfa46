"""5. Federal scale: the same pages and background jobs in a small world and after a nationwide
rollout, in one run on one database.

The small world is what one state's portal holds in its first weeks: one programme, an open
cohort with ten submitted applications and a draft, a finished cohort with ten participants,
their certificates and the 90 applications it turned down, a first year's mails. Every page and
job is measured there first. Then the rollout is built around it with bulk inserts (sixteen
programmes, about 11,000 municipalities, 400 cohorts, 100,000 applications with scores, notes and
history, 20,000 participants with attendance and task submissions, 20,000 certificates,
1,000,000 mails), and the same pages and jobs are measured again for the same people. A page that
does work proportional to the tables shows it as a ratio; a job shows it in its plan.

Jobs run inside a transaction that is rolled back, so each run meets the same state. The plan of
every statement a job sends is read with EXPLAIN; a sequential scan of one of the big tables is
reported by name.

``BENCH_FEDERAL_FRACTION`` (default 1) shrinks the rollout for a trial run of the harness.
"""

import datetime as dt
import importlib
import math
import os
import time

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from . import federal_due, federal_exports, federal_snapshot
from . import federal_interleave as interleave
from .common import median
from .data import graduate, make_users, programme_and_modules, staff_user
from .federal_grow import grow, log  # grow: tests/portal/test_page_costs.py imports it from here
from .federal_interleave import use
from .federal_jobs import BIG_TABLES, catalogue, count_work, explain  # noqa: F401 (BIG_TABLES: the report)
from .federal_rows import analyze, applications_for, certificate, mail, submitted_application
from .pages import _client

FULL = {
    "programmes": 16,
    "municipalities": 11_000,
    "cohorts": 400,
    "applications": 100_000,
    "enrollments": 20_000,
    "certificates": 20_000,
    "outbox": 1_000_000,
}
# Modules of further rows, imported where present. Each may define any of:
#   small(world)            build its own rows into the small world, before it is kept
#   grow(world, sizes)      build its rows into the rollout, after the rollout is built
#   pages(world)            more pages: [(name, user or None, path), ...]
#   jobs(world)             more jobs: {name: (call, count_work or None)}
# A page or job they add is measured in both worlds, reported and judged as the others are.
EXTRA_ROWS = ["tests.bench.federal_waves", "tests.bench.federal_community"]


def targets() -> dict[str, int]:
    """The sizes to build; a trial fraction shrinks the rows, not the sixteen states."""
    fraction = float(os.environ.get("BENCH_FEDERAL_FRACTION", "1"))
    sizes = {key: max(int(value * fraction), 1) for key, value in FULL.items()}
    sizes["programmes"] = FULL["programmes"]
    return sizes


# Turned-down applications of the small world's first cohort: with its other 20, more than a page.
TURNED_DOWN = 90
STAFF = {"reviewer": "gutachten", "coordinator": "koordination", "evaluator": "auswertung", "admin": "admin"}

# --- the small world -------------------------------------------------------------------------


class World:
    """The measured people and objects; they stay the same while the data around them grows."""

    def __init__(self):
        from portal.accounts.models import User

        now = timezone.now()
        today = timezone.localdate(now)
        self.programme, self.modules = programme_and_modules()
        self.reviewer = staff_user(f"{STAFF['reviewer']}@bench.example.org", "reviewers")
        self.coordinator = staff_user(f"{STAFF['coordinator']}@bench.example.org", "coordinators")
        self.evaluator = staff_user(f"{STAFF['evaluator']}@bench.example.org", "evaluators")
        self.admin = User.objects.create(
            email=f"{STAFF['admin']}@bench.example.org",
            first_name="Ada",
            last_name="Admin",
            is_staff=True,
            is_superuser=True,
        )
        self._finished_cohort()
        self._open_cohort(now, today)
        self._first_mails(now)
        analyze()

    KEYS = ("past", "open", "participant", "certificate", "applicant", "draft", "reviewed")

    def keys(self) -> dict[str, int]:
        """What :meth:`load` needs to find the world again in a kept copy of the database."""
        return {name: getattr(self, name).pk for name in self.KEYS}

    @classmethod
    def load(cls, keys: dict[str, int]) -> "World":
        """The world of a kept copy (tests/bench/federal_snapshot.py), without building it."""
        from applications.models import Application
        from certificates.models import Certificate
        from cohorts.models import Cohort
        from portal.accounts.models import User

        world = cls.__new__(cls)
        world.programme, world.modules = programme_and_modules()
        for name in ("reviewer", "coordinator", "evaluator", "admin"):
            setattr(world, name, User.objects.get(email=f"{STAFF[name]}@bench.example.org"))
        world.participant = User.objects.get(pk=keys["participant"])
        world.applicant = User.objects.get(pk=keys["applicant"])
        world.past = Cohort.objects.get(pk=keys["past"])
        world.open = Cohort.objects.get(pk=keys["open"])
        world.certificate = Certificate.objects.get(pk=keys["certificate"])
        world.draft = Application.objects.get(pk=keys["draft"])
        world.reviewed = Application.objects.get(pk=keys["reviewed"])
        return world

    def _finished_cohort(self) -> None:
        """A finished cohort with ten participants, their attendance, tasks and certificates."""
        from certificates.models import Certificate
        from cohorts.models import BERLIN, Cohort
        from modules.models import Session

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
        self._turned_down(now=timezone.now())

    def _turned_down(self, now: dt.datetime) -> None:
        """The applications the first cohort turned down, anonymised by the retention run long
        since (none is due for it): the list of every cohort ("alle Durchgänge") shows a full page
        in both worlds, the same rows to show."""
        from applications.models import Application

        rows = [
            submitted_application(user, self.past, 10 + index, status=Application.Status.REJECTED, at=now)
            for index, user in enumerate(make_users(TURNED_DOWN, tag="abgelehnt"), start=1)
        ]
        for row in rows:
            row.anonymised_at = now - dt.timedelta(days=400)
        Application.objects.bulk_create(rows)

    def _open_cohort(self, now: dt.datetime, today: dt.date) -> None:
        """The open cohort: ten submitted applications, three on the waiting list, one draft."""
        from applications.models import Application, ReviewNote, Score, StatusChange
        from cohorts.models import Cohort

        self.open = Cohort.objects.create(
            programme=self.programme,
            number=2,
            title="2. Schulungsdurchgang",
            start_date=today + dt.timedelta(days=40),
            end_date=today + dt.timedelta(days=100),
            applications_open_at=now - dt.timedelta(days=20),
            applications_close_on=today + dt.timedelta(days=10),
            seats=15,
            review_phase="review",  # reviewers work while it still takes applications
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
        from applications.models import ReviewAssignment

        # The reviewer's queue: every submitted application of the open cohort.
        ReviewAssignment.objects.bulk_create(
            ReviewAssignment(application=a, reviewer=self.reviewer) for a in submitted
        )
        # The waiting list is ranked by score.

    def _first_mails(self, now: dt.datetime) -> None:
        from portal.admin import OutboxMessageAdmin
        from portal.mail.models import OutboxMessage
        from portal.web.paging import DepthLimitedPaginator

        # As many mails as the outbox admin offers pages of (a first year's), so that its deepest
        # page is a full page of the same number in both worlds: the same work to show.
        offered = OutboxMessageAdmin.list_per_page * DepthLimitedPaginator.MAX_PAGES
        OutboxMessage.objects.bulk_create(
            (
                mail(index, user=self.applicant, status=OutboxMessage.Status.SENT, at=now)
                for index in range(offered)
            ),
            batch_size=1000,
        )
        OutboxMessage.objects.bulk_create(
            mail(index, user=self.applicant, status=OutboxMessage.Status.QUEUED, at=now, tag="due")
            for index in range(2)
        )

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
            ("Reviewer queue", self.reviewer, admin),
            ("Review overview", self.reviewer, f"{applications}uebersicht/?durchgang={self.open.pk}"),
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


# --- measuring -------------------------------------------------------------------------------


def extra_modules() -> list:
    found = []
    for name in EXTRA_ROWS:
        try:
            found.append(importlib.import_module(name))
        except ModuleNotFoundError as error:
            if error.name != name:
                raise
    return found


def _pages(world) -> list[tuple[str, object, str]]:
    from portal.mail.models import OutboxMessage

    admin = f"/{settings.ADMIN_URL}"
    pages = world.pages()
    pages.insert(
        4, ("Admin list, alle Durchgänge", world.reviewer, f"{admin}applications/application/?durchgang=alle")
    )
    # The deepest page the outbox admin offers (portal.web.paging.DepthLimitedPaginator).
    from portal.admin import OutboxMessageAdmin
    from portal.web.paging import DepthLimitedPaginator

    deepest = min(
        math.ceil(OutboxMessage.objects.count() / OutboxMessageAdmin.list_per_page),
        DepthLimitedPaginator.MAX_PAGES,
    )
    pages.append(("Outbox admin, deepest page", world.admin, f"{admin}portal/outboxmessage/?p={deepest}"))
    for module in extra_modules():
        if hasattr(module, "pages"):
            pages += module.pages(world)
    return pages


def measure_pages(world, worlds: dict[str, str]) -> dict:
    """Every page in both worlds, alternating round by round (tests/bench/federal_interleave.py)."""
    clients, paths = {}, {}
    for side, database in worlds.items():
        use(database)
        clients[side], paths[side] = {}, {}
        for name, user, path in _pages(world):
            key = user.pk if user else None
            if key not in clients[side]:
                clients[side][key] = _client(user)
            paths[side][name] = (key, path)
    return interleave.pages(worlds, clients, paths)


def _extra_jobs(world) -> dict:
    found = {}
    for module in extra_modules():
        if hasattr(module, "jobs"):
            found.update(module.jobs(world))
    return found


def measure_worlds(world, worlds: dict[str, str], log_dir) -> dict:
    figures = {side: {} for side in worlds}
    for side, measured in measure_pages(world, worlds).items():
        figures[side]["pages"] = measured
    found = catalogue(world, _extra_jobs(world))
    for side, measured in interleave.jobs(worlds, found, explain, count_work).items():
        figures[side]["jobs"] = measured
    for side, database in worlds.items():
        use(database)
        figures[side]["exports"] = federal_exports.in_process(world, database)
    use(worlds["small"])
    figures["small"]["signup"] = signup()
    use(worlds["large"])
    figures["large"]["gunicorn"] = federal_exports.through_gunicorn(world, log_dir)
    return figures


def build_small() -> "World":
    world = World()
    federal_due.build(world)
    for module in extra_modules():
        if hasattr(module, "small"):
            module.small(world)
    analyze()
    return world


def build_rollout(world, sizes: dict[str, int]) -> dict:
    counts = grow(world, sizes)
    for module in extra_modules():
        if hasattr(module, "grow"):
            module.grow(world, sizes)
    analyze()
    return counts


def run(work) -> dict:
    """Build the small world and keep it, build the rollout around it and keep that, then measure
    both side by side. With ``BENCH_FEDERAL_REUSE=1`` and both worlds kept from an earlier run,
    nothing is built: both are measured from fresh copies."""
    sizes = targets()
    reuse = os.environ.get("BENCH_FEDERAL_REUSE") == "1" and federal_snapshot.available()
    if reuse:
        log("  using the worlds kept by an earlier run …")
        federal_snapshot.restore(federal_snapshot.FEDERAL)
    else:
        log("  building the small world …")
        world = build_small()
        federal_snapshot.save(federal_snapshot.SMALL, {"keys": world.keys()})
        log("  building the rollout …")
        counts = build_rollout(world, sizes)
        federal_snapshot.save(federal_snapshot.FEDERAL, {"keys": world.keys(), "counts": counts})
    memo = federal_snapshot.memo(federal_snapshot.FEDERAL)
    counts = memo["counts"]
    worlds = {
        "small": federal_snapshot.restore(federal_snapshot.SMALL, as_name="small_run"),
        "large": federal_snapshot.live_name(),
    }
    for database in worlds.values():  # a kept copy may be older than the newest migration
        use(database)
        call_command("migrate", verbosity=0, interactive=False)
    use(worlds["large"])
    world = World.load(memo["keys"])
    log(f"  rollout built in {counts['build_seconds']} s; measuring both worlds …")
    figures = measure_worlds(world, worlds, work)
    return {**figures, "counts": counts, "targets": sizes, "reused": reuse}


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
