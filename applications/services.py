"""Every write to an application. Each function is one transaction and checks the window itself."""

import copy
import dataclasses
import datetime as dt
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Avg, F, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cohorts.models import Cohort, Enrollment
from portal.accounts import roles
from portal.accounts.models import User
from portal.files import safe_display_name

from .mails import queue_submission_confirmation
from .models import (
    APPLICANT_FIELDS,
    DECIDABLE,
    Application,
    DeadlineExtension,
    MailTemplate,
    Score,
    StatusChange,
)

REQUIRED_FOR_SUBMISSION = [
    "department",
    "position",
    "phone",
    "role",
    "motivation",
    "strategy",
    "supervisor_name",
    "supervisor_email",
]


def window_is_open(*, cohort: Cohort, at: dt.datetime, application: Application | None = None) -> bool:
    """The cohort's window, or an individual extension granted to this application."""
    if cohort.accepts_applications(at):
        return True
    if application is not None and application.pk:
        extension = application.granted_extension
        return extension is not None and cohort.applications_open_at <= at < extension.until
    return False


def closed_reason(*, cohort: Cohort, application: Application | None = None) -> str:
    """Why the window is closed for this application: the cohort's deadline, or for an
    application with an extension, the end of that extension (date and time in Europe/Berlin)."""
    extension = application.granted_extension if application is not None and application.pk else None
    if extension is not None:
        until = timezone.localtime(extension.until)
        return _(
            "Ihre verlängerte Bewerbungsfrist für den %(cohort)s ist am %(date)s um %(time)s Uhr abgelaufen."
        ) % {
            "cohort": cohort.localized_title,
            "date": until.strftime("%d.%m.%Y"),
            "time": until.strftime("%H:%M"),
        }
    return _("Die Bewerbungsfrist für den %(cohort)s ist am %(date)s um 24:00 Uhr abgelaufen.") % {
        "cohort": cohort.localized_title,
        "date": cohort.applications_close_on.strftime("%d.%m.%Y"),
    }


def _closed_error(cohort: Cohort, application: Application | None) -> ValidationError:
    return ValidationError(closed_reason(cohort=cohort, application=application), code="closed")


def _not_yet_open_error(cohort: Cohort) -> ValidationError:
    return ValidationError(
        _("Die Bewerbung für den %(cohort)s ist noch nicht möglich.") % {"cohort": cohort.localized_title},
        code="not_open",
    )


def check_window(*, cohort: Cohort, at: dt.datetime, application: Application | None = None) -> None:
    if window_is_open(cohort=cohort, at=at, application=application):
        return
    if at < cohort.applications_open_at:
        raise _not_yet_open_error(cohort)
    raise _closed_error(cohort, application)


def save_draft(
    *,
    applicant: User,
    cohort: Cohort,
    data: dict,
    endorsement: UploadedFile | None = None,
    at: dt.datetime,
) -> Application:
    """Create or update the applicant's draft for a cohort with the given (already cleaned) data."""
    with transaction.atomic():
        # Locking the person serialises two tabs saving their first draft at the same moment;
        # locking the draft makes a save wait for a submit of it in another tab, and then see it
        # submitted, instead of writing the draft back over the submission.
        User.objects.select_for_update().filter(pk=applicant.pk).first()
        application = (
            Application.objects.select_for_update(of=("self",))
            .filter(cohort=cohort, applicant=applicant)
            .first()
        )
        check_window(cohort=cohort, at=at, application=application)
        if application is None:
            application = Application(cohort=cohort, applicant=applicant)
        elif not application.is_draft:
            raise ValidationError(
                _("Diese Bewerbung hat den Status „%(status)s“ und kann nicht mehr geändert werden.")
                % {"status": application.get_status_display()},
                code="not_draft",
            )
        for field in APPLICANT_FIELDS:
            if field in data:
                setattr(application, field, data[field])
        if application.municipality_id:
            application.other_employer = ""
        if data.get("privacy_consent"):
            if not application.privacy_consent_at:
                application.privacy_consent_at = at
                application.privacy_consent_version = settings.PRIVACY_NOTICE_VERSION
        else:
            application.privacy_consent_at = None
            application.privacy_consent_version = ""
        old_file = application.endorsement.name if application.endorsement else ""
        if endorsement is not None:
            application.endorsement_name = safe_display_name(endorsement.name)
            application.endorsement_size = endorsement.size
            application.endorsement.save("upload.pdf", endorsement, save=False)
        application.save()
        if endorsement is not None and old_file:
            storage = application.endorsement.storage
            transaction.on_commit(lambda: storage.delete(old_file))
    return application


