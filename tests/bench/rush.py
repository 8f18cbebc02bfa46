"""2. The deadline rush: gunicorn (2 workers) and PostgreSQL under 500 applicants submitting in
the last moments before their deadline, which passes while they submit.

The deadline is data, as in production: the cohort closed yesterday, and every applicant holds
an individual extension (DeadlineExtension) whose ``until`` is set to an instant a few seconds
into the rush. The server decides by its own clock, exactly as on a real closing day.
Baseline in the same run: a bare Django view that inserts one row (tests/bench/urls.py),
measured before and after the rush with the same load generator and concurrency.
"""

import datetime as dt
import os
import re
import string
import time
from contextlib import contextmanager
from importlib import import_module
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import connection
from django.middleware.csrf import CSRF_SESSION_KEY
from django.utils import timezone
from django.utils.crypto import get_random_string

from . import loadgen
from .common import VENV_BIN, BenchError, flush_redis, free_port, median, percentile, start, stop, wait_for
from .data import make_users, municipalities, next_cohort_number, programme_and_modules, staff_user
from .rush_check import CLOSED_MESSAGE as CLOSED_MESSAGE
from .rush_check import check
from .urls import BASELINE_TABLE

# CLOSED_MESSAGE (rush_check.py) is imported from here by tests/applications/test_rush_marker.py.
RUSH_USERS = 500
CALIBRATION_USERS = 100
BASELINE_REQUESTS = 1500
WARM_UP_REQUESTS = 100
PROFILE_REQUESTS = 60
CONCURRENCY = 8
# Where in the rush the deadline falls, as a share of its expected length.
DEADLINE_AT = 0.6


def _open_cohort_closed_yesterday(programme, number: int):
    from cohorts.models import BERLIN, Cohort

    today = timezone.localdate()
    return Cohort.objects.create(
        programme=programme,
        number=number,
        title=f"{number}. Schulungsdurchgang",
        start_date=today + dt.timedelta(days=30),
        end_date=today + dt.timedelta(days=90),
        applications_open_at=dt.datetime.combine(today - dt.timedelta(days=30), dt.time(8), tzinfo=BERLIN),
        applications_close_on=today - dt.timedelta(days=1),
        seats=15,
    )


def _drafts(cohort, users, *, until: dt.datetime, granted_by, endorsement: str):
    """Complete drafts, each with an individual extension of the (passed) deadline."""
    from applications.models import Application, DeadlineExtension

    towns = municipalities()
    now = timezone.now()
    drafts = Application.objects.bulk_create(
        [
            Application(
                cohort=cohort,
                applicant=user,
                municipality=next(towns),
                department="Stabsstelle Digitalisierung",
                position="Sachbearbeitung",
                phone="+49 331 000000",
                role="Koordination der Digitalisierungsvorhaben der Verwaltung.",
                motivation=f"Motivation von {user.get_full_name()}: Smart City gemeinsam gestalten.",
                strategy=Application.Strategy.IN_PROGRESS,
                supervisor_name="Dr. Erika Muster",
                supervisor_email="leitung@bench.example.org",
                endorsement=endorsement,
                endorsement_name="schreiben.pdf",
                endorsement_size=1024,
                privacy_consent_at=now,
                privacy_consent_version=settings.PRIVACY_NOTICE_VERSION,
            )
            for user in users
        ],
        batch_size=1000,
    )
    DeadlineExtension.objects.bulk_create(
        [
            DeadlineExtension(application=draft, until=until, reason="Benchmark", granted_by=granted_by)
            for draft in drafts
        ]
    )
    return drafts


def _logged_in(user) -> dict[str, str]:
    """Cookies and headers of a signed-in browser with a CSRF token, made without the login form."""
    from portal.accounts.security import remember_mfa_on_login

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    secret = get_random_string(32, string.ascii_letters + string.digits)
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[CSRF_SESSION_KEY] = secret
    # What signing in stores in the session besides (portal.accounts.security), as for every real applicant.
    remember_mfa_on_login(sender=None, request=SimpleNamespace(session=store), user=user)
    store.create()
    return {
        "Cookie": f"{settings.SESSION_COOKIE_NAME}={store.session_key}; {settings.CSRF_COOKIE_NAME}={secret}",
        "X-CSRFToken": secret,
        "Content-Type": "application/x-www-form-urlencoded",
    }


