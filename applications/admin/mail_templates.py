"""The decision mails' editable templates, with a preview rendered for a real application."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from portal.web.text import TextFormMixin

from ..mails import PLACEHOLDERS, check_template_source, decision_context, render_decision
from ..models import Application, MailTemplate


class MailTemplateForm(TextFormMixin, forms.ModelForm):
    class Meta:
        model = MailTemplate
        fields = ["kind", "language", "subject", "body"]

    def clean(self):
        data = super().clean()
        for name in ("subject", "body"):
            if data.get(name):
                try:
                    check_template_source(data[name])
                except Exception as error:  # any template error is shown to the editor
                    self.add_error(name, _("Die Vorlage ist fehlerhaft: %(error)s") % {"error": error})
        return data


@admin.register(MailTemplate)
class MailTemplateAdmin(admin.ModelAdmin):
    form = MailTemplateForm
    list_display = ["kind", "language", "subject", "updated_at"]
    list_filter = ["kind", "language"]
    change_form_template = "admin/applications/mailtemplate/change_form.html"

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        context["placeholders"] = PLACEHOLDERS
        context["preview_applications"] = (
            Application.objects.exclude(status=Application.Status.DRAFT)
            .filter(applicant__isnull=False)
            .select_related("applicant")
            .order_by("-submitted_at")[:50]
        )
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    def get_urls(self):
        return [
            path(
                "<int:pk>/vorschau/",
                self.admin_site.admin_view(self.preview_view),
                name="applications_mailtemplate_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request, pk):
        """The template rendered with a real application, before anyone receives it."""
        template = get_object_or_404(MailTemplate, pk=pk)
        if not self.has_view_permission(request, template):
            raise PermissionDenied
        application = get_object_or_404(
            Application.objects.exclude(status=Application.Status.DRAFT)
            .filter(applicant__isnull=False)
            .select_related("applicant", "cohort", "enrollment"),
            pk=request.GET.get("application") or 0,
        )
        subject, text, _html = render_decision(
            template, decision_context(application, reason=_("(Begründung)"))
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Vorschau: %(template)s") % {"template": template},
            "template_obj": template,
            "application": application,
            "subject": subject,
            "text": text,
        }
        return TemplateResponse(request, "admin/applications/mailtemplate/preview.html", context)
