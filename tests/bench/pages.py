"""3. Page cost as data grows: queries and time of five pages at 10, 1,000 and 10,000
applications and participants.

At every size the pages show the same things: the measured cohort keeps its 10 participants,
the measured people stay the same; the data around them grows. Participants come in cohorts of
25 (a cohort's seats), each with a submitted and accepted application, attendance at all five
sessions and five accepted practical tasks. Requests go through Django's test client in this
process (the whole middleware stack, no HTTP), with DEBUG off.
"""

import datetime as dt
import time

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from .common import median
from .data import graduate, make_users, next_cohort_number, past_cohort, programme_and_modules, staff_user
from .rounds import MIN_ROUNDS

SIZES = [10, 1_000, 10_000]
COHORT_PARTICIPANTS = 25
MEASURED_COHORT_PARTICIPANTS = 10
TIMED_REQUESTS = MIN_ROUNDS  # after two warm-up requests, which are not kept


def _applications(enrollments) -> None:
    from applications.models import Application

    now = timezone.now()
    sequences = {}
    rows = []
    for enrollment in enrollments:
        cohort = enrollment.cohort
        sequence = sequences[cohort.pk] = sequences.get(cohort.pk, 0) + 1
        rows.append(
            Application(
                cohort=cohort,
                applicant=enrollment.user,
                municipality=enrollment.municipality,
                status=Application.Status.ACCEPTED,
                sequence=sequence,
                reference=f"SCM-{cohort.number}-{sequence:04d}",
                department="Stabsstelle Digitalisierung",
                position="Sachbearbeitung",
                phone="+49 331 000000",
                role="Koordination",
                motivation="Smart City gemeinsam gestalten.",
                strategy=Application.Strategy.YES,
                supervisor_name="Dr. Erika Muster",
                supervisor_email="leitung@bench.example.org",
                endorsement="private/bench/schreiben.pdf",
                endorsement_name="schreiben.pdf",
                privacy_consent_at=now - dt.timedelta(days=90),
                privacy_consent_version=settings.PRIVACY_NOTICE_VERSION,
                submitted_at=now - dt.timedelta(days=90),
                decided_at=now - dt.timedelta(days=80),
                enrollment=enrollment,
            )
        )
    Application.objects.bulk_create(rows, batch_size=2000)


class Growth:
    def __init__(self):
        self.programme, self.modules = programme_and_modules()
        self.coordinator = staff_user("matrix@bench.example.org", "coordinators")
        self.reviewer = staff_user("liste@bench.example.org", "reviewers")
        self.count = 0
        self.cohort = None
        self.participant = None

    def grow_to(self, size: int) -> None:
        batches = []
        remaining = size - self.count
        while remaining > 0:
            seats = MEASURED_COHORT_PARTICIPANTS if self.cohort is None else COHORT_PARTICIPANTS
            take = min(seats, remaining)
            cohort = past_cohort(
                self.programme, self.modules, number=next_cohort_number(self.programme), seats=seats
            )
            if self.cohort is None:
                self.cohort = cohort
                cohort.coordinators.add(self.coordinator)
            batches.append((cohort, make_users(take, tag=f"person-{self.count}")))
            self.count += take
            remaining -= take
        enrollments = graduate(batches, recorded_by=self.coordinator)
        cohorts = {cohort.pk: cohort for cohort, _users in batches}
        for enrollment in enrollments:
            enrollment.cohort = cohorts[enrollment.cohort_id]
        _applications(enrollments)
        if self.participant is None:
            self.participant = enrollments[0].user
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    def pages(self):
        admin = f"/{settings.ADMIN_URL}applications/application/"
        return [
            ("Landing page", None, "/"),
            ("Applicant dashboard", self.participant, "/bewerbung/"),
            ("Admin application list", self.reviewer, admin),
            ("Coordinator progress matrix", self.coordinator, f"/koordination/{self.cohort.pk}/"),
            ("Participant dashboard", self.participant, "/kurs/"),
        ]


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
        try:  # staff have confirmed their second factor at login (portal.accounts.security, if present)
            from portal.accounts.security import MFA_SESSION_KEY
        except ImportError:
            MFA_SESSION_KEY = None  # noqa: N806
        if MFA_SESSION_KEY and user.is_staff:
            session = client.session
            session[MFA_SESSION_KEY] = True
            session.save()
    return client


def measure(client: Client, path: str) -> dict:
    """Queries counted once; the time of every one of the timed requests, and their median."""
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    count = len(queries)  # now: the next request empties the query log
    times = []
    for _ in range(TIMED_REQUESTS):
        started = time.perf_counter()
        client.get(path)
        times.append(time.perf_counter() - started)
    return {"status": response.status_code, "queries": count, "time": median(times), "times": times}


def run() -> dict:
    from cohorts.models import Cohort

    growth = Growth()
    pages, cohorts = {}, {}
    for size in SIZES:
        growth.grow_to(size)
        cohorts[size] = Cohort.objects.count()
        for name, user, path in growth.pages():
            pages.setdefault(name, {})[size] = measure(_client(user), path)
    return {"pages": pages, "cohorts": cohorts}
