"""Federal scale for the network "Know-how-Transfer": its pages and its weekly digest in a small
world and after a nationwide rollout (5,000 members, 20,000 posts, 3,000 projects), in one run on
one database.

The small world is a network in its first weeks: 50 members in their directory, 30 projects,
20 threads with 200 posts, one thread with many answers. The rollout is built around it with bulk
inserts, and the same pages are asked for again by the same member; the digest job runs for the
same number of due subscriptions. For each page and job the run reports the queries (they must
not grow), the plans of its statements read with EXPLAIN (no sequential scan of a big table) and
the time per unit of work, compared with tests/bench/rounds.py (at most 1.5 times the small
world's, at the unfavourable quartile).

One database holds one state, so the rounds of the two worlds cannot alternate: the small
world's rounds are all taken before the rollout and paired with the large world's by number.

Runs on its own (``python -m tests.bench.federal_community`` prints its rows) or from the federal
benchmark (``rows()`` returns them). ``BENCH_FEDERAL_FRACTION`` shrinks the rollout for a trial.
"""

import datetime as dt
import os
import time

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from .rounds import MIN_ROUNDS, Comparison, time_ratio_cell

SMALL = {"members": 50, "projects": 30, "threads": 20, "posts": 200}
FULL = {"members": 5_000, "projects": 3_000, "threads": 2_000, "posts": 20_000}
ANSWERS = 200  # the measured thread's answers, the same in both worlds
STATEMENT_EVERY = 10  # every tenth member has an approved statement for the public start page
DUE = 20  # digest subscriptions with news, the same in both worlds
TARGET = 1.5
# Watches and digest subscriptions hold the ``DUE`` rows only, in both worlds: not big here.
BIG_TABLES = {
    "community_directoryentry",
    "community_project",
    "community_thread",
    "community_post",
    "cohorts_enrollment",
    "portal_user",
}


def log(text: str) -> None:
    print(text, flush=True)  # noqa: T201 - a benchmark reports as it goes


def sizes() -> dict[str, int]:
    fraction = float(os.environ.get("BENCH_FEDERAL_FRACTION", "1"))
    return {name: max(SMALL[name], int(count * fraction)) for name, count in FULL.items()}


