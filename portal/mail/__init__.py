"""The one mail path of the portal.

Every message is rendered in the recipient's language, recorded in the outbox and then sent by a
Celery task after the surrounding transaction commits. The outbox row is the truth, the task only
a nudge:

- The idempotency key is unique, so the same message can be recorded (and sent) only once, even
  when beat fires twice or a worker retries after a crash.
- A batch of messages goes out over one SMTP connection (``send_batch``). Each message is locked
  while it is sent and marked sent in the same transaction, so two workers never send it twice.
- Delivery is at least once. The mark is written before the message is handed to the server, and
  its transaction commits as soon as the server accepts it: a worker that dies in that moment
  (killed, machine lost) leaves the message queued, and it is sent again with the same Message-ID.
  Committing before the server has the message would lose it instead; the window is only the
  commit, so a restart almost never sends anything twice.
- A failure that may pass (server down, connection lost, 4xx) is recorded with its error and
  retried with exponential backoff by ``flush_due`` (a beat task); after ``MAX_ATTEMPTS`` the
  message ends as "failed". A refused address (5xx) ends as "bounced" at once.
- Right before sending, a message is checked against current data: an account that was deleted
  or deactivated, an opt-out from reminders, an address that bounced before, or a reminder that is
  no longer due (submitted meanwhile, deadline moved) skips the message with its reason.
- Nobody but the recipient reads a one-time secret (password reset link, address confirmation
  link, login code): a message queued with ``secrets`` is stored redacted, and what is delivered
  is sealed (encrypted) in its row until the transaction that ends the message (sent, bounced,
  failed, skipped) wipes it. Every attempt sends the sealed text, so a retry is the same message
  with the same Message-ID; once it has ended, nothing that could open the account is left in the
  outbox, the admin, the data export, the audit log or an error report (``portal.mail.secrets``,
  ``portal.ops.error_reports``).
  A message that ended without being delivered cannot be sent again: the person asks for a new link.
- Staff see only the messages their role concerns (``visible_mails``): reviewers those about
  applications they may review, coordinators those about their own cohorts.

The package's parts: ``outbox`` records and hands over, ``sending`` delivers, ``registry`` holds
what the apps register, ``secrets`` seals one-time links, ``reminders`` derives reminders from
current data, ``tasks`` are the Celery tasks. Apps use the names below.
"""

from portal.mail.outbox import (
    BATCH_SIZE,
    LEASE,
    absolute_url,
    chunks,
    enqueue,
    flush_due,
    lease,
    queue_email_message,
    queue_mail,
    queue_mail_rendered_by_worker,
    queue_templated_mail,
    reachable,
    render_mail,
    settings_url,
)
from portal.mail.registry import (
    kind_label,
    register_kind_label,
    register_mail_scope,
    register_renderer,
    register_send_check,
    visible_mails,
)
from portal.mail.sending import MAX_ATTEMPTS, backoff, from_address, send_batch

__all__ = [
    "BATCH_SIZE",
    "LEASE",
    "MAX_ATTEMPTS",
    "absolute_url",
    "backoff",
    "chunks",
    "enqueue",
    "lease",
    "flush_due",
    "from_address",
    "kind_label",
    "queue_email_message",
    "queue_mail",
    "queue_mail_rendered_by_worker",
    "queue_templated_mail",
    "reachable",
    "register_kind_label",
    "register_mail_scope",
    "register_renderer",
    "register_send_check",
    "render_mail",
    "send_batch",
    "settings_url",
    "visible_mails",
]
