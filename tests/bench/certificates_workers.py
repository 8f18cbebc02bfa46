"""1. Certificates through the real worker: cohorts issued at once and rendered, stored and mailed
by two Celery worker processes, against the same certificates rendered one after another by plain
WeasyPrint, and against the same steps run in one process.

Each round gets a fresh cohort of graduates and takes three turns, in alternating order:

- **baseline**: plain WeasyPrint on the same certificate HTML (the whole page), one certificate
  after another, with the shipped fonts through the same fontconfig as the portal, one
  ``FontConfiguration`` for all and the stylesheets parsed once; the HTML is prepared untimed;
- **workers**: ``issue_certificates`` with two worker processes running (started once, before the
  rounds), until every certificate is stored and every one of their mails sent;
- **in process**: the same call with the tasks run eagerly in this process (no broker): the same
  steps without Celery, Redis and the second process.

Then a profiled in-process run tells where a certificate's time goes, and the broker's command
counter tells how many Redis commands a certificate costs in the workers.
"""

import datetime as dt
import json
import os
import signal
import time
from pathlib import Path

from django.utils import timezone

from .common import BenchError, flush_redis, median, start_worker, stop, wait_for
from .data import graduate, make_users, next_cohort_number, past_cohort, programme_and_modules, staff_user
from .rounds import Comparison
from .worker_profile import TOTAL, Profile

ROUND_SIZE = 20
ROUNDS = 20
LARGE_SIZE = 100
LARGE_ROUNDS = 5
WORKERS = 2
POLL = 0.02


class PlainWeasyPrint:
    """Plain WeasyPrint as a careful caller would use it: the shipped fonts (the portal's fontconfig
    without the host's fonts), one font configuration and the stylesheets parsed once."""

    def __init__(self):
        from weasyprint.text.fonts import FontConfiguration

        from portal.pdf import STYLESHEET_LINK
        from portal.pdf.fonts import shipped_fonts_only
        from portal.pdf.render import safe_url_fetcher

        self.link = STYLESHEET_LINK
        self.font_config = shipped_fonts_only(FontConfiguration)
        self.url_fetcher = safe_url_fetcher()
        self.stylesheets = {}

    def _stylesheet(self, name: str):
        from weasyprint import CSS

        from portal.pdf import ASSET_DIR

        if name not in self.stylesheets:
            self.stylesheets[name] = CSS(
                url=(ASSET_DIR / name).as_uri(), url_fetcher=self.url_fetcher, font_config=self.font_config
            )
        return self.stylesheets[name]

    def prepare(self, html: str) -> tuple[str, list]:
        return self.link.sub("", html), [self._stylesheet(name) for name in self.link.findall(html)]

    def render(self, prepared: tuple[str, list]) -> bytes:
        import weasyprint

        from portal.pdf.render import BASE_URL

        html, stylesheets = prepared
        return weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=self.url_fetcher).write_pdf(
            stylesheets=stylesheets, font_config=self.font_config, pdf_variant="pdf/a-3a"
        )


def _unsaved_certificates(cohort, enrollments) -> list:
    """The cohort's certificates as the portal issues them, for the baseline's HTML."""
    from certificates.models import Certificate

    return [
        Certificate(
            enrollment=enrollment,
            cohort=cohort,
            sequence=index,
            number=f"SCM-{cohort.end_date.year}-{cohort.number}-{index:04d}",
            language="de",
            holder_name=enrollment.user.get_full_name(),
            municipality_name=enrollment.municipality.name if enrollment.municipality_id else "",
            programme_title=cohort.programme.title,
            cohort_title=cohort.title,
            cohort_title_en=cohort.title_en,
            cohort_start=cohort.start_date,
            cohort_end=cohort.end_date,
            issued_on=dt.date(2022, 12, 16),
        )
        for index, enrollment in enumerate(enrollments, start=1)
    ]


