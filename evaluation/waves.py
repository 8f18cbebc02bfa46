"""Writes of the evaluation waves: who is invited when, consent, opting out, withdrawing, and
answering.

Invitations are derived from the data as it is (a confirmed seat, an issued certificate), by a
daily beat task: ``open_invitations`` creates the missing ones, the rules in
``evaluation.reminders`` mail them through the outbox. Nothing is planned ahead, so a revoked
certificate or a withdrawn consent simply stops further mail (also one already queued: the rules
check again right before sending).
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certificates.models import Certificate
from cohorts.models import Enrollment, Programme
from portal.accounts.models import User

from . import instruments
from .models import Answer, EvaluationConsent, InstrumentVersion, Invitation, Wave, WaveResponse

# The text of the consent people agree to; a new wording gets a new version.
CONSENT_VERSION = "2026-1"


def _morning_of(day: dt.date) -> dt.datetime:
    """9:00 in Berlin on ``day``: when a certificate issued that day opens its waves."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))


def _triggers(wave: Wave, *, now: dt.datetime) -> list[tuple[int, dt.datetime]]:
    """(enrollment id, opens at) of everyone whose invitation to ``wave`` is open now."""
    earliest = now - dt.timedelta(days=wave.offset_days + wave.open_days)
    latest = now - dt.timedelta(days=wave.offset_days)
    if wave.kind == Wave.Kind.T0:
        # A seat is accepted before its cohort ends: only cohorts that had not ended by the
        # earliest trigger are read, so the enrollments are found by their cohort's index.
        rows = (
            Enrollment.objects.filter(
                cohort__programme_id=wave.programme_id,
                cohort__end_date__gte=timezone.localdate(earliest),
                state=Enrollment.State.CONFIRMED,
            )
            .annotate(accepted=Coalesce("responded_at", "created_at"))
            .filter(accepted__gt=earliest, accepted__lte=latest)
            .order_by()
            .values_list("pk", "accepted")
        )
        return list(rows)
    rows = (
        Certificate.objects.filter(
            cohort__programme_id=wave.programme_id,
            status=Certificate.Status.ISSUED,
            issued_on__gt=timezone.localdate(earliest) - dt.timedelta(days=1),
            issued_on__lte=timezone.localdate(latest),
        )
        .order_by()
        .values_list("enrollment_id", "issued_on")
    )
    return [(enrollment_id, _morning_of(issued_on)) for enrollment_id, issued_on in rows]


def open_invitations(*, now: dt.datetime | None = None) -> int:
    """Create the invitations that are due and missing. Safe to run twice (one per wave and
    person); people who opted out or withdrew are not invited again."""
    now = now or timezone.now()
    created = 0
    for wave in Wave.objects.filter(active=True).order_by("pk"):
        declined = set(
            EvaluationConsent.objects.filter(programme_id=wave.programme_id)
            .exclude(opted_out_at=None, withdrawn_at=None)
            .values_list("user_id", flat=True)
        )
        candidates = _triggers(wave, now=now)
        users = dict(
            Enrollment.objects.filter(pk__in=[pk for pk, _at in candidates])
            .order_by()
            .values_list("pk", "user_id")
        )
        known = set(
            Invitation.objects.filter(wave=wave, enrollment_id__in=list(users)).values_list(
                "enrollment_id", flat=True
            )
        )
        fresh = []
        for enrollment_id, trigger in candidates:
            if enrollment_id in known:
                continue
            opens_at = trigger + dt.timedelta(days=wave.offset_days)
            closes_at = opens_at + dt.timedelta(days=wave.open_days)
            if users.get(enrollment_id) in declined or not opens_at <= now < closes_at:
                continue
            fresh.append(
                Invitation(wave=wave, enrollment_id=enrollment_id, opens_at=opens_at, closes_at=closes_at)
            )
        Invitation.objects.bulk_create(fresh, ignore_conflicts=True)  # a parallel run may have won
        created += len(fresh)
    return created


def consent_of(user: User, programme: Programme) -> EvaluationConsent | None:
    return EvaluationConsent.objects.filter(user=user, programme=programme).first()


def give_consent(*, user: User, programme: Programme, at: dt.datetime) -> EvaluationConsent:
    consent, _created = EvaluationConsent.objects.get_or_create(user=user, programme=programme)
    if consent.withdrawn_at is None and consent.given_at is not None:
        return consent
    consent.given_at, consent.text_version = at, CONSENT_VERSION
    consent.withdrawn_at = consent.opted_out_at = None
    consent.save(update_fields=["given_at", "text_version", "withdrawn_at", "opted_out_at"])
    return consent


