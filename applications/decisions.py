"""Decisions about submitted applications: the rule (``plan_decision``, a pure function whose
outcome the confirmation page shows and fingerprints), carrying it out (``decide``), seats offered
from the waiting list, and the applicant's answer to an offered seat.

Lock order, the same on every path: cohort rows first (in id order), then the applications.
"""

import dataclasses
import datetime as dt
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cohorts.models import Cohort, Enrollment
from portal.accounts import roles
from portal.accounts.models import User
from portal.operator.texts import operator_details

from .balance import district_warnings, seat_districts
from .models import DECIDABLE, Application, MailTemplate, Score, StatusChange


class Overflow:
    """What to do when more applications are to be accepted than the cohort has free seats."""

    REFUSE = "refuse"
    WAITLIST_REST = "waitlist_rest"


def score_means(applications: list[Application]) -> dict[int, float]:
    """The mean total score of each scored application (a query of its own: PostgreSQL cannot
    lock rows of a grouped query)."""
    return dict(
        Score.objects.filter(application__in=applications)
        .values("application")
        .annotate(mean=Avg(F("motivation") + F("relevance") + F("commitment")))
        .values_list("application", "mean")
    )


def rank(applications: list[Application], means: dict[int, float]) -> list[Application]:
    """Best first: highest mean score, unscored last, then earlier submission."""

    def key(application):
        mean = means.get(application.pk)
        return (mean is None, -(mean or 0), application.sequence or 0)

    return sorted(applications, key=key)


def ranked(applications: list[Application]) -> list[Application]:
    return rank(applications, score_means(applications))


MAILED = {Application.Status.ACCEPTED, Application.Status.WAITLISTED, Application.Status.REJECTED}


@dataclass(frozen=True)
class PlannedStep:
    """What a decision does to one application."""

    application: Application
    to_status: str
    mail: bool  # a decision mail goes out
    score_mean: float | None

    @property
    def unchanged(self) -> bool:
        return self.application.status == self.to_status

    @property
    def to_label(self) -> str:
        return Application.Status(self.to_status).label


@dataclass(frozen=True)
class SkippedRow:
    """A selected application the decision leaves as it is, and why."""

    application: Application
    reason: str


@dataclass
class DecisionPlan:
    """The outcome of a decision, computed before anything is written: the confirmation page shows
    it, and ``decide`` carries out the very same plan (computed again under its locks)."""

    decision: str
    steps: list[PlannedStep] = dataclasses.field(default_factory=list)
    skipped: list[SkippedRow] = dataclasses.field(default_factory=list)
    errors: list[str] = dataclasses.field(default_factory=list)
    warnings: list[str] = dataclasses.field(default_factory=list)  # shown, never blocking
    open_cohorts: list[Cohort] = dataclasses.field(
        default_factory=list
    )  # application deadline not yet passed
    free_seats: dict[int, int] = dataclasses.field(default_factory=dict)

    def to(self, status: str) -> list[PlannedStep]:
        return [step for step in self.steps if step.to_status == status]

    @property
    def accepted(self) -> list[PlannedStep]:
        return self.to(Application.Status.ACCEPTED)

    @property
    def waitlisted(self) -> list[PlannedStep]:
        return self.to(Application.Status.WAITLISTED)

    @property
    def rejected(self) -> list[PlannedStep]:
        return self.to(Application.Status.REJECTED)

    @property
    def in_review(self) -> list[PlannedStep]:
        return self.to(Application.Status.IN_REVIEW)

    @property
    def unscored(self) -> list[Application]:
        return [step.application for step in self.steps if step.score_mean is None]

    @property
    def mail_count(self) -> int:
        return sum(step.mail for step in self.steps)

    @property
    def fingerprint(self) -> str:
        """Names the outcome: a confirmation is carried out only if the outcome is still this one."""
        outcome = [f"{s.application.pk}:{s.to_status}:{int(s.mail)}" for s in self.steps]
        outcome += [f"{s.application.pk}:-" for s in self.skipped]
        return hashlib.sha256("|".join(outcome).encode()).hexdigest()[:16]