class CommunityWorld:
    """A running cohort whose participants are the network's members, and what they wrote."""

    def __init__(self):
        from cohorts.models import Cohort, Enrollment

        from .data import make_users, programme_and_modules, staff_user

        self.programme, self.modules = programme_and_modules()
        today = timezone.localdate()
        self.cohort = Cohort.objects.create(
            programme=self.programme,
            number=90,
            title="90. Schulungsdurchgang",
            start_date=today - dt.timedelta(days=10),
            end_date=today + dt.timedelta(days=60),
            applications_open_at=timezone.now() - dt.timedelta(days=90),
            applications_close_on=today - dt.timedelta(days=30),
            seats=10_000,
        )
        self.enrollment_model = Enrollment
        self.moderator = staff_user("netzwerk-bench@bench.example.org", "coordinators")
        self.members = 0
        self.counts = {"projects": 0, "threads": 0, "posts": 0}
        self.make_users = make_users
        self.grow(SMALL)
        # The member who asks for every page: a participant of the running cohort.
        self.reader = self.enrollment_model.objects.filter(cohort=self.cohort).order_by("pk").first().user
        self.thread = self._thread("Viele Antworten: Förderprogramme", answers=ANSWERS)
        self._due_digests()

    # --- building -----------------------------------------------------------------------------

    def grow(self, target: dict[str, int]) -> None:
        from community.models import DirectoryEntry

        from .data import municipalities

        new = target["members"] - self.members
        if new > 0:
            users = self.make_users(new, tag=f"netz{self.members}")
            towns = municipalities()
            self.enrollment_model.objects.bulk_create(
                [
                    self.enrollment_model(
                        cohort=self.cohort, user=user, municipality=next(towns), state="confirmed"
                    )
                    for user in users
                ],
                batch_size=2000,
            )
            DirectoryEntry.objects.bulk_create(
                [
                    DirectoryEntry(
                        user=user, municipality=next(towns), unit="Digitalisierung", function="Leitung"
                    )
                    for user in users
                ],
                batch_size=2000,
            )
            self._statements(users)
            self.members = target["members"]
        self._projects(target["projects"] - self.counts["projects"])
        self._threads(target["threads"] - self.counts["threads"], target["posts"] - self.counts["posts"])
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    def _statements(self, users) -> None:
        """Approved statements of every tenth new member, for the public start page."""
        from community.models import DirectoryEntry, Testimonial
        from community.testimonials import drop_landing_cache

        towns = dict(
            DirectoryEntry.objects.filter(user__in=users[::STATEMENT_EVERY]).values_list(
                "user_id", "municipality_id"
            )
        )
        now = timezone.now()
        Testimonial.objects.bulk_create(
            [
                Testimonial(
                    author_id=user_id,
                    text="Der Austausch mit anderen Kommunen hat unser Projekt beschleunigt.",
                    show_name=True,
                    municipality_id=town,
                    cohort=self.cohort,
                    consent_at=now,
                    consent_version="1",
                    consent_text="Einwilligung",
                    state=Testimonial.State.APPROVED,
                    decided_by=self.moderator,
                    decided_at=now,
                )
                for user_id, town in towns.items()
            ],
            batch_size=2000,
        )
        drop_landing_cache()

    def _authors(self, count: int):
        from community.models import DirectoryEntry

        ids = list(DirectoryEntry.objects.order_by("pk").values_list("user_id", "municipality_id")[:500])
        return [ids[index % len(ids)] for index in range(count)]

    def _projects(self, count: int) -> None:
        from community.models import Project

        if count <= 0:
            return
        now = timezone.now()
        Project.objects.bulk_create(
            [
                Project(
                    author_id=author,
                    municipality_id=town,
                    title=f"Projekt {self.counts['projects'] + index}",
                    summary="Offene Daten für die Kommune, Schritt für Schritt.",
                    publication="public" if index % 2 else "network",
                    approved_at=now if index % 2 else None,
                    approved_by=self.moderator if index % 2 else None,
                )
                for index, (author, town) in enumerate(self._authors(count))
            ],
            batch_size=2000,
        )
        self.counts["projects"] += count

    def _threads(self, threads: int, posts: int) -> None:
        from community.models import Post, Thread

        if threads <= 0:
            return
        now = timezone.now()
        authors = self._authors(max(threads, posts))
        made = Thread.objects.bulk_create(
            [
                Thread(
                    module=self.modules[index % len(self.modules)],
                    title=f"Frage {self.counts['threads'] + index}",
                    author_id=authors[index][0],
                    created_at=now - dt.timedelta(days=30, minutes=index),
                    last_post_at=now - dt.timedelta(days=20, minutes=index),
                )
                for index in range(threads)
            ],
            batch_size=2000,
        )
        Post.objects.bulk_create(
            [
                Post(
                    thread=made[index % len(made)],
                    author_id=authors[index][0],
                    body="Wir haben gute Erfahrungen gemacht.",
                    html="<p>Wir haben gute Erfahrungen gemacht.</p>",
                    created_at=now - dt.timedelta(days=20, minutes=index),
                )
                for index in range(posts)
            ],
            batch_size=5000,
        )
        self.counts["threads"] += threads
        self.counts["posts"] += posts

    def _thread(self, title: str, *, answers: int):
        from community.models import Post, Thread

        now = timezone.now()
        authors = self._authors(answers)
        thread = Thread.objects.create(
            module=self.modules[0], title=title, author_id=authors[0][0], created_at=now, last_post_at=now
        )
        Post.objects.bulk_create(
            Post(
                thread=thread,
                author_id=author,
                body="Antwort",
                html="<p>Antwort</p>",
                created_at=now - dt.timedelta(hours=2, minutes=index),
            )
            for index, (author, _town) in enumerate(authors)
        )
        return thread

    def _due_digests(self) -> None:
        """``DUE`` members watch the busy thread and take the digest: each has news this week."""
        from community.models import DigestSubscription, Watch

        users = list(
            self.enrollment_model.objects.filter(cohort=self.cohort)
            .order_by("-pk")
            .values_list("user_id", flat=True)[:DUE]
        )
        Watch.objects.bulk_create(Watch(user_id=user, thread=self.thread) for user in users)
        DigestSubscription.objects.bulk_create(DigestSubscription(user_id=user) for user in users)

    # --- measuring ----------------------------------------------------------------------------

    def pages(self) -> dict[str, str]:
        from django.urls import reverse

        return {
            "public start page with statements and towns (cached section)": "/",
            "start page with towns": reverse("community:home"),
            "directory": reverse("community:directory"),
            "projects": reverse("community:projects"),
            "exchange": reverse("community:threads"),
            f"thread with {ANSWERS} answers": reverse("community:thread", args=[self.thread.pk]),
        }


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _digest_once() -> tuple[float, list[str], int]:
    from community.digest import send_all

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        with transaction.atomic():
            sent = send_all(at=timezone.now())
            transaction.set_rollback(True)  # every round meets the same due work
        elapsed = time.perf_counter() - started
    return elapsed / max(sent, 1), [q["sql"] for q in queries.captured_queries], sent


