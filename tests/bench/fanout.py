"""4. Reminder fan-out: 10,000 draft reminders from the real reminder rule, sent by two Celery worker
processes to a local SMTP sink, with the worker killed (SIGKILL) once about half are delivered and a
new one started; against Django's SMTP backend sending the same 10,000 rendered messages from one
process, in the same batches, to the same kind of sink.

The sink (aiosmtpd on loopback) runs in its own process (``python -m tests.bench.fanout sink PORT
FILE``), so that neither side shares an interpreter with it. It counts SMTP connections (one EHLO
each), and records every delivered message's outbox key, Message-ID, recipient, connection and
time, from which the benchmark counts duplicates and missing messages.
"""

import contextlib
import json
import math
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from .common import BenchError, flush_redis, start, start_worker, stop, wait_for

COUNT = 10_000
BATCH = 50  # portal.mail.BATCH_SIZE, the messages sent over one connection
# A slow, shared machine must not fail the benchmark: generous limits for each phase.
PHASE_TIMEOUT = 300
# The worker is killed once this share of the messages is recorded as sent.
KILL_AT = 0.5
# After the restart: the new worker has nothing left to do once the broker queue is empty and no
# message was sent for this long. Then the killed worker's batches are handed out again.
IDLE = 1.0


# --- the SMTP sink (its own process) ----------------------------------------------------------

_HEADER = {
    name: re.compile(rb"^" + name + rb":[ \t]*(.*?)[ \t]*$", re.MULTILINE | re.IGNORECASE)
    for name in (b"X-Portal-Message", b"Message-ID")
}


class Recorder:
    """aiosmtpd handler: one connection per EHLO/HELO, one delivery per accepted DATA."""

    def __init__(self):
        self.connections = 0
        self.deliveries: list[tuple] = []

    def _connect(self, session, hostname: str) -> None:
        self.connections += 1
        session.bench_connection = self.connections
        session.host_name = hostname

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self._connect(session, hostname)
        return responses

    async def handle_HELO(self, server, session, envelope, hostname):
        self._connect(session, hostname)
        return f"250 {server.hostname}"

    async def handle_DATA(self, server, session, envelope):
        content = envelope.content if isinstance(envelope.content, bytes) else envelope.content.encode()
        head = re.split(rb"\r?\n\r?\n", content, maxsplit=1)[0]
        head = re.sub(rb"\r?\n[ \t]+", b" ", head).replace(b"\r", b"")  # unfold long headers
        found = {}
        for name, pattern in _HEADER.items():
            match = pattern.search(head)
            found[name] = match.group(1).decode(errors="replace") if match else ""
        self.deliveries.append(
            (
                getattr(session, "bench_connection", 0),
                found[b"X-Portal-Message"],
                found[b"Message-ID"],
                ",".join(envelope.rcpt_tos),
                time.monotonic(),
            )
        )
        return "250 Message accepted for delivery"


def sink_main(port: int, output: Path) -> None:
    """Serve until SIGTERM, then write what was recorded to ``output`` as JSON."""
    from aiosmtpd.controller import Controller

    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})  # the server thread inherits it
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=port, ready_timeout=30)
    controller.start()
    Path(f"{output}.ready").touch()
    signal.sigwait({signal.SIGTERM})
    controller.stop()
    output.write_text(json.dumps({"connections": recorder.connections, "deliveries": recorder.deliveries}))


class Sink:
    """The sink process, started and stopped by the benchmark."""

    def __init__(self, work: Path, name: str):
        self.port = _free_port()
        self.output = work / f"sink-{name}.json"
        self.process = start(
            [sys.executable, "-m", "tests.bench.fanout", "sink", str(self.port), str(self.output)],
            work / f"sink-{name}.log",
        )
        wait_for(
            lambda: Path(f"{self.output}.ready").exists() or self.process.poll() is not None,
            timeout=30,
            what="the SMTP sink",
        )
        if self.process.poll() is not None:
            raise BenchError("the SMTP sink did not start")

    def close(self) -> dict:
        stop(self.process)
        if not self.output.exists():
            raise BenchError("the SMTP sink wrote no record")
        return json.loads(self.output.read_text())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- data -------------------------------------------------------------------------------------


def drafts(count: int) -> None:
    """``count`` applicants with an unsubmitted draft in a cohort whose deadline is a week from today,
    so that the 7-day draft reminder is due now for each of them. Every fifth writes in English."""
    import datetime as dt

    from django.utils import timezone

    from applications.models import Application
    from cohorts.models import Cohort
    from portal.accounts.models import User

    from .data import make_users, next_cohort_number, programme_and_modules

    programme, _modules = programme_and_modules()
    close = timezone.localdate() + dt.timedelta(days=7)
    number = next_cohort_number(programme)
    cohort = Cohort.objects.create(
        programme=programme,
        number=number,
        title=f"{number}. Schulungsdurchgang",
        start_date=close + dt.timedelta(days=30),
        end_date=close + dt.timedelta(days=90),
        applications_open_at=timezone.now() - dt.timedelta(days=30),
        applications_close_on=close,
        seats=25,
    )
    users = make_users(count, tag="fanout")
    User.objects.filter(pk__in=[user.pk for user in users[::5]]).update(language="en")
    Application.objects.bulk_create(
        [Application(cohort=cohort, applicant=user) for user in users], batch_size=2000
    )


