"""The progress page and the download of an export: for the person who asked for it only, and
only while they still have the right to read the list."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from portal.exports.models import ExportJob
from portal.files import private_download
from portal.web.spreadsheets import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE


def _own_job(request, pk: int) -> ExportJob:
    job = get_object_or_404(ExportJob, pk=pk, owner=request.user)
    if not request.user.has_perm(job.permission):
        raise Http404
    return job


@login_required
def status(request, pk: int):
    job = _own_job(request, pk)
    return render(request, "portal/export.html", {"job": job})


@login_required
def download(request, pk: int):
    job = _own_job(request, pk)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404
    content_type = XLSX_CONTENT_TYPE if job.file_format == "xlsx" else CSV_CONTENT_TYPE
    return private_download(job.file, job.filename, content_type)