def opt_out(*, user: User, programme: Programme, at: dt.datetime) -> None:
    """No further invitations or reminders; answers given so far stay (pseudonymised)."""
    consent, _created = EvaluationConsent.objects.get_or_create(user=user, programme=programme)
    if consent.opted_out_at is None:
        consent.opted_out_at = at
        consent.save(update_fields=["opted_out_at"])


def withdraw_consent(*, user: User, programme: Programme, at: dt.datetime) -> int:
    """Withdraw the consent: no further invitations, and every answer of the person to this
    programme's waves is deleted, as the privacy notice says. Returns the answers deleted."""
    with transaction.atomic():
        consent, _created = EvaluationConsent.objects.select_for_update().get_or_create(
            user=user, programme=programme
        )
        consent.withdrawn_at = consent.withdrawn_at or at
        consent.opted_out_at = consent.opted_out_at or at
        consent.save(update_fields=["withdrawn_at", "opted_out_at"])
        deleted, _by_model = WaveResponse.objects.filter(
            invitation__enrollment__user=user, invitation__wave__programme=programme
        ).delete()
        return deleted


def is_open(invitation: Invitation, at: dt.datetime) -> bool:
    return invitation.opens_at <= at < invitation.closes_at


NOTHING_ANSWERED = gettext_lazy("Bitte beantworten Sie mindestens eine Frage.")


def submit_response(
    *,
    invitation: Invitation,
    version: InstrumentVersion,
    shown: str,
    answers: dict,
    consent: bool,
    at: dt.datetime,
) -> WaveResponse:
    """Store one person's answers to one wave, once, while the wave is open, all of one version.

    ``shown`` is the fingerprint of the items the form showed: if the version changed meanwhile,
    nothing is stored and the person sees the current questions with what they typed."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("wave__programme", "enrollment__user")
            .get(pk=invitation.pk)
        )
        user, programme = invitation.enrollment.user, invitation.wave.programme
        if WaveResponse.objects.filter(invitation=invitation).exists():
            raise ValidationError(
                _("Sie haben diese Befragung bereits beantwortet. Vielen Dank!"), code="answered"
            )
        if not is_open(invitation, at):
            raise ValidationError(
                _("Diese Befragung ist geschlossen. Antworten sind nicht mehr möglich."), code="closed"
            )
        if version.instrument_id != invitation.wave.instrument_id:
            raise ValidationError(_("Dieser Fragebogen gehört nicht zu dieser Befragung."), code="instrument")
        items = list(version.items.order_by("position", "pk"))
        if instruments.fingerprint(version, items) != shown:
            raise ValidationError(
                _(
                    "Der Fragebogen wurde inzwischen geändert. Bitte prüfen Sie Ihre Antworten und senden Sie erneut."
                ),
                code="changed",
            )
        current = consent_of(user, programme)
        if current is not None and current.withdrawn_at is not None and not consent:
            raise ValidationError(_("Sie haben Ihre Einwilligung widerrufen."), code="withdrawn")
        if not consent and (current is None or current.given_at is None or current.withdrawn_at):
            raise ValidationError(
                _("Bitte bestätigen Sie, dass Sie an der Evaluation teilnehmen möchten."), code="consent"
            )
        if consent:
            give_consent(user=user, programme=programme, at=at)
        cleaned = instruments.clean_answers(items, answers, empty_message=NOTHING_ANSWERED)
        try:
            with transaction.atomic():
                response = WaveResponse.objects.create(
                    invitation=invitation, version=version, submitted_at=at
                )
        except IntegrityError as exc:
            raise ValidationError(
                _("Sie haben diese Befragung bereits beantwortet. Vielen Dank!"), code="answered"
            ) from exc
        Answer.objects.bulk_create([Answer(response=response, item=item, **value) for item, value in cleaned])
        return response


def ensure_plan(*, programme: Programme) -> list[Wave]:
    """The programme's waves T0, T1 and T2 with the first instruments, where missing."""
    from .default_instruments import PLAN
    from .models import Instrument

    instruments_by_key = Instrument.objects.in_bulk([key for _kind, key, _offset in PLAN], field_name="key")
    plan = []
    for kind, key, offset in PLAN:
        if key not in instruments_by_key:
            continue
        wave, _created = Wave.objects.get_or_create(
            programme=programme,
            kind=kind,
            defaults={"instrument": instruments_by_key[key], "offset_days": offset},
        )
        plan.append(wave)
    return plan