def _submits(drafts, users) -> list[loadgen.Request]:
    return [
        loadgen.Request("POST", f"/bewerbung/{draft.pk}/pruefen/", _logged_in(user), b"", tag=draft.pk)
        for draft, user in zip(drafts, users, strict=True)
    ]


def _inserts(count: int, headers: dict[str, str]) -> list[loadgen.Request]:
    return [loadgen.Request("POST", "/bench/insert/", headers) for _ in range(count)]


def _latencies(results) -> dict[str, float]:
    values = [result.latency for result in results]
    return {
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "p99": percentile(values, 99),
    }


def _cpu(pids: list[int]) -> float | None:
    """CPU seconds (user and system) the processes have used so far; None when one is gone or
    there is no /proc."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _workers(server) -> list[int]:
    try:
        return [
            int(pid) for pid in Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        ]
    except OSError:
        return []


def _backends() -> list[int]:
    """The PostgreSQL processes serving the benchmark's database, except this process's own."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return sorted(row[0] for row in cursor.fetchall())


def _load(port: int, requests: list[loadgen.Request], workers: list[int]):
    """Run the requests; also the CPU time per request of the gunicorn workers, the PostgreSQL
    processes serving them (None if a connection was replaced meanwhile) and the load generator."""
    backends = _backends()
    web, database, generator = _cpu(workers), _cpu(backends), time.process_time()
    results, wall = loadgen.run(port, requests, concurrency=CONCURRENCY)
    count = len(results)
    web_after, database_after = _cpu(workers), _cpu(backends)
    cpu = {
        "web": None if None in (web, web_after) else (web_after - web) / count,
        "database": None
        if None in (database, database_after) or _backends() != backends
        else (database_after - database) / count,
        "generator": (time.process_time() - generator) / count,
    }
    return results, wall, cpu


def _baseline(port: int, headers, workers: list[int]) -> dict:
    results, wall, cpu = _load(port, _inserts(BASELINE_REQUESTS, headers), workers)
    statuses = [result.status for result in results]
    if any(status != 204 for status in statuses):
        raise BenchError(
            f"the baseline view answered {sorted(set(statuses))}, expected 204 (see gunicorn.log)"
        )
    return {
        "requests": len(results),
        "wall": wall,
        "rps": len(results) / wall,
        "errors": sum(status != 204 for status in statuses),
        "cpu": cpu,
        **_latencies(results),
    }


def _mean_cpu(*figures: dict) -> dict:
    return {
        key: None
        if any(figure[key] is None for figure in figures)
        else sum(figure[key] for figure in figures) / len(figures)
        for key in figures[0]
    }


