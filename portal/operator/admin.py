"""The operator's texts in the admin: each edited per state, in German and English, with a preview
of the unsaved text as the page prints it; the missing texts of the portal's state are created with
their defaults in one step."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _

from portal.operator.defaults import BY_KEY, DEFAULTS
from portal.operator.models import KEY_CHOICES, OperatorText
from portal.operator.texts import paragraphs
from portal.web.text import TextFormMixin

PREVIEW = "_vorschau"


class OperatorTextForm(TextFormMixin, forms.ModelForm):
    key = forms.ChoiceField(label=_("Text"), choices=KEY_CHOICES)

    class Meta:
        model = OperatorText
        fields = ["state", "key", "text_de", "text_en"]


@admin.register(OperatorText)
class OperatorTextAdmin(admin.ModelAdmin):
    form = OperatorTextForm
    list_display = ["key_label", "key", "state", "updated_at"]
    list_filter = ["state"]
    search_fields = ["key", "text_de", "text_en"]
    change_form_template = "admin/portal/operatortext/change_form.html"
    change_list_template = "admin/portal/operatortext/change_list.html"

    @admin.display(description=_("Text"), ordering="key")
    def key_label(self, obj: OperatorText) -> str:
        return BY_KEY[obj.key].label if obj.key in BY_KEY else obj.key

    def get_changeform_initial_data(self, request):
        """A new text starts as the default of the key asked for (``?key=``), in the portal's state."""
        initial = {"state": settings.PORTAL_STATE, **super().get_changeform_initial_data(request)}
        default = BY_KEY.get(initial.get("key", ""))
        if default:
            initial.setdefault("text_de", default.de)
            initial.setdefault("text_en", default.en)
        return initial

    def get_urls(self):
        return [
            path(
                "anlegen/",
                self.admin_site.admin_view(self.create_missing_view),
                name="portal_operatortext_create_missing",
            ),
            *super().get_urls(),
        ]

    def create_missing_view(self, request):
        """Create every text the portal's state has not edited yet, as its default (POST only)."""
        if request.method != "POST" or not self.has_add_permission(request):
            raise PermissionDenied
        state = settings.PORTAL_STATE
        existing = set(OperatorText.objects.filter(state=state).values_list("key", flat=True))
        created = [
            OperatorText.objects.create(state=state, key=default.key, text_de=default.de, text_en=default.en)
            for default in DEFAULTS
            if default.key not in existing
        ]
        messages.success(request, _("%(count)s Texte angelegt.") % {"count": len(created)})
        return redirect("admin:portal_operatortext_changelist")

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and PREVIEW in request.POST:
            return self._preview(request, object_id)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _preview(self, request, object_id):
        """The change form again, with what was typed and how the page would print it: nothing
        is saved."""
        obj = self.get_object(request, object_id) if object_id else None
        allowed = self.has_change_permission(request, obj) if obj else self.has_add_permission(request)
        if not allowed:
            raise PermissionDenied
        form = self.get_form(request, obj, change=obj is not None)(request.POST, instance=obj)
        form.is_valid()
        data = getattr(form, "cleaned_data", {})
        german = data.get("text_de", "")
        fieldsets = self.get_fieldsets(request, obj)
        admin_form = helpers.AdminForm(form, list(fieldsets), {}, model_admin=self)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Vorschau: %(text)s") % {"text": obj or _("neuer Text")},
            "adminform": admin_form,
            "object_id": object_id,
            "original": obj,
            "is_popup": False,
            "to_field": None,
            "media": self.media + admin_form.media,
            "inline_admin_formsets": [],
            "errors": helpers.AdminErrorList(form, []),
            "preserved_filters": self.get_preserved_filters(request),
            "preview": {
                "de": paragraphs(german),
                "en": paragraphs(data.get("text_en", "") or german),
            },
        }
        return self.render_change_form(request, context, add=obj is None, change=obj is not None, obj=obj)