class World:
    """Fresh cohorts of graduates, one per turn, each with its coordinator."""

    def __init__(self):
        self.programme, self.modules = programme_and_modules()
        self.coordinator = staff_user("koordination-worker@bench.example.org", "coordinators")
        self.made = 0

    def cohort(self, size: int):
        number = next_cohort_number(self.programme)
        cohort = past_cohort(self.programme, self.modules, number=number, seats=size)
        cohort.coordinators.add(self.coordinator)
        self.made += 1
        users = make_users(size, tag=f"worker-{self.made}")
        enrollments = graduate([(cohort, users)], recorded_by=self.coordinator)
        for enrollment in enrollments:
            enrollment.cohort = cohort
        return cohort, enrollments


def sequential_baseline(plain: PlainWeasyPrint, certificates) -> float:
    """The certificates rendered one after another by plain WeasyPrint (HTML prepared untimed)."""
    from certificates.render import certificate_html

    pages = [plain.prepare(certificate_html(certificate)) for certificate in certificates]
    started = time.perf_counter()
    for page in pages:
        plain.render(page)
    return time.perf_counter() - started


def _all_done(cohort, size: int) -> bool:
    from certificates.models import Certificate
    from portal.mail.models import OutboxMessage

    states = list(Certificate.objects.filter(cohort=cohort).values_list("status", flat=True))
    if len(states) != size or any(state == Certificate.Status.PENDING for state in states):
        return False
    sent = OutboxMessage.objects.filter(
        kind="certificate-ready",
        status=OutboxMessage.Status.SENT,
        related_id__in=Certificate.objects.filter(cohort=cohort).values("pk"),
    ).count()
    return sent == size


def _check(cohort, size: int) -> None:
    from certificates.models import Certificate

    issued = Certificate.objects.filter(cohort=cohort, status=Certificate.Status.ISSUED).count()
    if issued != size:
        raise BenchError(f"{issued} of {size} certificates issued in cohort {cohort.number}")


def cohort_with_workers(world: World, cohort, size: int) -> float:
    """From the coordinator's click until every certificate is stored and mailed by the workers."""
    from certificates.services import issue_certificates

    started = time.perf_counter()
    issue_certificates(cohort=cohort, by=world.coordinator, at=timezone.now())
    wait_for(lambda: _all_done(cohort, size), timeout=600, what="the cohort's certificates", interval=POLL)
    wall = time.perf_counter() - started
    _check(cohort, size)
    return wall


def in_process(world: World, cohort, size: int) -> float:
    """The same call with every task run eagerly in this process."""
    from certificates.services import issue_certificates
    from config.celery import app

    app.conf.task_always_eager = True
    try:
        started = time.perf_counter()
        issue_certificates(cohort=cohort, by=world.coordinator, at=timezone.now())
        wall = time.perf_counter() - started
    finally:
        app.conf.task_always_eager = False
    if not _all_done(cohort, size):
        raise BenchError("the in-process run left certificates or mails undone")
    return wall


def _redis_commands() -> int:
    import redis

    return redis.Redis.from_url(os.environ["REDIS_URL"]).info("stats")["total_commands_processed"]


def interleaved(world: World, plain: PlainWeasyPrint, size: int, rounds: int, warmups: int = 1) -> dict:
    """``rounds`` kept rounds (after ``warmups``) of the three turns, their order alternating."""
    versus_baseline, versus_process = Comparison(), Comparison()
    redis_per_certificate = []
    for number in range(warmups + rounds):
        cohorts = {turn: world.cohort(size) for turn in ("baseline", "workers", "process")}
        certificates = _unsaved_certificates(*cohorts["baseline"])
        times = {}
        order = ["baseline", "workers", "process"] if number % 2 == 0 else ["process", "workers", "baseline"]
        for turn in order:
            if turn == "baseline":
                times[turn] = sequential_baseline(plain, certificates)
            elif turn == "workers":
                before = _redis_commands()
                times[turn] = cohort_with_workers(world, cohorts[turn][0], size)
                commands = _redis_commands() - before
            else:
                times[turn] = in_process(world, cohorts[turn][0], size)
        if number >= warmups:
            versus_baseline.baseline.append(times["baseline"])
            versus_baseline.portal.append(times["workers"])
            # Per certificate: one worker's wall time against the same steps in one process.
            versus_process.baseline.append(times["process"] / size)
            versus_process.portal.append(times["workers"] * WORKERS / size)
            redis_per_certificate.append(commands / size)
    return {
        "size": size,
        "baseline": versus_baseline,
        "process": versus_process,
        "redis_commands_per_certificate": median(redis_per_certificate),
    }


