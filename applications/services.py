"""Every write to an application. Each function is one transaction and checks the window itself."""

import copy
import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from cohorts.models import Cohort
from portal.accounts.models import User
from portal.files import safe_display_name

from .mails import queue_submission_confirmation
from .models import (
    APPLICANT_FIELDS,
    Application,
    DeadlineExtension,
    StatusChange,
)
from .rules import can_apply_again, check_window, invalid_for_submission, missing_for_submission


def save_draft(
    *,
    applicant: User,
    cohort: Cohort,
    data: dict,
    endorsement: UploadedFile | None = None,
    invalid: dict[str, str] | None = None,
    at: dt.datetime,
) -> Application:
    """Create or update the applicant's draft for a cohort with the given (already cleaned) data.

    ``invalid`` holds what was typed into fields that did not pass validation, by field name: a
    draft keeps it (the field itself stays empty) instead of refusing to save, and submitting is
    refused until it is corrected. It replaces what the draft kept before: each save sends the
    whole form."""
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
        invalid = {name: value for name, value in (invalid or {}).items() if name in APPLICANT_FIELDS}
        for field in APPLICANT_FIELDS:
            if field in invalid:
                setattr(application, field, None if field == "municipality" else "")
            elif field in data:
                setattr(application, field, data[field])
        application.invalid_input = invalid
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
        invalid = invalid_for_submission(application)
        if invalid:
            raise ValidationError(
                _("Bitte korrigieren Sie noch: %(fields)s.") % {"fields": ", ".join(invalid)}, code="invalid"
            )
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


def delete_draft(*, application_id: int, applicant: User) -> None:
    """Delete a draft that was never submitted, with its letter (after the commit). A draft that
    was submitted before and taken up again keeps its number: it is withdrawn instead."""
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application_id, applicant=applicant)
        if not application.is_draft or application.sequence is not None:
            raise ValidationError(
                _("Nur ein Entwurf, der nie abgesendet wurde, kann gelöscht werden."), code="not_draft"
            )
        file_name = application.endorsement.name if application.endorsement else ""
        storage = application.endorsement.storage
        application.delete()
        if file_name:
            transaction.on_commit(lambda: storage.delete(file_name))


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
