import smtplib

import pytest
from celery.exceptions import Retry
from django.core import mail

from portal.mail import queue_mail
from portal.models import OutboxMessage
from portal.tasks import send_outbox_message

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


def test_smtp_failure_is_recorded_and_retried(broken_smtp, monkeypatch):
    retries = []
    monkeypatch.setattr(send_outbox_message, "retry", lambda **kw: retries.append(kw) or Retry())
    message = queue_mail(recipient="a@example.org", subject="Hallo", body_text="Text", kind="test")
    with pytest.raises(Retry):
        send_outbox_message.run(message.pk)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.QUEUED
    assert message.attempts == 1
    assert "Verbindung verloren" in message.error
    assert retries == [{"countdown": 60}]


def test_smtp_failure_after_the_last_retry_is_marked_failed(broken_smtp, monkeypatch):
    monkeypatch.setattr(send_outbox_message, "max_retries", 0)
    message = queue_mail(recipient="a@example.org", subject="Hallo", body_text="Text", kind="test")
    assert send_outbox_message.run(message.pk) == "failed"
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert "SMTPServerDisconnected" in message.error