def missing_fields(application: Application) -> list[str]:
    """The names of the form fields a submission still needs, in the form's order."""
    missing = []
    if not application.municipality_id and not application.other_employer.strip():
        missing.append("municipality")
    for name in REQUIRED_FOR_SUBMISSION:
        if not str(getattr(application, name) or "").strip():
            missing.append(name)
    if not application.endorsement:
        missing.append("endorsement_upload")
    if not application.privacy_consent_at:
        missing.append("privacy_consent")
    return missing


def missing_for_submission(application: Application) -> list[str]:
    """Human-readable names of everything a submission still needs."""
    names = {
        "municipality": _("Arbeitgeber (Kommune oder andere öffentliche Stelle)"),
        "endorsement_upload": _("Unterstützungsschreiben als PDF"),
        "privacy_consent": _("Einwilligung in die Datenschutzhinweise"),
    }
    return [
        str(names.get(name) or Application._meta.get_field(name).verbose_name)
        for name in missing_fields(application)
    ]


# What missing_fields checks: the employer, the fields above, the letter and the consent.
SUBMISSION_REQUIREMENTS = 1 + len(REQUIRED_FOR_SUBMISSION) + 2


def submit_application(*, application_id: int, applicant: User, at: dt.datetime) -> Application:
    """Submit a draft bindingly and give it the next number of its cohort.

    The application row is locked first, so that two submits of the same draft (double click,
    two tabs) or a submit and a withdrawal wait for each other; the draft is checked under that
    lock. The cohort row is locked last, for no more than taking the next number and writing the
    new status, so that numbers have no gaps and submits of one cohort queue only briefly. No other
    path locks a draft after its cohort (decisions and offers concern submitted applications), so
    the two orders cannot deadlock.
    A second submit of an already submitted application returns it unchanged.
    """
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("cohort__programme", "extension")
            .get(pk=application_id, applicant=applicant)
        )
        if not application.is_draft:
            if application.status == Application.Status.WITHDRAWN:
                raise ValidationError(_("Diese Bewerbung wurde zurückgezogen."), code="withdrawn")
            return application
        cohort = application.cohort
        check_window(cohort=cohort, at=at, application=application)
        missing = missing_for_submission(application)
        if missing:
            raise ValidationError(
                _("Bitte ergänzen Sie noch: %(fields)s.") % {"fields": ", ".join(missing)}, code="incomplete"
            )
        StatusChange.objects.create(
            application=application,
            changed_by=applicant,
            from_status=application.status,
            to_status=Application.Status.SUBMITTED,
        )
        # Recorded here, rendered by the worker that sends it (from the submitted application).
        queue_submission_confirmation(application, applicant=applicant)
        # Last, the cohort: the next number and the status write are all that waits for this lock.
        Cohort.objects.select_for_update().filter(pk=cohort.pk).order_by().values_list("pk").get()
        last = Application.objects.filter(cohort=cohort).aggregate(last=Max("sequence"))["last"] or 0
        before = copy.copy(application)  # the row as it is under the lock, for the audit log
        if application.sequence is None:  # an application submitted again keeps its number
            application.sequence = last + 1
            application.reference = (
                f"{cohort.programme.reference_prefix}-{cohort.number}-{application.sequence:04d}"
            )
        application.status = Application.Status.SUBMITTED
        application.submitted_at = at
        _save_audited(
            application,
            before=before,
            update_fields=["sequence", "reference", "status", "submitted_at", "updated_at"],
        )
    return application


def _save_audited(instance, *, before, update_fields: list[str]) -> None:
    """Save with the audit log entry django-auditlog would write, diffed against ``before``: the
    row as the caller read it under its lock, so auditlog need not read it once more. Diffed before
    saving, as auditlog does (an ``auto_now`` field is not a change of its own)."""
    from auditlog import get_logentry_model
    from auditlog.context import disable_auditlog
    from auditlog.diff import model_instance_diff

    changes = model_instance_diff(
        before,
        instance,
        fields_to_check=update_fields,
        use_json_for_changes=settings.AUDITLOG_STORE_JSON_CHANGES,
    )
    with disable_auditlog():
        instance.save(update_fields=update_fields)
    if changes:
        log_entry = get_logentry_model()
        log_entry.objects.log_create(instance, action=log_entry.Action.UPDATE, changes=changes)


def withdraw_application(*, application_id: int, applicant: User, at: dt.datetime) -> Application:
    """Withdraw an application before a decision. Possible after the deadline as well."""
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application_id, applicant=applicant)
        if not application.can_withdraw:
            raise ValidationError(
                _("Über diese Bewerbung ist bereits entschieden; sie kann nicht mehr zurückgezogen werden."),
                code="decided",
            )
        StatusChange.objects.create(
            application=application,
            changed_by=applicant,
            from_status=application.status,
            to_status=Application.Status.WITHDRAWN,
        )
        application.status = Application.Status.WITHDRAWN
        application.withdrawn_at = at
        application.save(update_fields=["status", "withdrawn_at", "updated_at"])
    return application