def _statements(queries) -> dict[str, list[str]]:
    """What the captured statements did, by kind, each with the table it names first."""
    kinds: dict[str, list[str]] = {}
    for query in queries:
        sql = query["sql"]
        verb = sql.split(None, 1)[0].upper()
        if verb in {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"}:
            kind, table = "transaction", verb
        else:
            pattern = {"INSERT": r"INSERT INTO \"?(\w+)", "UPDATE": r"UPDATE \"?(\w+)"}.get(
                verb, r"FROM \"?(\w+)"
            )
            found = re.search(pattern, sql)
            table = found.group(1) if found else "?"
            kind = {"INSERT": "insert", "UPDATE": "update", "DELETE": "delete"}.get(verb, "read")
            if kind == "read" and "FOR UPDATE" in sql:
                kind = "lock"
        kinds.setdefault(kind, []).append(table)
    return kinds


@contextmanager
def _templates_rendered():
    """The names of the templates rendered meanwhile (pages, mails, includes)."""
    from django.template.base import Template

    names: list[str] = []
    original = Template.render

    def render(self, context):
        names.append(self.name or "(from a string)")
        return original(self, context)

    Template.render = render
    try:
        yield names
    finally:
        Template.render = original


def _server_side(cohort, users, reviewer, endorsement, inserter) -> dict:
    """Submits and baseline inserts inside this process, taking turns (Django's test client, no
    HTTP): their statements, the templates they render and the server's own time, to show where a
    submit's cost lies."""
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    drafts = _drafts(
        cohort,
        users,
        until=timezone.now() + dt.timedelta(days=1),
        granted_by=reviewer,
        endorsement=endorsement,
    )
    client = Client()
    submits = [
        (f"/bewerbung/{draft.pk}/pruefen/", _logged_in(user))
        for draft, user in zip(drafts, users, strict=True)
    ]
    insert = ("/bench/insert/", _logged_in(inserter))
    expected = {"submit": 302, "insert": 204}

    def post(name, path, headers):
        response = client.post(path, HTTP_COOKIE=headers["Cookie"], HTTP_X_CSRFTOKEN=headers["X-CSRFToken"])
        if response.status_code != expected[name]:
            raise BenchError(f"in-process {name} answered {response.status_code}, expected {expected[name]}")
        return response

    measured = {}
    for name, request in (("submit", submits[0]), ("insert", insert)):
        post(name, *request)  # warm
    for name, request in (("submit", submits[1]), ("insert", insert)):
        with CaptureQueriesContext(connection) as queries, _templates_rendered() as templates:
            post(name, *request)
        measured[name] = {
            "queries": len(queries),
            "statements": _statements(queries.captured_queries),
            "templates": sorted(set(templates)),
            "times": [],
        }
    for request in submits[2:]:
        for name, timed in (("submit", request), ("insert", insert)):
            started = time.perf_counter()
            post(name, *timed)
            measured[name]["times"].append(time.perf_counter() - started)
    for figures in measured.values():
        figures["time"] = median(figures["times"])
        figures["count"] = len(figures.pop("times"))
    return measured


def run(log_dir: Path) -> dict:
    flush_redis()
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {BASELINE_TABLE} (id bigserial PRIMARY KEY, created_at timestamptz NOT NULL)"
        )
    world = _world()
    port = free_port()
    server = start(
        [
            str(VENV_BIN / "gunicorn"),
            "config.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            "--workers=2",
            "--worker-class=sync",
            "--log-level=warning",
        ],
        log_dir / "gunicorn.log",
    )
    try:
        measured = _rush(port, server, world)
    finally:
        stop(server)
    checked = check(measured.results, world.drafts_by_pk, measured.until)
    server_side = _server_side(
        world.profile_cohort, world.profile_users, world.reviewer, world.endorsement, world.inserter
    )
    return _figures(measured, checked, server_side)


def _world() -> SimpleNamespace:
    """The cohorts, applicants and drafts of the calibration, the rush and the in-process profile."""
    from applications.models import Application

    programme, _modules = programme_and_modules()
    reviewer = staff_user("pruefung@bench.example.org", "reviewers")
    far = timezone.now() + dt.timedelta(days=1)
    media = Path(settings.MEDIA_ROOT) / "private" / "bench"
    media.mkdir(parents=True, exist_ok=True)
    (media / "schreiben.pdf").write_bytes(b"%PDF-1.4\n%bench\n")
    endorsement = "private/bench/schreiben.pdf"

    calibration_cohort = _open_cohort_closed_yesterday(programme, next_cohort_number(programme))
    calibration_users = make_users(CALIBRATION_USERS, tag="calibration")
    calibration = _submits(
        _drafts(
            calibration_cohort, calibration_users, until=far, granted_by=reviewer, endorsement=endorsement
        ),
        calibration_users,
    )
    rush_cohort = _open_cohort_closed_yesterday(programme, next_cohort_number(programme))
    rush_users = make_users(RUSH_USERS, tag="applicant")
    drafts = _drafts(rush_cohort, rush_users, until=far, granted_by=reviewer, endorsement=endorsement)
    drafts_by_pk = Application.objects.in_bulk([draft.pk for draft in drafts])
    rush = _submits(drafts, rush_users)
    # The baseline signs in as an applicant does: a staff account without a second factor would be
    # sent to set one up (a redirect) instead of reaching the bare view.
    (inserter,) = make_users(1, tag="baseline")
    insert_headers = _logged_in(inserter)
    profile_cohort = _open_cohort_closed_yesterday(programme, next_cohort_number(programme))
    profile_users = make_users(PROFILE_REQUESTS + 2, tag="profile")
    return SimpleNamespace(
        reviewer=reviewer,
        endorsement=endorsement,
        calibration=calibration,
        rush_cohort=rush_cohort,
        drafts_by_pk=drafts_by_pk,
        rush=rush,
        inserter=inserter,
        insert_headers=insert_headers,
        profile_cohort=profile_cohort,
        profile_users=profile_users,
    )