def _landing_miss(rounds: int) -> dict:
    """The statements and towns of the public start page, computed as on a cache miss."""
    from community.testimonials import _compute

    _compute()
    with CaptureQueriesContext(connection) as queries:
        _compute()
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        _compute()
        times.append(time.perf_counter() - started)
    statements = [q["sql"] for q in queries.captured_queries]
    return {"status": "-", "queries": len(statements), "statements": statements, "times": times}


def measure(world: CommunityWorld, rounds: int) -> dict:
    """Per page and for the digest: queries, statements, and ``rounds`` times (per unit of work)."""
    client = _client(world.reader)
    found = {}
    for name, path in world.pages().items():
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            status = client.get(path).status_code
        statements = [q["sql"] for q in queries.captured_queries]  # now: the next request empties the log
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            client.get(path)
            times.append(time.perf_counter() - started)
        found[name] = {
            "status": status,
            "queries": len(statements),
            "statements": statements,
            "times": times,
        }
    found["public start page's section computed afresh (cache miss)"] = _landing_miss(rounds)
    _digest_once()
    per_unit, statements, sent = _digest_once()
    times = [_digest_once()[0] for _ in range(rounds)]
    found["digest job (per mail)"] = {
        "status": sent,
        "queries": len(statements) // max(sent, 1),
        "statements": statements,
        "times": times,
    }
    return found


def _seq_big(statements: list[str]) -> list[str]:
    from .federal import explain  # after Django is set up (this module may start it)

    plans = explain(statements)
    return sorted(
        {
            table
            for plan in plans
            for _n, table, _i in plan["scans"]
            if _n == "Seq Scan" and table in BIG_TABLES
        }
    )


def rows(rounds: int = MIN_ROUNDS) -> list[dict]:
    """Build both worlds, measure, and return one row per page and job."""
    log("  community: building the small world …")
    world = CommunityWorld()
    small = measure(world, rounds)
    target = sizes()
    log(f"  community: growing to {target} …")
    started = time.perf_counter()
    world.grow(target)
    log(f"  community: rollout built in {time.perf_counter() - started:.1f} s; measuring …")
    large = measure(world, rounds)
    result = []
    for name, before in small.items():
        after = large[name]
        comparison = Comparison(baseline=before["times"], portal=after["times"])
        seq = _seq_big(after["statements"])
        result.append(
            {
                "name": name,
                "status": (before["status"], after["status"]),
                "queries": (before["queries"], after["queries"]),
                "queries_constant": before["queries"] == after["queries"],
                "seq_scans": seq,
                "time": time_ratio_cell(comparison),
                "time_met": comparison.at_most_time(TARGET),
                "small_ms": round(comparison.baseline_median() * 1000, 2),
                "large_ms": round(comparison.portal_median() * 1000, 2),
            }
        )
    return result


def run(work=None) -> dict:
    """The federal benchmark's hook: rows with their world's sizes."""
    return {"rows": rows(), "sizes": {"small": SMALL, "large": sizes()}}


def format_rows(found: list[dict]) -> str:
    lines = [
        "| page or job | status | queries small → large | seq scans of big tables | time large / small | met |"
    ]
    lines.append("|---|---|---|---|---|---|")
    for row in found:
        small, large = row["queries"]
        met = row["queries_constant"] and not row["seq_scans"] and row["time_met"]
        lines.append(
            f"| {row['name']} | {row['status'][0]} → {row['status'][1]} | {small} → {large} | {', '.join(row['seq_scans']) or 'none'} | "
            f"{row['time']} ({row['small_ms']} → {row['large_ms']} ms) | {'yes' if met else 'NO'} |"
        )
    return "\n".join(lines)


def main() -> None:
    """On its own: a fresh benchmark database (as ``make bench``), both worlds, the rows."""
    import tempfile
    from pathlib import Path

    from .run import _prepare

    _prepare(Path(tempfile.mkdtemp(prefix="portal-bench-community-")))
    print(format_rows(rows()))  # noqa: T201


if __name__ == "__main__":
    main()