def can_apply_again(application: Application, *, at: dt.datetime) -> bool:
    """A withdrawn application may be taken up again while its window is open, unless it was
    withdrawn by declining an offered seat (that seat has gone to someone else)."""
    return (
        application.status == Application.Status.WITHDRAWN
        and application.decided_at is None
        and application.enrollment_id is None
        and window_is_open(cohort=application.cohort, at=at, application=application)
    )


def apply_again(*, application_id: int, applicant: User, at: dt.datetime) -> Application:
    """Turn a withdrawn application back into a draft, with everything it held, so that the
    person can change and submit it again. A submitted one keeps its reference."""
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("cohort", "extension")
            .get(pk=application_id, applicant=applicant)
        )
        if application.is_draft:
            return application
        if not can_apply_again(application, at=at):
            if application.status == Application.Status.WITHDRAWN:
                check_window(cohort=application.cohort, at=at, application=application)
            raise ValidationError(
                _("Diese Bewerbung kann nicht erneut bearbeitet werden."), code="not_withdrawn"
            )
        StatusChange.objects.create(
            application=application,
            changed_by=applicant,
            from_status=application.status,
            to_status=Application.Status.DRAFT,
            reason=_("Neu bewerben nach Rückzug"),
        )
        application.status = Application.Status.DRAFT
        application.withdrawn_at = None
        application.save(update_fields=["status", "withdrawn_at", "updated_at"])
    return application


def grant_extension(
    *, application: Application, until: dt.datetime, reason: str, granted_by: User
) -> DeadlineExtension:
    if not reason.strip():
        raise ValidationError(_("Bitte begründen Sie die Fristverlängerung."), code="reason")
    if until <= application.cohort.applications_close_at:
        raise ValidationError(
            _("Die Verlängerung muss nach dem regulären Bewerbungsschluss enden."), code="until"
        )
    extension, _created = DeadlineExtension.objects.update_or_create(
        application=application, defaults={"until": until, "reason": reason, "granted_by": granted_by}
    )
    return extension


# --- Review and decisions -------------------------------------------------------------------


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


@dataclass
class DecisionPlan:
    """The outcome of a decision, computed before anything is written: the confirmation page shows
    it, and ``decide`` carries out the very same plan (computed again under its locks)."""

    decision: str
    steps: list[PlannedStep] = dataclasses.field(default_factory=list)
    errors: list[str] = dataclasses.field(default_factory=list)
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
        return hashlib.sha256(
            "|".join(f"{s.application.pk}:{s.to_status}:{int(s.mail)}" for s in self.steps).encode()
        ).hexdigest()[:16]


def plan_decision(
    *,
    applications: list[Application],
    decision: str,
    overflow: str,
    free_seats: dict[int, int],
    means: dict[int, float],
    at: dt.datetime,
) -> DecisionPlan:
    """The pure rule of a decision: who gets which status and who gets a mail. No queries."""
    plan = DecisionPlan(decision=decision, free_seats=free_seats)
    if decision not in DECIDABLE:
        plan.errors.append(_("Unbekannte Entscheidung."))
        return plan
    if not applications:
        plan.errors.append(_("Bitte wählen Sie mindestens eine Bewerbung aus."))
        return plan
    # An anonymised application has no one to decide about any more.
    wrong = [a for a in applications if a.status not in DECIDABLE[decision] or a.anonymised_at]
    if wrong:
        plan.errors.append(
            _("Die Entscheidung „%(decision)s“ ist für diese Bewerbungen nicht möglich: %(list)s.")
            % {
                "decision": Application.Status(decision).label,
                "list": ", ".join(f"{a.reference} ({a.get_status_display()})" for a in wrong),
            }
        )
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
        cohort = cohorts[cohort_id]
        batch = rank([a for a in applications if a.cohort_id == cohort_id], means)
        free = max(free_seats.get(cohort_id, 0), 0)
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
    return plan


def _decision_applications(application_ids: list[int]):
    return Application.objects.filter(pk__in=application_ids).select_related(
        "applicant", "cohort", "municipality"
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
        cohort_ids = sorted(
            set(Application.objects.filter(pk__in=application_ids).values_list("cohort_id", flat=True))
        )
        cohorts = {
            c.pk: c for c in Cohort.objects.select_for_update().filter(pk__in=cohort_ids).order_by("pk")
        }
        applications = list(
            _decision_applications(application_ids).order_by("pk").select_for_update(of=("self",))
        )
        for application in applications:
            application.cohort = cohorts[application.cohort_id]
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
        result: dict[str, list[Application]] = {decision: []}
        if decision == Application.Status.ACCEPTED:
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
                    "unit": settings.PORTAL_OPERATOR["unit"],
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
