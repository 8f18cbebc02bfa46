"""The mail path under faults: batches over one connection, a mail server that is down, refused
and invalid addresses, a connection lost in the middle of a batch, accounts deleted or opted out
between queueing and sending, and tasks that got lost on the way to the worker."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from portal import mail as portal_mail
from portal.accounts.models import User
from portal.mail import BATCH_SIZE, MAX_ATTEMPTS, queue_mail, send_batch
from portal.mail.models import OutboxMessage
from portal.mail.tasks import flush_outbox, send_outbox_batch
from tests.factories import UserFactory, berlin

from .conftest import outbox

pytestmark = pytest.mark.django_db

T0 = berlin(2022, 9, 27, 9)


def queue(count: int, *, optional=False, users=None, **fields) -> list[OutboxMessage]:
    messages = []
    for index in range(count):
        user = users[index] if users else None
        messages.append(
            queue_mail(
                recipient=user.email if user else f"person{index}@example.org",
                subject=f"Nachricht {index}",
                body_text="Text",
                kind="test",
                idempotency_key=f"test:{index}",
                user=user,
                optional=optional,
                **fields,
            )
        )
    return messages


def test_a_large_fan_out_goes_out_in_batches_over_one_connection_each(
    backend, django_capture_on_commit_callbacks
):
    count = 2 * BATCH_SIZE + 3
    OutboxMessage.objects.bulk_create(
        OutboxMessage(
            idempotency_key=f"test:{i}",
            kind="test",
            recipient=f"p{i}@example.org",
            subject="x",
            body_text="x",
        )
        for i in range(count)
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        portal_mail.enqueue(OutboxMessage.objects.values_list("pk", flat=True))
    assert len(callbacks) == 3
    assert backend.opened == 3
    assert len(mail.outbox) == count
    assert outbox(status="sent").count() == count


def test_a_batch_is_sent_over_exactly_one_connection(backend):
    messages = queue(BATCH_SIZE)
    assert send_batch([m.pk for m in messages]) == {"sent": BATCH_SIZE}
    assert backend.opened == 1
    assert len(mail.outbox) == BATCH_SIZE
    # Sending the same batch again sends nothing and opens no connection.
    assert send_batch([m.pk for m in messages]) == {}
    assert backend.opened == 1
    assert len(mail.outbox) == BATCH_SIZE


def test_a_mail_server_down_for_an_hour_delivers_every_message_exactly_once(
    backend, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(T0, tick=False)
    backend.down = True
    with django_capture_on_commit_callbacks(execute=True):
        messages = queue(3)
    assert outbox(status="queued", attempts=1).count() == 3
    # Beat runs flush_outbox every minute; the server is back after an hour.
    for minute in range(1, 121):
        time_machine.move_to(T0 + dt.timedelta(minutes=minute), tick=False)
        backend.down = minute < 60
        with django_capture_on_commit_callbacks(execute=True):
            flush_outbox.delay()
    assert sorted(m.subject for m in mail.outbox) == ["Nachricht 0", "Nachricht 1", "Nachricht 2"]
    for message in messages:
        message.refresh_from_db()
        assert message.status == OutboxMessage.Status.SENT
        # Attempts after 0, 1, 3, 7, 15, 31 minutes failed; the one after 63 minutes went out.
        assert message.attempts == 7
        assert message.sent_at == T0 + dt.timedelta(minutes=63)
        assert message.error == ""


def test_a_mail_server_that_stays_down_ends_failed_with_the_error_in_the_admin(
    backend, time_machine, django_capture_on_commit_callbacks, admin_page
):
    time_machine.move_to(T0, tick=False)
    backend.down = True
    with django_capture_on_commit_callbacks(execute=True):
        (message,) = queue(1)
    for minute in range(1, 6 * 60):
        time_machine.move_to(T0 + dt.timedelta(minutes=minute), tick=False)
        with django_capture_on_commit_callbacks(execute=True):
            flush_outbox.delay()
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert message.attempts == MAX_ATTEMPTS
    assert message.next_attempt_at is None
    assert "ConnectionRefusedError" in message.error
    assert mail.outbox == []
    page = admin_page.get(reverse("admin:portal_outboxmessage_changelist"))
    assert "fehlgeschlagen" in page.content.decode()
    assert "Nach 10 Versuchen aufgegeben" in page.content.decode()


def test_a_refused_address_bounces_at_once_and_the_rest_of_the_batch_goes_out(backend):
    backend.refused = {"person1@example.org": (550, b"5.1.1 User unknown")}
    messages = queue(3)
    assert send_batch([m.pk for m in messages]) == {"sent": 2, "bounced": 1}
    bounced = OutboxMessage.objects.get(recipient="person1@example.org")
    assert bounced.status == OutboxMessage.Status.BOUNCED
    assert "User unknown" in bounced.error
    assert bounced.attempts == 1
    assert backend.opened == 1


def test_a_temporarily_refused_address_is_retried(backend):
    backend.refused = {"person0@example.org": (450, b"4.2.1 Mailbox busy, try later")}
    (message,) = queue(1)
    send_batch([message.pk])
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.QUEUED
    assert message.next_attempt_at is not None
    assert "Mailbox busy" in message.error


def test_reminders_skip_an_address_that_bounced_but_essential_mail_is_still_tried(backend):
    user = UserFactory(email="unbekannt@example.org")
    backend.refused = {user.email: (550, b"5.1.1 User unknown")}
    first = queue_mail(
        recipient=user.email, subject="Erinnerung 1", body_text="x", kind="test", user=user, optional=True
    )
    send_batch([first.pk])
    reminder = queue_mail(
        recipient=user.email, subject="Erinnerung 2", body_text="x", kind="test", user=user, optional=True
    )
    decision = queue_mail(recipient=user.email, subject="Entscheidung", body_text="x", kind="test", user=user)
    send_batch([reminder.pk, decision.pk])
    reminder.refresh_from_db()
    decision.refresh_from_db()
    assert reminder.status == OutboxMessage.Status.SKIPPED
    assert reminder.error == "Die Adresse war zuvor unzustellbar."
    assert reminder.attempts == 0
    assert decision.status == OutboxMessage.Status.BOUNCED
    assert decision.attempts == 1


def test_an_invalid_address_is_never_handed_to_the_server(backend):
    message = queue_mail(recipient="niemand@", subject="Hallo", body_text="x", kind="test")
    send_batch([message.pk])
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.BOUNCED
    assert "Ungültige E-Mail-Adresse" in message.error
    assert backend.opened == 0


def test_a_connection_lost_in_the_middle_of_a_batch_sends_nothing_twice(backend, time_machine):
    time_machine.move_to(T0, tick=False)
    backend.drop_after = 2
    messages = queue(5)
    send_batch([m.pk for m in messages])
    states = list(OutboxMessage.objects.order_by("pk").values_list("status", "attempts"))
    assert states == [("sent", 1), ("sent", 1), ("queued", 1), ("queued", 0), ("queued", 0)]
    assert {m.next_attempt_at for m in OutboxMessage.objects.filter(status="queued")} == {
        T0 + dt.timedelta(minutes=1)
    }
    backend.drop_after = None
    time_machine.move_to(T0 + dt.timedelta(minutes=1), tick=False)
    send_batch([m.pk for m in messages])
    assert sorted(m.subject for m in mail.outbox) == [f"Nachricht {i}" for i in range(5)]


def test_a_user_deleted_between_queueing_and_sending_gets_nothing(backend):
    user = UserFactory()
    message = queue_mail(recipient=user.email, subject="Hallo", body_text="x", kind="test", user=user)
    user.delete()
    send_batch([message.pk])
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SKIPPED
    assert message.error == "Das Konto wurde gelöscht."
    assert mail.outbox == []


def test_a_deactivated_or_erased_account_gets_nothing(backend):
    inactive = UserFactory(is_active=False)
    erased = UserFactory()
    first = queue_mail(recipient=inactive.email, subject="A", body_text="x", kind="test", user=inactive)
    second = queue_mail(recipient=erased.email, subject="B", body_text="x", kind="test", user=erased)
    User.objects.filter(pk=erased.pk).update(erasure_requested_at=T0)
    send_batch([first.pk, second.pk])
    assert dict(OutboxMessage.objects.values_list("subject", "error")) == {
        "A": "Das Konto ist deaktiviert.",
        "B": "Die Löschung des Kontos wurde beantragt.",
    }
    assert mail.outbox == []


def test_opting_out_after_queueing_skips_reminders_but_not_decisions(backend):
    user = UserFactory()
    reminder = queue_mail(
        recipient=user.email, subject="Erinnerung", body_text="x", kind="test", user=user, optional=True
    )
    decision = queue_mail(recipient=user.email, subject="Entscheidung", body_text="x", kind="test", user=user)
    user.reminders_opt_out = True
    user.save()
    send_batch([reminder.pk, decision.pk])
    reminder.refresh_from_db()
    assert reminder.status == OutboxMessage.Status.SKIPPED
    assert "abbestellt" in reminder.error
    assert [m.subject for m in mail.outbox] == ["Entscheidung"]


def test_a_message_whose_task_got_lost_is_sent_by_the_next_flush(
    backend, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(T0, tick=False)
    (message,) = queue(1)  # committed, but its task never reached a worker
    with django_capture_on_commit_callbacks(execute=True):
        assert flush_outbox.delay().get() == 0  # not yet: its own task may still come
    time_machine.move_to(T0 + portal_mail.LEASE, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert flush_outbox.delay().get() == 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert len(mail.outbox) == 1


def test_an_unreachable_broker_loses_no_mail(
    backend, monkeypatch, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(T0, tick=False)

    def broker_down(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(send_outbox_batch, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        (message,) = queue(1)  # the request that queued it does not fail
    monkeypatch.undo()
    time_machine.move_to(T0 + portal_mail.LEASE, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        flush_outbox.delay()
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT


def test_every_attempt_carries_the_same_message_id(backend):
    (message,) = queue(1)
    send_batch([message.pk])
    (sent,) = mail.outbox
    assert sent.extra_headers["X-Portal-Message"] == "test:0"
    assert sent.extra_headers["Message-ID"] == portal_mail.sending._message_id(message)


def test_an_administrator_can_send_a_failed_message_again(
    backend, admin_page, django_capture_on_commit_callbacks
):
    backend.down = True
    (message,) = queue(1)
    OutboxMessage.objects.filter(pk=message.pk).update(status="failed", error="kaputt", attempts=MAX_ATTEMPTS)
    backend.down = False
    with django_capture_on_commit_callbacks(execute=True):
        admin_page.post(
            reverse("admin:portal_outboxmessage_changelist"),
            {"action": "send_again", "_selected_action": [message.pk]},
        )
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert message.attempts == 1


def test_an_administrator_marks_a_sent_message_bounced_and_no_reminder_goes_to_the_address_again(
    backend, admin_page, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sent, waiting = queue(2)
    OutboxMessage.objects.filter(pk=waiting.pk).update(status=OutboxMessage.Status.QUEUED)
    admin_page.post(
        reverse("admin:portal_outboxmessage_changelist"),
        {"action": "mark_bounced", "_selected_action": [sent.pk, waiting.pk]},
    )
    sent.refresh_from_db()
    waiting.refresh_from_db()
    assert sent.status == OutboxMessage.Status.BOUNCED
    assert "Als unzustellbar markiert" in sent.error
    assert waiting.status == OutboxMessage.Status.QUEUED  # only a sent message can come back
    with django_capture_on_commit_callbacks(execute=True):
        reminder = queue_mail(
            recipient=sent.recipient,
            subject="Erinnerung",
            body_text="Text",
            kind="test",
            idempotency_key="test:reminder",
            optional=True,
        )
    reminder.refresh_from_db()
    assert reminder.status == OutboxMessage.Status.SKIPPED
    assert reminder.error == "Die Adresse war zuvor unzustellbar."


def test_the_sender_name_with_a_colon_is_quoted_so_that_smtp_accepts_it(settings):
    from django.core.mail.message import sanitize_address

    from portal.mail import from_address

    settings.DEFAULT_FROM_EMAIL = "Smart City Manager:in <noreply@example.org>"
    with pytest.raises(ValueError):
        sanitize_address(settings.DEFAULT_FROM_EMAIL, "utf-8")  # what the SMTP backend would do
    assert sanitize_address(from_address(), "utf-8") == '"Smart City Manager:in" <noreply@example.org>'
    settings.DEFAULT_FROM_EMAIL = "noreply@example.org"
    assert from_address() == "noreply@example.org"
