"""Personal data that the import of earlier cohorts adds (part of ``certificates.privacy``): what
a participation's import recorded, the registered fingerprints' file names, and the files kept
between a dry run and its confirmation."""

import datetime as dt

from django.core.files.storage import default_storage

from portal.accounts.models import User
from portal.privacy.registry import scrub_audit_log

from . import pending
from .models import ImportedEnrollment, RegisteredFingerprint

PENDING_HOURS = 24


def export(user: User) -> dict:
    enrollments = ImportedEnrollment.objects.filter(enrollment__user=user).select_related(
        "enrollment__cohort", "run"
    )
    prints = RegisteredFingerprint.objects.filter(certificate__enrollment__user=user).select_related(
        "certificate"
    )
    return {
        "imported_enrollments": [
            {
                "cohort": record.enrollment.cohort.title,
                "unit": record.unit,
                "completed_on": record.completed_on,
                "invited_at": record.invited_at,
                "imported_at": record.run.imported_at if record.run_id else None,
                "import_file": record.run.file_name if record.run_id else "",
            }
            for record in enrollments
        ],
        "registered_fingerprints": [
            {"certificate": p.certificate.number, "sha256": p.sha256, "file_name": p.file_name}
            for p in prints
        ],
    }


def erase(user: User) -> None:
    """The fingerprints stay (they let a kept paper certificate be checked); their file names and
    what the import recorded about the participation go."""
    records = ImportedEnrollment.objects.filter(enrollment__user=user)
    scrub_audit_log(ImportedEnrollment, records.values_list("pk", flat=True))
    records.update(unit="", invited_at=None)
    prints = RegisteredFingerprint.objects.filter(certificate__enrollment__user=user)
    scrub_audit_log(RegisteredFingerprint, prints.values_list("pk", flat=True))
    prints.update(file_name="")


def retention(*, at: dt.datetime) -> int:
    """Files uploaded for a dry run and never confirmed are deleted after a day."""
    try:
        _folders, names = default_storage.listdir(pending.FOLDER)
    except FileNotFoundError:
        return 0
    deleted = 0
    for name in names:
        path = f"{pending.FOLDER}/{name}"
        if default_storage.get_modified_time(path) < at - dt.timedelta(hours=PENDING_HOURS):
            default_storage.delete(path)
            deleted += 1
    return deleted
