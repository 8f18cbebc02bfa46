"""The exports of admin lists a person asked for (``portal.exports``): what each job holds, how
long, and what goes with the person.

An export job records who asked for which list, the rows' keys, and the file the worker built:
a copy of a list of other people's data, kept for its owner to download. The file is deleted
``PORTAL_EXPORT_KEEP_DAYS`` days (7) after it was built (``sweep_exports``, every minute); the
nightly retention run deletes the job itself once that period has passed, with any file left.
Erasure deletes the person's jobs and their files at once. The person's own data export lists
the jobs (which list, when, how many rows, in which state), not the files: those hold other
people's data.
"""

import datetime as dt

from django.conf import settings
from django.db.models import Q

from portal.accounts.models import User
from portal.exports.models import ExportJob
from portal.privacy.registry import Export, delete_files_on_commit


def keep_days() -> int:
    return settings.PORTAL_EXPORT_KEEP_DAYS


def _delete(jobs) -> int:
    """Delete the jobs and, after commit, their stored files."""
    delete_files_on_commit(jobs.exclude(file="").values_list("file", flat=True))
    deleted, _by_model = jobs.delete()
    return deleted


def export(user: User) -> Export:
    jobs = ExportJob.objects.filter(owner=user).order_by("created_at")
    return Export(
        name="exporte",
        data=[
            {
                "list": job.model_label,
                "filename": job.filename,
                "format": job.file_format,
                "status": job.status,
                "rows": job.total,
                "created_at": job.created_at,
                "finished_at": job.finished_at,
                "file_kept": bool(job.file),
            }
            for job in jobs
        ],
    )


def erase(user: User, *, at: dt.datetime) -> int:
    return _delete(ExportJob.objects.filter(owner=user))


def restrict(user: User, *, at: dt.datetime) -> int:
    """No obligation keeps an export: it goes with the request for erasure."""
    return erase(user, at=at)


def retention(*, at: dt.datetime) -> dict[str, int]:
    """Jobs whose period has passed: built, or asked for and never built, more than ``keep_days``
    days ago."""
    cutoff = at - dt.timedelta(days=keep_days())
    old = ExportJob.objects.filter(
        Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, created_at__lt=cutoff)
    )
    return {"exports_deleted": _delete(old)}
