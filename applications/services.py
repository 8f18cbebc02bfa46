"""Every write to an application. Each function is one transaction and checks the window itself."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from cohorts.models import Cohort
from portal.mail import queue_templated_mail
from portal.models import User

from .models import Application, DeadlineExtension
from .uploads import safe_display_name

# Fields an applicant fills in; everything else is set by the portal.
APPLICANT_FIELDS = [
    "municipality", "other_employer", "department", "position", "phone", "role", "motivation",
    "strategy", "plans", "funding_programme", "supervisor_name", "supervisor_email",
]
REQUIRED_FOR_SUBMISSION = [
    "department", "position", "phone", "role", "motivation", "strategy", "supervisor_name", "supervisor_email",
]


def window_is_open(*, cohort: Cohort, at: dt.datetime, application: Application | None = None) -> bool:
    """The cohort's window, or an individual extension granted to this application."""
    if cohort.accepts_applications(at):
        return True
    if application is not None and application.pk:
        extension = DeadlineExtension.objects.filter(application=application).first()
        return extension is not None and cohort.applications_open_at <= at < extension.until
    return False


def _closed_error(cohort: Cohort) -> ValidationError:
    return ValidationError(
        _(
            "Die Bewerbungsfrist für den %(cohort)s ist am %(date)s um 24:00 Uhr abgelaufen. "
            "Ihre Angaben wurden nicht gespeichert; Ihr zuletzt gespeicherter Entwurf bleibt erhalten."
        )
        % {"cohort": cohort.title, "date": cohort.applications_close_on.strftime("%d.%m.%Y")},
        code="closed",
    )


def _not_yet_open_error(cohort: Cohort) -> ValidationError:
    return ValidationError(_("Die Bewerbung für den %(cohort)s ist noch nicht möglich.") % {"cohort": cohort.title},
                           code="not_open")


def check_window(*, cohort: Cohort, at: dt.datetime, application: Application | None = None) -> None:
    if window_is_open(cohort=cohort, at=at, application=application):
        return
    if at < cohort.applications_open_at:
        raise _not_yet_open_error(cohort)
    raise _closed_error(cohort)


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
        # Locking the person serialises two tabs saving their first draft at the same moment.
        User.objects.select_for_update().filter(pk=applicant.pk).first()
        application = Application.objects.filter(cohort=cohort, applicant=applicant).first()
        check_window(cohort=cohort, at=at, application=application)
        if application is None:
            application = Application(cohort=cohort, applicant=applicant)
        elif not application.is_draft:
            raise ValidationError(
                _("Diese Bewerbung ist bereits %(status)s und kann nicht mehr geändert werden.")
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


def missing_for_submission(application: Application) -> list[str]:
    """Human-readable names of everything a submission still needs."""
    missing = []
    if not application.municipality_id and not application.other_employer.strip():
        missing.append(_("Arbeitgeber (Kommune oder andere öffentliche Stelle)"))
    for field in REQUIRED_FOR_SUBMISSION:
        if not str(getattr(application, field) or "").strip():
            missing.append(str(Application._meta.get_field(field).verbose_name))
    if not application.endorsement:
        missing.append(_("Unterstützungsschreiben als PDF"))
    if not application.privacy_consent_at:
        missing.append(_("Einwilligung in die Datenschutzhinweise"))
    return missing


def submit_application(*, application_id: int, applicant: User, at: dt.datetime) -> Application:
    """Submit a draft bindingly and give it the next number of its cohort.

    The cohort row is locked first, then the application, so that two submits of the same
    draft (double click, two tabs) produce one number, and numbers have no gaps.
    A second submit of an already submitted application returns it unchanged.
    """
    with transaction.atomic():
        cohort_id = (
            Application.objects.filter(pk=application_id, applicant=applicant).values_list("cohort_id", flat=True).first()
        )
        if cohort_id is None:
            raise Application.DoesNotExist
        cohort = Cohort.objects.select_for_update().select_related("programme").get(pk=cohort_id)
        application = Application.objects.select_for_update().get(pk=application_id, applicant=applicant)
        if not application.is_draft:
            if application.status == Application.Status.WITHDRAWN:
                raise ValidationError(_("Diese Bewerbung wurde zurückgezogen."), code="withdrawn")
            return application
        check_window(cohort=cohort, at=at, application=application)
        missing = missing_for_submission(application)
        if missing:
            raise ValidationError(
                _("Bitte ergänzen Sie noch: %(fields)s.") % {"fields": ", ".join(missing)}, code="incomplete"
            )
        last = Application.objects.filter(cohort=cohort).aggregate(last=Max("sequence"))["last"] or 0
        application.sequence = last + 1
        application.reference = f"{cohort.programme.reference_prefix}-{cohort.number}-{application.sequence:04d}"
        application.status = Application.Status.SUBMITTED
        application.submitted_at = at
        application.save(update_fields=["sequence", "reference", "status", "submitted_at", "updated_at"])
        queue_templated_mail(
            template="applications/submitted",
            context={"application": application, "cohort": cohort, "user": applicant},
            recipient=applicant.email,
            user=applicant,
            kind="application-submitted",
            idempotency_key=f"application-submitted:{application.pk}",
        )
    return application


def withdraw_application(*, application_id: int, applicant: User, at: dt.datetime) -> Application:
    """Withdraw an application before a decision. Possible after the deadline as well."""
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application_id, applicant=applicant)
        if not application.can_withdraw:
            raise ValidationError(
                _("Über diese Bewerbung ist bereits entschieden; sie kann nicht mehr zurückgezogen werden."),
                code="decided",
            )
        application.status = Application.Status.WITHDRAWN
        application.withdrawn_at = at
        application.save(update_fields=["status", "withdrawn_at", "updated_at"])
    return application


def grant_extension(*, application: Application, until: dt.datetime, reason: str, granted_by: User) -> DeadlineExtension:
    if not reason.strip():
        raise ValidationError(_("Bitte begründen Sie die Fristverlängerung."), code="reason")
    if until <= application.cohort.applications_close_at:
        raise ValidationError(_("Die Verlängerung muss nach dem regulären Bewerbungsschluss enden."), code="until")
    extension, _created = DeadlineExtension.objects.update_or_create(
        application=application, defaults={"until": until, "reason": reason, "granted_by": granted_by}
    )
    return extension
