"""The progress page (updating itself while the job runs), its JSON and the download of an export: for the person who asked for it only, and
only while they still have the right to read the list."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext

from portal.exports.models import ExportJob
from portal.files import private_download
from portal.web.spreadsheets import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE

RUNNING = (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING)


def _own_job(request, pk: int) -> ExportJob:
    job = get_object_or_404(ExportJob, pk=pk, owner=request.user)
    if not request.user.has_perm(job.permission):
        raise Http404
    return job


@login_required
def status(request, pk: int):
    job = _own_job(request, pk)
    running = job.status in RUNNING
    context = {"job": job, "running": running, "progress_text": _progress_text(job)}
    return render(request, "portal/export.html", context)


def _progress_text(job: ExportJob) -> str:
    return gettext("Der Export wird im Hintergrund erstellt: %(done)s von %(total)s Zeilen.") % {
        "done": job.done,
        "total": job.total,
    }


@login_required
def progress(request, pk: int):
    """The job's state as JSON for the page's poller (``static/js/export-progress.js``): the
    counts while it runs; once finished, the result as the page shows it, with the download."""
    job = _own_job(request, pk)
    finished = job.status not in RUNNING
    payload = {
        "status": job.status,
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "finished": finished,
        "progress_text": _progress_text(job),
        "download_url": reverse("exports:download", args=[job.pk]) if job.status == "done" else None,
        "result_html": render_to_string("portal/_export_result.html", {"job": job}, request)
        if finished
        else "",
    }
    response = JsonResponse(payload)
    response["Cache-Control"] = "no-store"
    return response


@login_required
def download(request, pk: int):
    job = _own_job(request, pk)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404
    content_type = XLSX_CONTENT_TYPE if job.file_format == "xlsx" else CSV_CONTENT_TYPE
    return private_download(job.file, job.filename, content_type)
