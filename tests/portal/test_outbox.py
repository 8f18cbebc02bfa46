import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.utils import timezone

from portal.mail import MAX_ATTEMPTS, queue_mail
from portal.mail.models import OutboxMessage
from portal.mail.tasks import send_outbox_message

pytestmark = pytest.mark.django_db


def test_same_idempotency_key_is_sent_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = queue_mail(
            recipient="a@example.org",
            subject="Hallo",
            body_text="Text",
            kind="test",
            idempotency_key="test:1",
        )
        second = queue_mail(
            recipient="a@example.org",
            subject="Hallo",
            body_text="Text",
            kind="test",
            idempotency_key="test:1",
        )
    assert first.pk == second.pk
    assert len(mail.outbox) == 1
    # A retried task finds the message sent and does nothing.
    assert send_outbox_message.apply(args=[first.pk]).get() == "already-sent"
    assert len(mail.outbox) == 1


@pytest.fixture
def broken_smtp(monkeypatch):
    def broken_send(self, fail_silently=False):
        raise smtplib.SMTPServerDisconnected("Verbindung verloren")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken_send)


def test_smtp_failure_is_recorded_and_retried(broken_smtp):
    message = queue_mail(recipient="a@example.org", subject="Hallo", body_text="Text", kind="test")
    before = timezone.now()
    assert send_outbox_message.run(message.pk) == "deferred"
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.QUEUED
    assert message.attempts == 1
    assert "Verbindung verloren" in message.error
    # The first retry comes after a minute; flush_outbox (beat) picks it up then.
    assert (
        before + dt.timedelta(seconds=59)
        < message.next_attempt_at
        <= timezone.now() + dt.timedelta(seconds=60)
    )


def test_smtp_failure_after_the_last_retry_is_marked_failed(broken_smtp):
    message = queue_mail(recipient="a@example.org", subject="Hallo", body_text="Text", kind="test")
    OutboxMessage.objects.filter(pk=message.pk).update(attempts=MAX_ATTEMPTS - 1)
    assert send_outbox_message.run(message.pk) == "failed"
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert message.attempts == MAX_ATTEMPTS
    assert "SMTPServerDisconnected" in message.error