# --- the portal: the beat's reminder job and two worker processes, killed in the middle --------


@contextlib.contextmanager
def _environment(**values):
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _worker(name: str, log: Path) -> tuple[subprocess.Popen, str]:
    hostname = f"{name}@{socket.gethostname()}"
    process = start_worker(hostname, log)
    return process, hostname


def _ready(process: subprocess.Popen, hostname: str) -> None:
    from config.celery import app

    def answers():
        if process.poll() is not None:
            raise BenchError(f"the Celery worker {hostname} exited")
        return any(hostname in reply for reply in app.control.ping(destination=[hostname], timeout=0.5))

    wait_for(answers, timeout=60, what=f"the Celery worker {hostname}")


def portal(work: Path) -> dict:
    import redis

    from portal.mail.models import OutboxMessage

    flush_redis()
    broker = redis.Redis.from_url(os.environ["REDIS_URL"])
    sink = Sink(work, "portal")
    queued = OutboxMessage.objects.filter(status=OutboxMessage.Status.QUEUED)
    sent = OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT)
    workers = []
    try:
        with _environment(EMAIL_URL=f"smtp://127.0.0.1:{sink.port}"):
            clock = _kill_at_half(work, workers, sent)
            clock.update(_recover(queued, sent, broker))
    finally:
        for process in reversed(workers):
            stop(process)
        record = sink.close()
    return _figures(record, clock)


def _kill_at_half(work: Path, workers: list, sent) -> dict:
    """The reminder task through a worker that is killed (SIGKILL) once half the reminders are
    sent, and a new worker started; the moments of each step."""
    from applications.tasks import send_draft_reminders

    first, first_name = _worker("fanout-a", work / "celery-worker-killed.log")
    workers.append(first)
    _ready(first, first_name)
    # What beat starts every morning: the draft reminder rules, run by the worker.
    started = time.monotonic()
    job = send_draft_reminders.delay()
    recorded_at = None
    deadline = started + PHASE_TIMEOUT
    while True:
        if recorded_at is None and job.ready():
            recorded_at = time.monotonic()
        if sent.count() >= COUNT * KILL_AT:
            break
        if first.poll() is not None or time.monotonic() > deadline:
            raise BenchError("the worker stopped before half of the reminders were sent")
        time.sleep(0.02)
    killed_at = time.monotonic()
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    second, second_name = _worker("fanout-b", work / "celery-worker.log")
    workers.append(second)
    time.sleep(0.2)  # PostgreSQL rolls back the killed processes' open transactions
    sent_at_kill = sent.count()  # the new worker takes longer than this to start
    _ready(second, second_name)
    ready_at = time.monotonic()
    return {
        "started": started,
        "recorded_at": recorded_at,
        "killed_at": killed_at,
        "sent_at_kill": sent_at_kill,
        "ready_at": ready_at,
        "summary": job.get(timeout=10)["draft-7d"],
    }


def _recover(queued, sent, broker) -> dict:
    """The new worker takes the batches still waiting in the broker. The killed worker's own
    batches stay unacknowledged; in production flush_outbox (beat, every minute) hands their
    messages out again once their five-minute lease has passed. Here that lease is cut short once
    the new worker has nothing left to do."""
    from django.utils import timezone

    from portal.mail.tasks import flush_outbox

    last, last_change = sent.count(), time.monotonic()
    deadline = time.monotonic() + PHASE_TIMEOUT
    while queued.exists():
        now_sent = sent.count()
        if now_sent != last:
            last, last_change = now_sent, time.monotonic()
        elif broker.llen("celery") == 0 and time.monotonic() - last_change > IDLE:
            break
        if time.monotonic() > deadline:
            raise BenchError("the new worker did not finish the queued batches")
        time.sleep(0.02)
    idle_at = time.monotonic()
    leftover = queued.update(next_attempt_at=timezone.now())
    handed_out = flush_outbox.delay().get(timeout=60) if leftover else 0
    wait_for(lambda: not queued.exists(), timeout=PHASE_TIMEOUT, what="the outbox to drain", interval=0.02)
    drained_at = time.monotonic()
    # Anything still in flight would show up as a duplicate: let the worker go idle.
    wait_for(lambda: broker.llen("celery") == 0, timeout=30, what="an empty broker queue")
    time.sleep(0.5)
    return {"idle_at": idle_at, "handed_out": handed_out, "drained_at": drained_at}


