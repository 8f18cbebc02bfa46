"""A real Celery worker against Redis runs the outbox task."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from config.celery import app
from portal.mail import queue_mail
from portal.mail.models import OutboxMessage


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_outbox_message_is_sent_by_a_real_worker(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    app.conf.task_always_eager = False
    assert app.conf.broker_url.startswith("redis://")
    with start_worker(app, perform_ping_check=False, pool="solo", concurrency=1, shutdown_timeout=10):
        message = queue_mail(
            recipient="worker@example.org", subject="Über den Worker", body_text="Grüße", kind="test"
        )
        for _ in range(100):
            message.refresh_from_db()
            if message.status == OutboxMessage.Status.SENT:
                break
            time.sleep(0.1)
    assert message.status == OutboxMessage.Status.SENT
    assert message.attempts == 1
    assert [m.subject for m in mail.outbox] == ["Über den Worker"]