def plan_decision(
    *,
    applications: list[Application],
    decision: str,
    overflow: str,
    free_seats: dict[int, int],
    means: dict[int, float],
    at: dt.datetime,
    seat_districts: dict[int, dict[str, int]] | None = None,
) -> DecisionPlan:
    """The pure rule of a decision: who gets which status and who gets a mail. No queries.
    ``seat_districts`` counts, per cohort, the seats already held per district (for the warning
    when one district would hold more than the programme's share)."""
    plan = DecisionPlan(decision=decision, free_seats=free_seats)
    if decision not in DECIDABLE:
        plan.errors.append(_("Unbekannte Entscheidung."))
        return plan
    if not applications:
        plan.errors.append(_("Bitte wählen Sie mindestens eine Bewerbung aus."))
        return plan
    # What cannot be decided is left as it is and named, row by row; the rest is decided.
    plan.skipped = [
        SkippedRow(a, reason)
        for a in sorted(applications, key=lambda a: (a.cohort_id, a.sequence or 0))
        if (reason := _skip_reason(a, decision))
    ]
    skipped = {row.application.pk for row in plan.skipped}
    applications = [a for a in applications if a.pk not in skipped]
    if not applications:
        plan.errors.append(
            _("Keine der ausgewählten Bewerbungen kann so entschieden werden; Gründe stehen bei jeder Zeile.")
        )
        return plan
    cohorts = {a.cohort_id: a.cohort for a in applications}
    plan.open_cohorts = sorted(
        (c for c in cohorts.values() if at < c.applications_close_at), key=lambda c: c.pk
    )
    if decision != Application.Status.ACCEPTED:
        plan.steps = [
            PlannedStep(a, decision, decision in MAILED, means.get(a.pk))
            for a in sorted(applications, key=lambda a: a.sequence or 0)
        ]
        return plan
    for cohort_id in sorted(cohorts):
        batch = rank([a for a in applications if a.cohort_id == cohort_id], means)
        _plan_acceptance(
            plan,
            cohort=cohorts[cohort_id],
            batch=batch,
            overflow=overflow,
            free_seats=free_seats,
            means=means,
        )
    plan.warnings = district_warnings(cohorts, [s.application for s in plan.accepted], seat_districts or {})
    return plan


def _skip_reason(application: Application, decision: str) -> str:
    """Why the decision leaves this application as it is; empty when it can be decided."""
    if application.anonymised_at:
        # An anonymised application has no one to decide about any more.
        return _("anonymisiert; wird nicht entschieden")
    if not application.cohort.accepts_decisions():
        return _(
            "Der Durchgang ist in der Phase „%(phase)s“; entschieden wird in der Phase „Entscheidung“."
        ) % {"phase": application.cohort.get_review_phase_display()}
    if application.status not in DECIDABLE[decision]:
        return _("bleibt „%(status)s“: „%(decision)s“ ist von hier aus nicht möglich") % {
            "status": application.get_status_display(),
            "decision": Application.Status(decision).label,
        }
    return ""


def _plan_acceptance(
    plan: DecisionPlan,
    *,
    cohort: Cohort,
    batch: list[Application],
    overflow: str,
    free_seats: dict[int, int],
    means: dict[int, float],
) -> None:
    """One cohort's part of an acceptance, best first: the free seats are offered, the rest go to
    the waiting list; more than the free seats without ``WAITLIST_REST`` is an error."""
    free = max(free_seats.get(cohort.pk, 0), 0)
    if len(batch) > free and overflow != Overflow.WAITLIST_REST:
        plan.errors.append(
            ngettext(
                "Im %(cohort)s ist nur noch %(free)s Platz frei, ausgewählt sind %(count)s Bewerbungen. "
                "Es wurde nichts entschieden.",
                "Im %(cohort)s sind nur noch %(free)s Plätze frei, ausgewählt sind %(count)s Bewerbungen. "
                "Es wurde nichts entschieden.",
                free,
            )
            % {"cohort": cohort.localized_title, "free": free, "count": len(batch)}
        )
    for application in batch[:free]:
        plan.steps.append(
            PlannedStep(application, Application.Status.ACCEPTED, True, means.get(application.pk))
        )
    for application in batch[free:]:
        # Already on the waiting list: stays there, without a second mail.
        mail = application.status != Application.Status.WAITLISTED
        plan.steps.append(
            PlannedStep(application, Application.Status.WAITLISTED, mail, means.get(application.pk))
        )


def _decision_applications(application_ids: list[int]):
    return Application.objects.filter(pk__in=application_ids).select_related(
        "applicant", "cohort__programme", "municipality"
    )


