"""Asking for, building and sweeping exports (see ``portal.exports``).

Leases, as for certificates and mails: asking records the job and hands it to the worker after
commit (``queued_at``). A worker claims it (``claimed_at``) and renews the claim with every batch
of rows it writes, so a second delivery of the task leaves a running build alone. The sweeper
(``sweep_exports``, beat, every minute) hands on every job whose hand-over and claim are older
than ``PORTAL_WORK_LEASE_SECONDS``: a worker killed or a Redis emptied strands no export. Files
are deleted ``PORTAL_EXPORT_KEEP_DAYS`` days after they were built: they hold personal data.
"""

import datetime as dt
import logging
import tempfile

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.core.files import File
from django.db import transaction
from django.db.models import F, Q
from django.http import HttpRequest, QueryDict

from portal.accounts.models import User
from portal.exports.models import ExportJob
from portal.exports.tasks import build_export
from portal.web.spreadsheets import row_exporter, row_reader, stream_csv, write_xlsx

logger = logging.getLogger(__name__)

# Rows written between two progress reports (which renew the claim).
BATCH = 1000
MAX_ATTEMPTS = 3


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.PORTAL_WORK_LEASE_SECONDS)


def _send_to_worker(job_id: int) -> None:
    try:
        build_export.delay(job_id)
    except Exception:
        logger.warning("Could not enqueue export %s; the sweeper will", job_id, exc_info=True)


def _hand_over(ids: list[int], *, at: dt.datetime) -> None:
    ExportJob.objects.filter(pk__in=ids).update(queued_at=at)
    for pk in ids:
        transaction.on_commit(lambda pk=pk: _send_to_worker(pk))


def request_export(
    *,
    owner: User,
    model_label: str,
    permission: str,
    object_ids: list,
    fields: list[str] | None,
    file_format: str,
    filename: str,
    at: dt.datetime,
) -> ExportJob:
    """Record an export of the given rows for ``owner`` and hand it to the worker."""
    with transaction.atomic():
        job = ExportJob.objects.create(
            owner=owner,
            model_label=model_label,
            permission=permission,
            object_ids=list(object_ids),
            fields=fields,
            file_format=file_format,
            filename=filename,
            total=len(object_ids),
            created_at=at,
        )
        _hand_over([job.pk], at=at)
    return job


def _admin_request(user: User) -> HttpRequest:
    """The request the list's admin sees in the worker: its owner's, without filters (the rows
    are fixed by their keys), so that the admin's own scoping and annotations apply."""
    request = HttpRequest()
    request.method = "GET"
    request.GET = QueryDict("")
    request.user = user
    return request


def _rows(job: ExportJob, model_admin, request, resource, reader):
    # The rows are fixed by their keys: the admin's own scoping applies (get_queryset), not the
    # list's filters, whose defaults (such as the cohort in review) would drop rows asked for.
    queryset = model_admin.get_queryset(request)
    if hasattr(model_admin, "prepare_export_queryset"):
        queryset = model_admin.prepare_export_queryset(queryset, job.fields)
    if reader is None:
        export = row_exporter(resource, job.fields, native=job.file_format == "xlsx")
    for start in range(0, len(job.object_ids), BATCH):
        chunk = job.object_ids[start : start + BATCH]
        if reader is not None:  # the resource's plain rows, no model instances
            found = reader.by_key(queryset, chunk)
        else:
            found = {pk: export(obj) for pk, obj in queryset.in_bulk(chunk).items()}
        for pk in chunk:
            if pk in found:
                yield found[pk]
        done = min(start + BATCH, len(job.object_ids))
        # Progress for the page, and the renewed claim: this worker is alive.
        ExportJob.objects.filter(pk=job.pk).update(done=done, claimed_at=_now())


def _now() -> dt.datetime:
    from django.utils import timezone

    return timezone.now()


def _write(job: ExportJob, target) -> None:
    model = apps.get_model(job.model_label)
    model_admin = admin.site._registry[model]
    request = _admin_request(job.owner)
    resource = model_admin.choose_export_resource_class(None, request)(
        **model_admin.get_export_resource_kwargs(request)
    )
    header = resource.get_export_headers(selected_fields=job.fields)
    native = job.file_format == "xlsx"
    reader = row_reader(resource, job.fields, native=native)
    rows = _rows(job, model_admin, request, resource, reader)
    if native:
        write_xlsx([(str(model._meta.verbose_name_plural), header, rows)], target)
    else:
        for part in stream_csv(header, rows, neutralised=reader is not None):
            target.write(part)


def _claim(job_id: int, *, at: dt.datetime) -> bool:
    claimable = Q(claimed_at__isnull=True) | Q(claimed_at__lte=at - lease())
    return bool(
        ExportJob.objects.filter(
            claimable, pk=job_id, status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING]
        ).update(status=ExportJob.Status.RUNNING, claimed_at=at, attempts=F("attempts") + 1)
    )


def build(*, job_id: int, at: dt.datetime) -> ExportJob:
    """Build the export's file once. Safe to run twice: a job another worker builds, or one that
    is done, is left alone; of two builds that overlap after a lost claim, one file is kept."""
    if not _claim(job_id, at=at):
        return ExportJob.objects.get(pk=job_id)
    job = ExportJob.objects.select_related("owner").get(pk=job_id)
    try:
        with tempfile.TemporaryFile() as target:
            _write(job, target)
            target.seek(0)
            with transaction.atomic():
                locked = ExportJob.objects.select_for_update().get(pk=job_id)
                if locked.status != ExportJob.Status.RUNNING:
                    return locked
                locked.file.save(job.filename, File(target), save=False)
                locked.status = ExportJob.Status.DONE
                locked.done = locked.total
                locked.finished_at = _now()
                locked.error = ""
                locked.save()
    except Exception as exc:
        logger.exception("Export %s failed", job_id)
        final = job.attempts + 1 >= MAX_ATTEMPTS
        ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.RUNNING).update(
            status=ExportJob.Status.FAILED if final else ExportJob.Status.QUEUED,
            error=type(exc).__name__,
            claimed_at=None,
        )
        if not final:
            raise
    return ExportJob.objects.get(pk=job_id)


def sweep(*, now: dt.datetime) -> dict[str, int]:
    """Hand on lost exports again; delete the files of old ones. Safe to run twice."""
    stale = now - lease()
    with transaction.atomic():
        lost = list(
            ExportJob.objects.select_for_update(skip_locked=True)
            .filter(status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING])
            .filter(Q(queued_at__isnull=True) | Q(queued_at__lte=stale))
            .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lte=stale))
            .values_list("pk", flat=True)[:100]
        )
        _hand_over(lost, at=now)
    expired = 0
    old = ExportJob.objects.filter(
        status=ExportJob.Status.DONE,
        finished_at__lte=now - dt.timedelta(days=settings.PORTAL_EXPORT_KEEP_DAYS),
    )
    for job in old[:100]:
        job.file.delete(save=False)
        job.status = ExportJob.Status.EXPIRED
        job.object_ids = []
        job.save(update_fields=["file", "status", "object_ids"])
        expired += 1
    return {"requeued": len(lost), "expired": expired}