def _rush(port: int, server, world: SimpleNamespace) -> SimpleNamespace:
    """Warm up and calibrate, then the baseline, the rush with the deadline inside it, the baseline."""
    from applications.models import DeadlineExtension

    calibration, insert_headers = world.calibration, world.insert_headers
    wait_for(
        lambda: loadgen.run(port, [loadgen.Request("GET", "/")], concurrency=1)[0][0].status == 200,
        timeout=60,
        what="gunicorn",
        interval=0.3,
    )
    # Warm both workers on both paths (imports, templates, connections), then calibrate:
    # the submit rate tells where in the rush to put the deadline.
    # The first half of the calibration submits warms the submit path, the second is timed.
    loadgen.run(port, _inserts(WARM_UP_REQUESTS, insert_headers), concurrency=CONCURRENCY)
    warming, _wall = loadgen.run(port, calibration[: len(calibration) // 2], concurrency=CONCURRENCY)
    calibrated, calibration_wall = loadgen.run(
        port, calibration[len(calibration) // 2 :], concurrency=CONCURRENCY
    )
    if any(result.status != 302 for result in [*warming, *calibrated]):
        statuses = sorted({result.status for result in calibrated})
        raise BenchError(f"calibration submits answered {statuses}, expected 302 (see gunicorn.log)")
    expected = RUSH_USERS / (len(calibrated) / calibration_wall)

    workers = _workers(server)
    before = _baseline(port, insert_headers, workers)
    # Applicants are ready with their drafts; the deadline falls inside the rush.
    start_at = time.time() + 0.5
    until = dt.datetime.fromtimestamp(start_at + DEADLINE_AT * expected, tz=dt.UTC)
    DeadlineExtension.objects.filter(application__cohort=world.rush_cohort).update(until=until)
    time.sleep(max(0.0, start_at - time.time()))
    results, wall, rush_cpu = _load(port, world.rush, workers)
    after = _baseline(port, insert_headers, workers)
    return SimpleNamespace(
        results=results, wall=wall, rush_cpu=rush_cpu, before=before, after=after, until=until
    )


def _figures(measured: SimpleNamespace, checked: dict, server_side: dict) -> dict:
    results, before, after, until = measured.results, measured.before, measured.after, measured.until
    baseline_rps = (before["rps"] + after["rps"]) / 2
    return {
        "rush": {
            "requests": len(results),
            "wall": measured.wall,
            "rps": len(results) / measured.wall,
            "cpu": measured.rush_cpu,
            **_latencies(results),
            **_latencies_by_outcome(results),
        },
        "baseline": {
            "rps": baseline_rps,
            "cpu": _mean_cpu(before["cpu"], after["cpu"]),
            "before": before,
            "after": after,
            "p50": median([before["p50"], after["p50"]]),
            "p95": median([before["p95"], after["p95"]]),
            "p99": median([before["p99"], after["p99"]]),
        },
        "check": checked,
        "deadline_into_rush": until.timestamp() - min(result.sent for result in results),
        "concurrency": CONCURRENCY,
        "server_side": server_side,
    }


def _latencies_by_outcome(results) -> dict[str, float]:
    accepted = [result.latency for result in results if result.status == 302]
    refused = [result.latency for result in results if result.status == 400]
    return {
        "accepted_p50": median(accepted) if accepted else 0.0,
        "refused_p50": median(refused) if refused else 0.0,
    }