def preview_decision(
    *, application_ids: list[int], decision: str, at: dt.datetime, overflow: str = Overflow.REFUSE
) -> DecisionPlan:
    """What ``decide`` would do now, for the confirmation page. Writes nothing, locks nothing."""
    applications = list(_decision_applications(application_ids).order_by("pk"))
    cohorts = {a.cohort_id: a.cohort for a in applications}
    return plan_decision(
        applications=applications,
        decision=decision,
        overflow=overflow,
        free_seats={pk: cohort.free_seats() for pk, cohort in cohorts.items()},
        means=score_means(applications),
        at=at,
        seat_districts=seat_districts(cohorts) if decision == Application.Status.ACCEPTED else {},
    )


def _record_change(application: Application, *, to: str, by: User | None, reason: str, at: dt.datetime):
    change = StatusChange.objects.create(
        application=application, changed_by=by, from_status=application.status, to_status=to, reason=reason
    )
    application.status = to
    if to in {Application.Status.ACCEPTED, Application.Status.WAITLISTED, Application.Status.REJECTED}:
        application.decided_at = at
    application.save(update_fields=["status", "decided_at", "enrollment", "updated_at"])
    return change


def _respond_by(cohort: Cohort, at: dt.datetime) -> dt.date:
    respond_by = timezone.localdate(at) + dt.timedelta(days=settings.SEAT_CONFIRMATION_DAYS)
    return max(min(respond_by, cohort.start_date - dt.timedelta(days=1)), timezone.localdate(at))


def _offer_seat(application: Application, *, by: User | None, reason: str, at: dt.datetime, promoted: bool):
    cohort = application.cohort
    enrollment, _created = Enrollment.objects.update_or_create(
        cohort=cohort,
        user=application.applicant,
        defaults={
            "municipality": application.municipality,
            "state": Enrollment.State.OFFERED,
            "respond_by": _respond_by(cohort, at),
            "responded_at": None,
        },
    )
    application.enrollment = enrollment
    change = _record_change(application, to=Application.Status.ACCEPTED, by=by, reason=reason, at=at)
    kind = MailTemplate.Kind.PROMOTED if promoted else MailTemplate.Kind.ACCEPTED
    _queue_decision(application, kind=kind, reason=reason, change=change)


def _queue_decision(application: Application, *, kind: str, reason: str, change: StatusChange):
    from .mails import queue_decision_mail

    queue_decision_mail(
        application, kind=kind, reason=reason, key=f"decision:{kind}:{application.pk}:{change.pk}"
    )


class DecisionChanged(ValidationError):
    """The outcome differs from the one that was confirmed (someone decided in between)."""


def decide(
    *,
    application_ids: list[int],
    decision: str,
    by: User,
    at: dt.datetime,
    reason: str = "",
    overflow: str = Overflow.REFUSE,
    confirmed: str | None = None,
) -> dict[str, list[Application]]:
    """Accept, waitlist or reject applications, within each cohort's free seats.

    Cohort rows are locked first (in id order), then the applications, so that two reviewers
    accepting at the same moment can never overbook. The outcome is ``plan_decision``'s, the
    rule the confirmation page shows; given the ``confirmed`` fingerprint of that page, a changed
    outcome (another decision in between) writes nothing and raises ``DecisionChanged``.
    Returns the applications by new status.
    """
    if decision not in DECIDABLE:
        raise ValidationError(_("Unbekannte Entscheidung."), code="decision")
    with transaction.atomic():
        cohorts, applications = _lock_for_decision(application_ids)
        plan = plan_decision(
            applications=applications,
            decision=decision,
            overflow=overflow,
            free_seats=(
                {pk: cohort.free_seats() for pk, cohort in cohorts.items()}
                if decision == Application.Status.ACCEPTED
                else {}
            ),
            means=score_means(applications),
            at=at,
        )
        _check_plan(plan, confirmed=confirmed)
        return _carry_out(plan, by=by, reason=reason, at=at)


def _lock_for_decision(application_ids: list[int]) -> tuple[dict[int, Cohort], list[Application]]:
    """Lock the applications' cohorts (in id order), then the applications themselves; each
    application carries its locked cohort."""
    cohort_ids = sorted(
        set(Application.objects.filter(pk__in=application_ids).values_list("cohort_id", flat=True))
    )
    locked = Cohort.objects.select_related("programme").select_for_update(of=("self",))
    cohorts = {c.pk: c for c in locked.filter(pk__in=cohort_ids).order_by("pk")}
    applications = list(
        _decision_applications(application_ids).order_by("pk").select_for_update(of=("self",))
    )
    for application in applications:
        application.cohort = cohorts[application.cohort_id]
    return cohorts, applications


