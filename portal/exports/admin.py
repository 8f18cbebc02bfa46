"""The admin side of exports built in the worker (see ``portal.exports``)."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils import timezone

from portal.exports.services import request_export
from portal.web.spreadsheets import XLSX, StreamingExportMixin


class BackgroundExportMixin(StreamingExportMixin):
    """A django-import-export admin whose long lists are exported in the worker.

    Up to ``PORTAL_EXPORT_BACKGROUND_ROWS`` rows the file is streamed at once, as before. A longer
    list would outlast a web request, so the rows as filtered now are recorded, the worker writes
    the file, and the person follows the progress on a page and downloads the file there."""

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        if not self.has_export_permission(request):
            raise PermissionDenied
        threshold = settings.PORTAL_EXPORT_BACKGROUND_ROWS
        if threshold and queryset[threshold : threshold + 1].exists():
            opts = self.model._meta
            selected = self.get_export_resource_fields_from_form(export_form)
            job = request_export(
                owner=request.user,
                model_label=opts.label,
                permission=f"{opts.app_label}.view_{opts.model_name}",
                object_ids=list(queryset.values_list("pk", flat=True)),
                fields=list(selected) if selected else None,
                file_format="xlsx" if isinstance(file_format, XLSX) else "csv",
                filename=self.get_export_filename(request, queryset, file_format),
                at=timezone.now(),
            )
            return redirect("exports:status", pk=job.pk)
        return super()._do_file_export(file_format, request, queryset, export_form)
