from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cohorts.admin_scope import CohortScopedAdmin
from portal.files import validate_document
from portal.web.text import TextFormMixin

from . import services
from .models import Material, Module, Session, TaskDeadline


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ["position", "title", "title_en", "programme"]
    list_filter = ["programme"]
    list_select_related = ["programme"]
    # Each text in German and, for the English interface, in English (empty: the German is shown).
    fieldsets = [
        (None, {"fields": ["programme", "position"]}),
        (_("Deutsch"), {"fields": ["title", "description", "task"]}),
        (_("Englisch"), {"fields": ["title_en", "description_en", "task_en"]}),
    ]


class CoordinatedCohortMixin(CohortScopedAdmin):
    """Coordinators see and change only what belongs to the cohorts they coordinate
    (``cohorts.admin_scope``)."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class SessionForm(TextFormMixin, forms.ModelForm):
    meeting_url = forms.URLField(label=_("Link zum Online-Raum"), required=False, assume_scheme="https")

    class Meta:
        model = Session
        fields = [
            "cohort",
            "module",
            "starts_at",
            "ends_at",
            "meeting_url",
            "trainer",
            "description",
            "description_en",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The admin's split date/time inputs have no label of their own.
        for name in ("starts_at", "ends_at"):
            widget = self.fields[name].widget
            if hasattr(widget, "widgets"):
                label = self.fields[name].label
                widget.widgets[0].attrs["aria-label"] = _("%(field)s: Datum") % {"field": label}
                widget.widgets[1].attrs["aria-label"] = _("%(field)s: Uhrzeit") % {"field": label}

    def clean(self):
        data = super().clean()
        if data.get("cohort") and data.get("starts_at") and data.get("ends_at"):
            try:
                services.check_session(
                    cohort=data["cohort"],
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    exclude=self.instance.pk,
                )
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    self.add_error(name, messages)
        return data


@admin.register(Session)
class SessionAdmin(CoordinatedCohortMixin, admin.ModelAdmin):
    form = SessionForm
    list_display = ["module", "cohort", "starts_at", "ends_at", "trainer"]
    list_filter = ["cohort", "module"]
    list_select_related = ["module", "cohort"]
    date_hierarchy = "starts_at"
    # The description in German and, for the English interface, in English (empty: the German is shown).
    fieldsets = [
        (None, {"fields": ["cohort", "module", "starts_at", "ends_at", "meeting_url", "trainer"]}),
        (_("Deutsch"), {"fields": ["description"]}),
        (_("Englisch"), {"fields": ["description_en"]}),
    ]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        services.schedule_session(
            cohort=data["cohort"],
            module=data["module"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            by=request.user,
            session=obj,
            meeting_url=data["meeting_url"],
            trainer=data["trainer"],
            description=data["description"],
            description_en=data["description_en"],
        )


class MaterialForm(TextFormMixin, forms.ModelForm):
    link = forms.URLField(label=_("Link"), required=False, assume_scheme="https")

    class Meta:
        model = Material
        fields = ["module", "cohort", "title", "title_en", "file", "link", "own_cohort_only"]

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and hasattr(upload, "content_type"):
            validate_document(upload, allowed=services.MATERIAL_TYPES, max_size=services.MATERIAL_MAX_SIZE)
        return upload

    def clean(self):
        data = super().clean()
        if bool(data.get("file")) == bool(data.get("link")):
            raise ValidationError(_("Bitte laden Sie entweder eine Datei hoch oder geben Sie einen Link an."))
        return data


@admin.register(Material)
class MaterialAdmin(CoordinatedCohortMixin, admin.ModelAdmin):
    form = MaterialForm
    cohort_optional = True  # a material for every cohort of the programme
    list_display = ["title", "title_en", "module", "cohort", "file_name", "link", "created_at"]
    list_filter = ["module", "cohort"]
    list_select_related = ["module", "cohort"]
    # The title in German and, for the English interface, in English (empty: the German is shown).
    fieldsets = [
        (None, {"fields": ["module", "cohort", "own_cohort_only"]}),
        (_("Deutsch"), {"fields": ["title"]}),
        (_("Englisch"), {"fields": ["title_en"]}),
        (_("Datei oder Link"), {"fields": ["file", "link"]}),
    ]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        saved = services.add_material(
            module=data["module"],
            cohort=data["cohort"],
            title=data["title"],
            title_en=data["title_en"],
            by=request.user,
            file=data.get("file") or None,
            link=data.get("link", ""),
            own_cohort_only=data.get("own_cohort_only", False),
        )
        obj.pk = saved.pk


@admin.register(TaskDeadline)
class TaskDeadlineAdmin(CoordinatedCohortMixin, admin.ModelAdmin):
    list_display = ["module", "cohort", "due_at"]
    list_filter = ["cohort"]
    list_select_related = ["module", "cohort"]
