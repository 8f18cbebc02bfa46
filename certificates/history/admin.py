"""The import of earlier cohorts in the admin: upload → dry run (every row's outcome and every
error with row, column and reason) → confirm → import; the templates; the audit of confirmed
imports; the letters with the verification codes."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cohorts.admin_scope import CohortScopedAdmin, admin_cohorts
from cohorts.models import Programme
from portal.mail import absolute_url

from ..models import Certificate
from . import columns, pending
from .forms import ConfirmForm, FingerprintForm, ImportFileForm, SecondCopyForm
from .importer import run
from .models import ImportedCertificate, ImportedEnrollment, ImportRun


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = [
        "imported_at",
        "file_name",
        "kind",
        "rows",
        "created",
        "changed",
        "unchanged",
        "imported_by",
    ]
    readonly_fields = [f.name for f in ImportRun._meta.fields]
    change_list_template = "admin/certificates/history/importrun_changelist.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def may_import(self, request) -> bool:
        return request.user.has_perm("certificates.add_importrun")

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="certificates_importrun_import"),
            path("import/bestaetigen/", view(self.confirm_view), name="certificates_importrun_confirm"),
            path(
                "vorlage/<slug:kind>.<str:fmt>",
                view(self.template_view),
                name="certificates_importrun_template",
            ),
            path("<int:pk>/briefe/", view(self.letters_view), name="certificates_importrun_letters"),
            *super().get_urls(),
        ]

    def _context(self, request, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "kinds": columns.KINDS,
            **extra,
        }

    def _programme(self):
        programme = Programme.objects.order_by("pk").first()
        if programme is None:
            raise Http404
        return programme

    def import_view(self, request):
        """Upload and dry run. Nothing is written; a file without errors can be confirmed."""
        if not self.may_import(request):
            raise PermissionDenied
        form = ImportFileForm(request.POST or None, request.FILES or None)
        report = confirm = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["datei"]
            content = upload.read()
            report = run(
                content, upload.name, programme=self._programme(), by=request.user, at=timezone.now()
            )
            if report.ok:
                confirm = ConfirmForm(
                    initial={
                        "token": pending.keep(content),
                        "sha256": report.sha256,
                        "name": upload.name[:200],
                    }
                )
        context = self._context(
            request, _("Frühere Durchgänge importieren"), form=form, report=report, confirm=confirm
        )
        return TemplateResponse(request, "admin/certificates/history/import.html", context)

    def confirm_view(self, request):
        if not self.may_import(request) or request.method != "POST":
            raise PermissionDenied
        form = ConfirmForm(request.POST)
        content = form.is_valid() and pending.take(form.cleaned_data["token"], form.cleaned_data["sha256"])
        if not content:
            messages.error(request, _("Der Probelauf ist abgelaufen. Bitte laden Sie die Datei erneut hoch."))
            return redirect("admin:certificates_importrun_import")
        report = run(
            content,
            form.cleaned_data["name"],
            programme=self._programme(),
            by=request.user,
            at=timezone.now(),
            dry_run=False,
        )
        pending.forget(form.cleaned_data["token"])
        context = self._context(
            request,
            _("Import abgeschlossen") if report.written else _("Nicht importiert"),
            form=ImportFileForm(),
            report=report,
            run_id=report.run_id,
        )
        return TemplateResponse(request, "admin/certificates/history/import.html", context)

    def template_view(self, request, kind, fmt):
        chosen = columns.BY_SLUG.get(kind)
        if chosen is None or fmt not in ("csv", "xlsx"):
            raise Http404
        if fmt == "csv":
            response = HttpResponse(columns.template_csv(chosen), content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(
                columns.template_xlsx(chosen),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        response["Content-Disposition"] = f'attachment; filename="vorlage-{chosen.slug}.{fmt}"'
        return response

    def letters_view(self, request, pk):
        """Printable letters: each holder's certificate number, date and verification code, for
        the certificates this file imported (in this run or an earlier import of the same file)."""
        if not request.user.has_perm("certificates.view_certificate"):
            raise PermissionDenied
        run_record = get_object_or_404(ImportRun, pk=pk)
        certificates = (
            Certificate.objects.filter(
                imported__run__file_sha256=run_record.file_sha256,
                # Codes are secrets: a coordinator prints those of their own cohorts only.
                cohort__in=admin_cohorts(request.user).values("pk"),
            )
            .select_related("enrollment__user", "cohort")
            .order_by("cohort__number", "sequence")
        )
        verify_url = absolute_url(reverse("certificates:verify"))
        context = self._context(
            request,
            _("Briefe mit Prüfcode"),
            run=run_record,
            certificates=certificates,
            verify_url=verify_url,
        )
        return TemplateResponse(request, "admin/certificates/history/letters.html", context)


@admin.register(ImportedEnrollment)
class ImportedEnrollmentAdmin(CohortScopedAdmin, admin.ModelAdmin):
    # A coordinator invites the imported people of their own cohorts only.
    cohort_path = "enrollment__cohort"
    list_display = ["enrollment", "unit", "completed_on", "invited_at", "run"]
    list_select_related = ["enrollment__user", "enrollment__cohort", "run"]
    search_fields = ["enrollment__user__email", "enrollment__user__last_name"]
    list_filter = ["enrollment__cohort"]
    readonly_fields = ["enrollment", "run", "unit", "completed_on", "invited_at"]
    actions = ["invite"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Zum Konto einladen (mit Datenschutzhinweisen und Prüfcode)"))
    def invite(self, request, queryset):
        from .services import invite

        sent = invite(imported=list(queryset), by=request.user, at=timezone.now())
        messages.success(request, _("%(count)s Einladung(en) in den Postausgang gelegt.") % {"count": sent})


@admin.register(ImportedCertificate)
class ImportedCertificateAdmin(admin.ModelAdmin):
    list_display = ["certificate", "run", "second_copy_consent_at", "second_copy_at"]
    list_select_related = ["certificate", "run"]
    search_fields = ["certificate__number", "certificate__holder_name"]
    readonly_fields = ["certificate", "run", "second_copy_consent_at", "second_copy_at"]
    change_form_template = "admin/certificates/history/importedcertificate_change_form.html"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # the record stays as imported; the actions below have their own forms

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/fingerabdruck/",
                view(self.fingerprint_view),
                name="certificates_importedcertificate_fingerprint",
            ),
            path(
                "<int:pk>/zweitschrift/",
                view(self.second_copy_view),
                name="certificates_importedcertificate_second_copy",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {
            "fingerprint_form": FingerprintForm(),
            "second_copy_form": SecondCopyForm(),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def _record(self, request, pk):
        record = get_object_or_404(
            ImportedCertificate.objects.select_related("certificate__enrollment"), pk=pk
        )
        if request.method != "POST" or not request.user.has_perm("certificates.change_importedcertificate"):
            raise PermissionDenied
        return record

    def _back(self, record):
        return redirect("admin:certificates_importedcertificate_change", record.pk)

    def fingerprint_view(self, request, pk):
        from .services import register_fingerprint

        record = self._record(request, pk)
        form = FingerprintForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, _("Bitte wählen Sie eine PDF-Datei."))
            return self._back(record)
        upload = form.cleaned_data["datei"]
        try:
            register_fingerprint(
                certificate=record.certificate,
                content=upload.read(),
                file_name=upload.name,
                by=request.user,
                at=timezone.now(),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Der Fingerabdruck ist erfasst: Die Prüfseite erkennt diese Datei als unverändert."),
            )
        return self._back(record)

    def second_copy_view(self, request, pk):
        from .second_copy import request_second_copy

        record = self._record(request, pk)
        form = SecondCopyForm(request.POST)
        try:
            request_second_copy(
                certificate=record.certificate, by=request.user, at=timezone.now(), consent=form.is_valid()
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _(
                    "Die Zweitschrift wird erstellt (PDF und digitaler Nachweis); die Inhaber:in erhält "
                    "eine E-Mail, sobald sie bereitsteht."
                ),
            )
        return self._back(record)
