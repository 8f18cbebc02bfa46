"""Reminders: rules that decide from current data who is due which mail, and the one function that
queues them through the outbox.

A rule lives in the app that owns its data (``applications/reminders.py``, ``modules/reminders.py``,
``certificates/reminders.py``) and is run by that app's task on a django-celery-beat schedule.
Nothing is planned ahead: every run asks the database what is due *now*, so a moved deadline or
session is simply found on its new date. The idempotency key names the rule, the object and the
date it refers to (``reminder:draft-7d:application:42:2022-10-04``), so running a schedule twice
sends nothing more, and a reminder for a moved date is a new reminder.

Right before a queued reminder is sent, its rule checks again (``still_due``): a draft that was
submitted meanwhile, or a deadline that moved, skips the message with that reason.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db import models, transaction
from django.utils import timezone

from portal.accounts.models import User
from portal.mail.models import OutboxMessage
from portal.mail.outbox import enqueue, lease, reachable, render_mail, settings_url
from portal.mail.registry import register_kind_label, register_send_check

logger = logging.getLogger(__name__)


@dataclass
class Reminder:
    """One mail a rule wants sent: to whom, under which key, with which template context."""

    key: str
    user: User
    context: dict = field(default_factory=dict)
    related: models.Model | None = None


class Rule:
    """A kind of reminder. Subclasses set ``name`` and ``template`` and implement ``due``.

    ``due`` must load everything its mails show in a fixed number of queries (select_related,
    prefetch), so that the number of queries does not grow with the number of recipients.
    """

    name: str = ""
    template: str = ""
    label = ""  # how the outbox names these messages (a lazy translation)
    # Optional reminders are not sent to people who opted out. Reminders about something a
    # person would lose (an offered seat) are not optional.
    optional: bool = True

    @property
    def kind(self) -> str:
        return f"reminder-{self.name}"

    def key(self, *parts) -> str:
        return ":".join(["reminder", self.name, *(str(part) for part in parts)])

    def due(self, *, now: dt.datetime) -> list[Reminder]:
        raise NotImplementedError

    def still_due(self, messages: list[OutboxMessage], *, now: dt.datetime) -> dict[int, str]:
        """Messages of this rule that must no longer be sent, with the reason. Default: all still due."""
        return {}


_rules: dict[str, Rule] = {}


def register(rule: Rule) -> Rule:
    """Make a rule known to the mail path, which asks it again right before sending."""
    _rules[rule.kind] = rule
    register_send_check(rule.kind, rule.still_due)
    if rule.label:
        register_kind_label(rule.kind, rule.label)
    return rule


def part(key: str, name: str) -> int | None:
    """The number after ``name`` in a reminder key: ``part("…:application:42:…", "application")``."""
    pieces = key.split(":")
    try:
        return int(pieces[pieces.index(name) + 1])
    except (ValueError, IndexError):
        return None


def _message(rule: Rule, reminder: Reminder, now: dt.datetime) -> OutboxMessage:
    user = reminder.user
    language = user.language or "de"
    context = {
        "user": user,
        "optional": rule.optional,
        "settings_url": settings_url(),
        **reminder.context,
    }
    subject, body_text, body_html = render_mail(rule.template, context, language)
    related = reminder.related
    return OutboxMessage(
        idempotency_key=reminder.key,
        kind=rule.kind,
        recipient=user.email,
        user=user,
        account_id=user.pk,
        optional=rule.optional,
        related_model=related._meta.label_lower if related is not None else "",
        related_id=related.pk if related is not None else None,
        language=language,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        next_attempt_at=now + lease(),
    )


def dispatch(rule: Rule, *, now: dt.datetime | None = None) -> dict[str, int]:
    """Queue every reminder of ``rule`` that is due now and was not queued before, and hand them to
    the workers in batches after commit. Returns counts for the task result and the log."""
    now = now or timezone.now()
    with transaction.atomic():
        due = [r for r in rule.due(now=now) if reachable(r.user)]
        opted_out = [r for r in due if rule.optional and r.user.reminders_opt_out]
        due = [r for r in due if not (rule.optional and r.user.reminders_opt_out)]
        result = {"due": len(due), "opted_out": len(opted_out), "queued": 0}
        if not due:
            return result
        keys = [r.key for r in due]
        known = set(
            OutboxMessage.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True)
        )
        fresh = {r.key: r for r in due if r.key not in known}  # one per key, even if listed twice
        if fresh:
            OutboxMessage.objects.bulk_create(
                [_message(rule, reminder, now) for reminder in fresh.values()], ignore_conflicts=True
            )
            ids = list(
                OutboxMessage.objects.filter(
                    idempotency_key__in=list(fresh), status=OutboxMessage.Status.QUEUED, attempts=0
                ).values_list("pk", flat=True)
            )
            enqueue(ids)
            result["queued"] = len(ids)
    logger.info("Reminder %s: %s", rule.name, result)
    return result