def profile(world: World, size: int) -> dict:
    """Where a certificate's time goes in one process (medians of no use here: sums over the
    cohort, divided by its size), the steps timed exclusively (a step inside another counts once)."""
    from certificates.services import issue_certificates
    from config.celery import app

    cohort, _enrollments = world.cohort(size)
    app.conf.task_always_eager = True
    try:
        with Profile() as measured:
            issue_certificates(cohort=cohort, by=world.coordinator, at=timezone.now())
    finally:
        app.conf.task_always_eager = False
    return measured.per_item(size)


WAITING = "between tasks (broker, hand-over to the process, the other processes)"


def profiled_workers(world: World, log_dir: Path, size: int) -> dict:
    """A cohort through two worker processes that time their steps (``profiled_worker``): per
    certificate, each step's own time summed over both processes, and the time a process waited
    between its tasks."""
    from config.celery import app

    from .common import VENV_BIN, start
    from .profiled_worker import TASK

    folder = log_dir / "worker-profile"
    folder.mkdir(exist_ok=True)
    os.environ["BENCH_PROFILE_DIR"] = str(folder)
    args = [str(VENV_BIN / "celery"), "-A", "tests.bench.profiled_worker", "worker", "--concurrency=2"]
    args += ["--pool=prefork", "--loglevel=WARNING", "--hostname=bench-profiled@%h", "--without-gossip"]
    worker = start([*args, "--without-mingle"], log_dir / "celery-profiled-worker.log")
    try:
        wait_for(lambda: app.control.ping(timeout=0.5), timeout=60, what="the profiled Celery worker")
        cohort, _enrollments = world.cohort(size)
        cohort_with_workers(world, cohort, size)
        os.kill(worker.pid, signal.SIGTERM)  # the main process only: its children stop in turn
        worker.wait(timeout=60)
    finally:
        stop(worker)
    records = [json.loads(path.read_text()) for path in folder.glob("*.json")]
    if sum(record["certificates"] for record in records) < size:
        raise BenchError("the profiled worker processes did not report every certificate")
    labels = {label for record in records for label in record["exclusive"]}
    steps = {label: sum(r["exclusive"].get(label, 0) for r in records) * 1000 / size for label in labels}
    span = sum(record["span"] for record in records) * 1000 / size
    steps[WAITING] = span - sum(steps.values())
    steps[TOTAL] = span
    return {
        "steps": steps,
        "task": TASK,
        "queries_per_certificate": sum(record["queries"] for record in records) / size,
        "tasks": {
            name: sum(r["tasks"].get(name, 0) for r in records) for r in records for name in r["tasks"]
        },
    }


def run(log_dir: Path) -> dict:
    world = World()
    plain = PlainWeasyPrint()
    flush_redis()
    worker = start_worker("bench-workers@%h", log_dir / "celery-worker.log")
    try:
        from config.celery import app

        wait_for(lambda: app.control.ping(timeout=0.5), timeout=60, what="the Celery worker")
        small = interleaved(world, plain, ROUND_SIZE, ROUNDS)
        large = interleaved(world, plain, LARGE_SIZE, LARGE_ROUNDS, warmups=0)
    finally:
        stop(worker)
    return {
        "small": small,
        "large": large,
        "profile": profile(world, LARGE_SIZE),
        "worker_profile": profiled_workers(world, log_dir, LARGE_SIZE),
    }
