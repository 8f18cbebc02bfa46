"""A mail backend for the tests that behaves like a mail server with faults: it can be down,
refuse addresses, or drop the connection after a number of messages. It records every message in
``django.core.mail.outbox`` like Django's locmem backend, and counts opened connections."""

import smtplib

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class FaultyBackend(LocmemBackend):
    opened = 0
    down = False  # open() fails like a server that does not answer
    refused: dict[str, tuple[int, bytes]] = {}  # address -> SMTP reply to RCPT TO
    drop_after: int | None = None  # the connection breaks after this many messages

    @classmethod
    def reset(cls) -> None:
        cls.opened = 0
        cls.down = False
        cls.refused = {}
        cls.drop_after = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sent_here = 0

    def open(self):
        if FaultyBackend.down:
            raise ConnectionRefusedError(111, "Connection refused")
        FaultyBackend.opened += 1
        self.sent_here = 0
        return True

    def send_messages(self, messages):
        for message in messages:
            refused = {to: FaultyBackend.refused[to] for to in message.to if to in FaultyBackend.refused}
            if refused:
                raise smtplib.SMTPRecipientsRefused(refused)
            if FaultyBackend.drop_after is not None and self.sent_here >= FaultyBackend.drop_after:
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            self.sent_here += 1
        return super().send_messages(messages)