def _check_plan(plan: DecisionPlan, *, confirmed: str | None) -> None:
    """Refuse a plan with errors, and one whose outcome is not the confirmed one."""
    if plan.errors:
        raise ValidationError(plan.errors, code="refused")
    if confirmed is not None and confirmed != plan.fingerprint:
        raise DecisionChanged(
            _(
                "Seit Ihrer Vorschau hat sich etwas geändert (z. B. eine andere Entscheidung oder "
                "vergebene Plätze). Es wurde nichts entschieden. Bitte prüfen Sie die neue Vorschau."
            ),
            code="changed",
        )


def _carry_out(plan: DecisionPlan, *, by: User, reason: str, at: dt.datetime) -> dict[str, list[Application]]:
    """Write the plan's steps (the caller holds the locks); the applications by new status."""
    result: dict[str, list[Application]] = {plan.decision: []}
    if plan.decision == Application.Status.ACCEPTED:
        result[Application.Status.WAITLISTED] = []
    for step in plan.steps:
        application = step.application
        if step.to_status == Application.Status.ACCEPTED:
            _offer_seat(application, by=by, reason=reason, at=at, promoted=False)
        elif application.status != step.to_status:
            change = _record_change(application, to=step.to_status, by=by, reason=reason, at=at)
            if step.mail:
                _queue_decision(application, kind=step.to_status, reason=reason, change=change)
        result.setdefault(step.to_status, []).append(application)
    return result


def promote_from_waitlist(*, cohort: Cohort, at: dt.datetime) -> list[Application]:
    """Offer free seats to the best-ranked waitlisted applicants. The caller holds the cohort lock."""
    promoted = []
    free = cohort.free_seats()
    if free <= 0:
        return promoted
    waiting = ranked(
        list(
            Application.objects.filter(cohort=cohort, status=Application.Status.WAITLISTED)
            .select_related("applicant", "cohort", "municipality")
            .select_for_update(of=("self",))
        )
    )
    for application in waiting[:free]:
        _offer_seat(application, by=None, reason=_("Nachrücken von der Warteliste"), at=at, promoted=True)
        promoted.append(application)
    return promoted


def respond_to_offer(*, application_id: int, applicant: User, accept: bool, at: dt.datetime) -> Application:
    """The accepted applicant confirms or declines the offered seat by its date.

    A decline frees the seat, which goes to the best-ranked waitlisted applicant under the same lock.
    """
    with transaction.atomic():
        cohort_id = (
            Application.objects.filter(pk=application_id, applicant=applicant)
            .values_list("cohort_id", flat=True)
            .first()
        )
        if cohort_id is None:
            raise Application.DoesNotExist
        cohort = Cohort.objects.select_for_update().get(pk=cohort_id)
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("enrollment")
            .get(pk=application_id, applicant=applicant)
        )
        enrollment = application.enrollment
        if enrollment is None or enrollment.state != Enrollment.State.OFFERED:
            raise ValidationError(
                _("Für diese Bewerbung ist kein Platz zur Bestätigung offen."), code="no_offer"
            )
        if accept and timezone.localdate(at) > enrollment.respond_by:
            raise ValidationError(
                _(
                    "Die Frist zur Bestätigung des Platzes ist am %(date)s abgelaufen. Ob noch ein Platz frei "
                    "ist, erfahren Sie beim %(unit)s: %(email)s, Telefon %(phone)s."
                )
                % {
                    "date": enrollment.respond_by.strftime("%d.%m.%Y"),
                    "unit": operator_details()["unit"],
                    "email": settings.PORTAL_OPERATOR["email"],
                    "phone": settings.PORTAL_OPERATOR["phone"],
                },
                code="late",
            )
        enrollment.responded_at = at
        if accept:
            enrollment.state = Enrollment.State.CONFIRMED
            enrollment.save(update_fields=["state", "responded_at"])
            applicant.groups.add(roles.group(roles.PARTICIPANTS))
        else:
            enrollment.state = Enrollment.State.DECLINED
            enrollment.save(update_fields=["state", "responded_at"])
            _record_change(
                application, to=Application.Status.WITHDRAWN, by=applicant, reason=_("Platz abgelehnt"), at=at
            )
            application.withdrawn_at = at
            application.save(update_fields=["withdrawn_at"])
            promote_from_waitlist(cohort=cohort, at=at)
    return application
