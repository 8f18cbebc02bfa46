"""A worker that dies while it sends: the message is marked sent before the server has it, so that
after the server's acceptance only the commit is left, and a worker that dies before that commit
leaves the message queued to be sent again (at least once, never lost)."""

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

from portal.mail import queue_mail, send_batch
from portal.mail.models import OutboxMessage
from tests.factories import berlin

pytestmark = pytest.mark.django_db

T0 = berlin(2022, 9, 27, 9)


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing after it runs, the open transaction is rolled back."""


class WatchingBackend(LocmemBackend):
    """Accepts every message and notes how the outbox row looks in the sending transaction at
    that moment; optionally the worker dies right after the acceptance."""

    seen: list[tuple[str, str, object]] = []
    die_after_accepting = False

    def send_messages(self, messages):
        for message in messages:
            key = message.extra_headers["X-Portal-Message"]
            status, sent_at = OutboxMessage.objects.values_list("status", "sent_at").get(idempotency_key=key)
            WatchingBackend.seen.append((key, status, sent_at))
        sent = super().send_messages(messages)
        if WatchingBackend.die_after_accepting:
            raise WorkerKilled
        return sent


@pytest.fixture
def watching(settings):
    settings.EMAIL_BACKEND = "tests.reminders.test_crash_window.WatchingBackend"
    WatchingBackend.seen = []
    WatchingBackend.die_after_accepting = False
    yield WatchingBackend
    WatchingBackend.die_after_accepting = False


def queue(count: int) -> list[OutboxMessage]:
    return [
        queue_mail(
            recipient=f"person{index}@example.org",
            subject=f"Erinnerung {index}",
            body_text="Text",
            kind="test",
            idempotency_key=f"test:{index}",
        )
        for index in range(count)
    ]


def test_a_message_is_already_marked_sent_when_the_server_accepts_it(watching):
    messages = queue(3)
    send_batch([m.pk for m in messages], now=T0)
    # Inside the transaction that holds the row lock, the mark is written before the handover:
    # after the server's acceptance only the commit is left.
    assert watching.seen == [(f"test:{index}", "sent", T0) for index in range(3)]
    assert (
        list(OutboxMessage.objects.order_by("pk").values_list("status", "sent_at", "attempts"))
        == [("sent", T0, 1)] * 3
    )


def test_a_worker_dying_after_the_server_accepted_leaves_the_message_queued_and_sends_it_again(watching):
    (message,) = queue(1)
    watching.die_after_accepting = True
    with pytest.raises(WorkerKilled):
        send_batch([message.pk], now=T0)
    message.refresh_from_db()
    # The mark was never committed: nothing is lost, the message goes out again (at least once) ...
    assert (message.status, message.sent_at, message.attempts) == ("queued", None, 0)
    watching.die_after_accepting = False
    send_batch([message.pk], now=T0)
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 1)
    # ... with the same Message-ID, so that the receiving side can recognise the second copy.
    assert len(mail.outbox) == 2
    assert mail.outbox[0].extra_headers["Message-ID"] == mail.outbox[1].extra_headers["Message-ID"]


def test_a_message_the_server_does_not_take_is_not_left_marked_sent(backend):
    backend.refused = {
        "person0@example.org": (550, b"No such user"),
        "person1@example.org": (450, b"Mailbox busy"),
    }
    backend.drop_after = 1  # the connection breaks after one delivered message
    messages = queue(4)
    send_batch([m.pk for m in messages], now=T0)
    rows = list(OutboxMessage.objects.order_by("pk").values_list("status", "sent_at", "attempts"))
    assert rows == [
        ("bounced", None, 1),  # refused for good
        ("queued", None, 1),  # refused for now: retried later
        ("sent", T0, 1),
        ("queued", None, 1),  # the connection broke
    ]
    assert [m.to[0] for m in mail.outbox] == ["person2@example.org"]
