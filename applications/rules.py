"""The rules an application is measured by, as pure reads: whether the window is open at an
instant (the one function every write path asks, on the server, with the time of the request),
why it is closed, what a submission still needs, and whether a withdrawn application may be taken
up again. Services enforce them; selectors and pages show them."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from cohorts.models import Cohort

from .models import Application

# The fields whose typed text a draft may keep while it is invalid, in the form's order.
INVALID_ORDER = [
    "municipality",
    "other_employer",
    "department",
    "position",
    "phone",
    "role",
    "motivation",
    "strategy",
    "plans",
    "funding_programme",
    "supervisor_name",
    "supervisor_email",
]

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


def invalid_fields(application: Application) -> list[str]:
    """The names of the fields whose typed value a draft kept although it is not valid yet."""
    return [name for name in INVALID_ORDER if name in (application.invalid_input or {})]


def missing_fields(application: Application) -> list[str]:
    """The names of the form fields a submission still needs, in the form's order: empty ones and
    those whose typed value is still to be corrected."""
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
    missing.extend(name for name in invalid_fields(application) if name not in missing)
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


def invalid_for_submission(application: Application) -> list[str]:
    """Human-readable names of the fields whose kept value is still to be corrected."""
    return [str(Application._meta.get_field(name).verbose_name) for name in invalid_fields(application)]


# What missing_fields checks: the employer, the fields above, the letter and the consent.
SUBMISSION_REQUIREMENTS = 1 + len(REQUIRED_FOR_SUBMISSION) + 2


def can_apply_again(application: Application, *, at: dt.datetime) -> bool:
    """A withdrawn application may be taken up again while its window is open, unless it was
    withdrawn by declining an offered seat (that seat has gone to someone else)."""
    return (
        application.status == Application.Status.WITHDRAWN
        and application.decided_at is None
        and application.enrollment_id is None
        and window_is_open(cohort=application.cohort, at=at, application=application)
    )
