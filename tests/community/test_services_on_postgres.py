"""The network with real services: the per-sender limit under parallel requests on PostgreSQL,
and the weekly digest sent by a real Celery worker on Redis."""

import datetime as dt
import threading
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import connection
from django.utils import timezone

from community import exchange, services
from community.models import ContactMessage
from community.services import CONTACT_LIMIT_PER_HOUR
from community.tasks import send_exchange_digest
from config.celery import app
from portal.mail.models import OutboxMessage
from tests.factories import municipality

from .conftest import graduate


def entry(user):
    return services.save_entry(
        user=user,
        municipality=municipality("Potsdam"),
        unit="",
        function="",
        modules=[],
        tags=[],
        contact="form",
        contact_note="",
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_contact_requests_do_not_pass_the_limit_together(cast):
    entries = [entry(graduate(cast.past)) for _ in range(CONTACT_LIMIT_PER_HOUR + 4)]
    start = threading.Barrier(len(entries))
    outcomes = []

    def send(target):
        try:
            start.wait()
            services.send_contact_message(
                sender=cast.participant, entry=target, subject="Hallo", body="Frage", reply_to_sender=False
            )
            outcomes.append("sent")
        except Exception as error:  # the refused ones raise ValidationError
            outcomes.append(type(error).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(target,)) for target in entries]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("sent") == CONTACT_LIMIT_PER_HOUR
    assert outcomes.count("ValidationError") == 4
    assert ContactMessage.objects.filter(sender=cast.participant).count() == CONTACT_LIMIT_PER_HOUR


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_weekly_digest_once(cast, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    thread = exchange.start_thread(
        author=cast.participant, title="LoRaWAN", body="Wer?", at=timezone.now() - dt.timedelta(days=1)
    )
    exchange.set_digest(user=cast.participant, subscribed=True)
    exchange.reply(author=cast.graduate, thread=thread, body="Wir in Potsdam.")
    app.conf.task_always_eager = False
    with start_worker(app, perform_ping_check=False, pool="solo", concurrency=1, shutdown_timeout=10):
        send_exchange_digest.delay()
        send_exchange_digest.delay()  # beat fired twice
        wait_for(
            lambda: OutboxMessage.objects.filter(kind="community-digest", status="sent").exists(),
            30,
            "the digest",
        )
        time.sleep(0.5)
    assert [m.to[0] for m in mail.outbox] == [cast.participant.email]
    assert "Wir in Potsdam." in mail.outbox[0].body
    assert mail.outbox[0].reply_to == []