def _figures(record: dict, clock: dict) -> dict:
    from portal.mail.models import OutboxMessage

    started, killed_at, ready_at = clock["started"], clock["killed_at"], clock["ready_at"]
    idle_at, drained_at, handed_out = clock["idle_at"], clock["drained_at"], clock["handed_out"]
    summary = clock["summary"]
    statuses = Counter(OutboxMessage.objects.values_list("status", flat=True))
    expected = dict(OutboxMessage.objects.values_list("idempotency_key", "recipient"))
    batches = math.ceil(summary["queued"] / BATCH) + math.ceil(handed_out / BATCH)
    deliveries = record["deliveries"]
    first_delivery = min(d[4] for d in deliveries)
    last_delivery = max(d[4] for d in deliveries)
    before_kill = sum(1 for d in deliveries if d[4] <= killed_at)
    return {
        "queued": summary["queued"],
        "statuses": dict(statuses),
        "recorded": (clock["recorded_at"] or ready_at) - started,
        "first_delivery": first_delivery - started,
        "killed_after": killed_at - started,
        "delivered_before_kill": before_kill,
        "sent_recorded_at_kill": clock["sent_at_kill"],
        "restart": ready_at - killed_at,
        "idle_wait": idle_at - ready_at,
        "handed_out_again": handed_out,
        "recovery": drained_at - idle_at,
        "end_to_end": drained_at - started,
        "sending": last_delivery - first_delivery,
        "steady_rate": before_kill / (killed_at - first_delivery),
        "overall_rate": len(deliveries) / (last_delivery - first_delivery),
        "batches": batches,
        **_check(record, expected),
    }


# --- the baseline: Django's SMTP backend, one process, the same messages and batches ------------


def baseline(work: Path) -> dict:
    from django.core.mail import EmailMultiAlternatives, get_connection

    from portal.mail import BATCH_SIZE, chunks, from_address
    from portal.mail.models import OutboxMessage
    from portal.mail.sending import _message_id

    rows = list(OutboxMessage.objects.order_by("pk"))
    sender = from_address()
    messages = []
    for row in rows:  # rendered already, as the outbox holds them
        message = EmailMultiAlternatives(
            subject=row.subject,
            body=row.body_text,
            from_email=sender,
            to=[row.recipient],
            headers={"X-Portal-Message": row.idempotency_key, "Message-ID": _message_id(row)},
        )
        if row.body_html:
            message.attach_alternative(row.body_html, "text/html")
        messages.append(message)
    expected = {row.idempotency_key: row.recipient for row in rows}
    sink = Sink(work, "baseline")
    try:
        connection = get_connection(
            "django.core.mail.backends.smtp.EmailBackend",
            host="127.0.0.1",
            port=sink.port,
            username="",
            password="",
            use_tls=False,
            use_ssl=False,
            fail_silently=False,
        )
        batches = chunks(list(range(len(messages))), BATCH_SIZE)
        started = time.perf_counter()
        for batch in batches:
            connection.send_messages([messages[index] for index in batch])  # opens and closes
        wall = time.perf_counter() - started
    finally:
        record = sink.close()
    return {"wall": wall, "rate": len(messages) / wall, "batches": len(batches), **_check(record, expected)}


def _check(record: dict, expected: dict[str, str]) -> dict:
    """Connections, duplicates (by outbox key, Message-ID and recipient) and missing messages."""
    deliveries = record["deliveries"]
    keys = Counter(d[1] for d in deliveries)
    per_connection = Counter(d[0] for d in deliveries)
    duplicated = sorted(key for key, count in keys.items() if count > 1)
    return {
        "delivered": len(deliveries),
        "connections": record["connections"],
        "connections_used": len(per_connection),
        "max_per_connection": max(per_connection.values(), default=0),
        "duplicates": len(deliveries) - len(keys),
        "duplicate_message_ids": len(deliveries) - len({d[2] for d in deliveries}),
        "duplicate_recipients": len(deliveries) - len({d[3] for d in deliveries}),
        "duplicated_keys": duplicated[:5],
        "missing": len(set(expected) - set(keys)),
        "unexpected": len(set(keys) - set(expected)),
        "wrong_recipient": sum(1 for d in deliveries if d[1] in expected and d[3] != expected[d[1]]),
    }


def run(work: Path) -> dict:
    from portal.mail.models import OutboxMessage

    # The parts before leave mails of their own in the outbox (the rush's confirmations, which no
    # worker sent there, the certificates' mails); the fan-out counts and sends only its own.
    OutboxMessage.objects.all().delete()
    started = time.monotonic()
    drafts(COUNT)
    setup = time.monotonic() - started
    result = {"count": COUNT, "setup": setup, "portal": portal(work)}
    result["baseline"] = baseline(work)
    return result


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "sink":
        sink_main(int(sys.argv[2]), Path(sys.argv[3]))
    else:
        sys.exit(f"usage: python -m {__spec__.name} sink PORT OUTPUT")
