"""Mails of the evaluation waves, through the outbox: the invitation when a wave opens for a
person, and at most two reminders to those who have not answered, never after the wave closes.

Both rules check again right before a queued mail is sent (``still_due``): an answer given,
a closed wave, an opt-out, a withdrawn consent, an erased account or a revoked certificate
(for T1 and T2) stop the mail, even if it was queued before.
"""

import datetime as dt

from django.core import signing
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy

from certificates.models import Certificate
from portal.mail import absolute_url
from portal.mail.models import OutboxMessage
from portal.mail.reminders import Reminder, Rule, part, register

from .models import EvaluationConsent, Invitation, Wave, WaveResponse

MAX_REMINDERS = 2
OPT_OUT_SALT = "evaluation-opt-out"


def opt_out_token(*, user_id: int, programme_id: int) -> str:
    return signing.dumps({"u": user_id, "p": programme_id}, salt=OPT_OUT_SALT, compress=True)


def _pending():
    """Open invitations without an answer, of people who neither opted out nor withdrew."""
    declined = EvaluationConsent.objects.filter(
        user_id=OuterRef("enrollment__user_id"), programme_id=OuterRef("wave__programme_id")
    ).filter(Q(opted_out_at__isnull=False) | Q(withdrawn_at__isnull=False))
    valid_certificate = Certificate.objects.filter(
        enrollment_id=OuterRef("enrollment_id"), status=Certificate.Status.ISSUED
    )
    return (
        Invitation.objects.filter(wave__active=True)
        .exclude(Exists(WaveResponse.objects.filter(invitation_id=OuterRef("pk"))))
        .exclude(Exists(declined))
        .filter(Q(wave__kind=Wave.Kind.T0) | Exists(valid_certificate))
        .select_related("wave__instrument", "wave__programme", "enrollment__user", "enrollment__cohort")
    )


def _context(invitation: Invitation) -> dict:
    token = opt_out_token(user_id=invitation.enrollment.user_id, programme_id=invitation.wave.programme_id)
    return {
        "invitation": invitation,
        "wave": invitation.wave,
        "survey_url": absolute_url(reverse("evaluation:survey", args=[invitation.pk])),
        "opt_out_url": absolute_url(reverse("evaluation:opt_out", args=[token])),
    }


class WaveInvitation(Rule):
    name = "wave-invitation"
    template = "reminders/wave_invitation"
    label = gettext_lazy("Einladung zur Befragung der Evaluation")
    optional = False  # the evaluation has its own opt-out, offered in every mail

    def due(self, *, now: dt.datetime) -> list[Reminder]:
        invitations = _pending().filter(opens_at__lte=now, closes_at__gt=now).order_by("pk")
        return [
            Reminder(
                key=self.key("invitation", invitation.pk),
                user=invitation.enrollment.user,
                related=invitation,
                context=_context(invitation),
            )
            for invitation in invitations
        ]

    def still_due(self, messages: list[OutboxMessage], *, now: dt.datetime) -> dict[int, str]:
        ids = {message.pk: part(message.idempotency_key, "invitation") for message in messages}
        open_ids = set(
            _pending()
            .filter(pk__in=[i for i in ids.values() if i], closes_at__gt=now)
            .values_list("pk", flat=True)
        )
        return {
            pk: "no longer due (answered, closed, opted out, withdrawn or certificate revoked)"
            for pk, invitation_id in ids.items()
            if invitation_id not in open_ids
        }


class WaveReminder(WaveInvitation):
    """Reminder ``n`` (1 or 2) is due ``n`` times the wave's reminder interval after it opened."""

    name = "wave-reminder"
    template = "reminders/wave_reminder"
    label = gettext_lazy("Erinnerung an die Befragung der Evaluation")
    optional = True

    def due(self, *, now: dt.datetime) -> list[Reminder]:
        reminders = []
        invitations = _pending().filter(opens_at__lte=now, closes_at__gt=now).order_by("pk")
        for invitation in invitations:
            interval = dt.timedelta(days=invitation.wave.reminder_days)
            if not interval:
                continue
            number = min(int((now - invitation.opens_at) / interval), MAX_REMINDERS)
            if number < 1 or invitation.opens_at + number * interval >= invitation.closes_at:
                continue
            reminders.append(
                Reminder(
                    key=self.key("invitation", invitation.pk, number),
                    user=invitation.enrollment.user,
                    related=invitation,
                    context={**_context(invitation), "number": number},
                )
            )
        return reminders


INVITATION = register(WaveInvitation())
REMINDER = register(WaveReminder())
