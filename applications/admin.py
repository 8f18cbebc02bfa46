"""The reviewers' tool: MIL Referat 22 reads, notes, scores and decides applications here."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Avg, Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.admin import ExportMixin

from portal.mail import visible_mails
from portal.paging import EstimatedCountPaginator
from portal.text import TextFormMixin

from . import services
from .mails import PLACEHOLDERS, check_template_source, decision_context, render_decision
from .models import Application, DeadlineExtension, MailTemplate, ReviewNote, Score, StatusChange


class ApplicationResource(resources.ModelResource):
    """The export of the filtered list: what a reviewer reads, never the uploaded files."""

    name = fields.Field(attribute="applicant__get_full_name", column_name=_("Name"))
    email = fields.Field(attribute="applicant__email", column_name=_("E-Mail"))
    employer = fields.Field(attribute="employer_display", column_name=_("Dienststelle"))
    district = fields.Field(attribute="municipality__district", column_name=_("Landkreis"))
    kind = fields.Field(attribute="municipality__get_kind_display", column_name=_("Art der Kommune"))
    status = fields.Field(attribute="get_status_display", column_name=_("Status"))
    # Numbers stay numbers in XLSX; text is kept from becoming a formula by portal.spreadsheets.
    score_mean = fields.Field(
        attribute="score_mean", column_name=_("Punkte (Mittel)"), widget=widgets.FloatWidget()
    )
    score_count = fields.Field(
        attribute="score_count", column_name=_("Bewertungen"), widget=widgets.IntegerWidget()
    )

    class Meta:
        model = Application
        fields = [
            "reference",
            "name",
            "email",
            "employer",
            "district",
            "kind",
            "department",
            "position",
            "status",
            "submitted_at",
            "score_mean",
            "score_count",
        ]
        export_order = fields


class HasEndorsementFilter(admin.SimpleListFilter):
    title = _("Unterstützungsschreiben")
    parameter_name = "schreiben"

    def lookups(self, request, model_admin):
        return [("ja", _("liegt vor")), ("nein", _("fehlt"))]

    def queryset(self, request, queryset):
        if self.value() == "ja":
            return queryset.exclude(endorsement="")
        if self.value() == "nein":
            return queryset.filter(endorsement="")
        return queryset


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class NoteInline(admin.TabularInline):
    model = ReviewNote
    extra = 1
    can_delete = False
    fields = ["text", "author", "created_at"]
    readonly_fields = ["author", "created_at"]
    verbose_name = _("Notiz")

    def has_change_permission(self, request, obj=None):
        return False  # notes are kept as written; a correction is a new note


class ScoreInline(ReadOnlyInline):
    model = Score
    fields = ["reviewer", "motivation", "relevance", "commitment", "total", "comment", "updated_at"]
    readonly_fields = fields
    verbose_name_plural = _("Bewertungen aller Gutachter:innen")

    @admin.display(description=_("Summe"))
    def total(self, obj):
        return f"{obj.total} / 15"


class MyScoreInline(admin.TabularInline):
    """Each reviewer edits only their own score."""

    model = Score
    extra = 1
    max_num = 1
    can_delete = False
    fields = ["motivation", "relevance", "commitment", "comment"]
    verbose_name = _("Ihre Bewertung (je 1 bis 5 Punkte)")
    verbose_name_plural = _("Ihre Bewertung (je 1 bis 5 Punkte)")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(reviewer=request.user)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in {"motivation", "relevance", "commitment"}:
            kwargs.update(min_value=1, max_value=5)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class HistoryInline(ReadOnlyInline):
    model = StatusChange
    fields = ["created_at", "changed_by", "from_status", "to_status", "reason"]
    readonly_fields = fields


class DeadlineExtensionInline(admin.StackedInline):
    model = DeadlineExtension
    extra = 0
    max_num = 1
    fields = ["until", "reason", "granted_by", "granted_at"]
    readonly_fields = ["granted_by", "granted_at"]


class DecisionForm(TextFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Entscheidung"),
        choices=[
            (Application.Status.ACCEPTED, _("annehmen")),
            (Application.Status.WAITLISTED, _("auf die Warteliste setzen")),
            (Application.Status.REJECTED, _("ablehnen")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Begründung (optional; erscheint in der E-Mail bei Warteliste und Absage)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


def score_annotations() -> dict:
    """Mean total and number of scores, as subqueries: computed for the rows a page shows, where
    a join with GROUP BY would aggregate every application before the page is cut."""
    scores = Score.objects.filter(application=OuterRef("pk")).order_by().values("application")
    return {
        "score_mean": Subquery(
            scores.annotate(mean=Avg(F("motivation") + F("relevance") + F("commitment"))).values("mean")
        ),
        "score_count": Coalesce(Subquery(scores.annotate(n=Count("pk")).values("n")), 0),
    }


@admin.register(Application)
class ApplicationAdmin(ExportMixin, admin.ModelAdmin):
    resource_classes = [ApplicationResource]
    list_display = [
        "reference",
        "applicant_name",
        "employer",
        "district",
        "status",
        "submitted_at",
        "score",
        "score_count",
    ]
    list_display_links = ["reference", "applicant_name"]
    list_filter = ["cohort", "status", "municipality__district", "municipality__kind", HasEndorsementFilter]
    search_fields = [
        "reference",
        "applicant__email",
        "applicant__last_name",
        "applicant__first_name",
        "municipality__name",
        "other_employer",
    ]
    list_select_related = ["applicant", "municipality", "cohort"]
    list_per_page = 100
    # Counted once (the filtered rows), not twice: "N in total" would count every application.
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    ordering = ["cohort", "sequence"]
    inlines = [NoteInline, MyScoreInline, ScoreInline, HistoryInline, DeadlineExtensionInline]
    actions = ["accept", "accept_best_waitlist_rest", "waitlist", "reject", "mark_in_review"]
    readonly_fields = [
        "reference",
        "cohort",
        "applicant",
        "status",
        "employer_with_district",
        "department",
        "position",
        "phone",
        "role",
        "motivation",
        "strategy",
        "plans",
        "funding_programme",
        "supervisor_name",
        "supervisor_email",
        "endorsement_link",
        "privacy_consent_version",
        "privacy_consent_at",
        "submitted_at",
        "decided_at",
        "withdrawn_at",
        "mails",
    ]
    fieldsets = [
        (
            _("Bewerbung"),
            {"fields": ["reference", "cohort", "status", "submitted_at", "decided_at", "withdrawn_at"]},
        ),
        (
            _("Person und Dienststelle"),
            {"fields": ["applicant", "employer_with_district", "department", "position", "phone"]},
        ),
        (_("Angaben"), {"fields": ["role", "motivation", "strategy", "plans", "funding_programme"]}),
        (_("Unterstützung"), {"fields": ["supervisor_name", "supervisor_email", "endorsement_link"]}),
        (_("Datenschutz"), {"fields": ["privacy_consent_version", "privacy_consent_at"]}),
        (_("Versandte E-Mails"), {"fields": ["mails"]}),
    ]
    change_form_template = "admin/applications/application/change_form.html"

    def get_queryset(self, request):
        # Drafts are the applicant's own business until they submit.
        return (
            super()
            .get_queryset(request)
            .exclude(status=Application.Status.DRAFT)
            .annotate(**score_annotations())
        )

    def get_export_queryset(self, request):
        return super().get_export_queryset(request).select_related("applicant", "municipality")

    @admin.display(description=_("Name"), ordering="applicant__last_name")
    def applicant_name(self, obj):
        if obj.applicant is None:
            return _("(anonymisiert)")
        return obj.applicant.get_full_name() or obj.applicant.email

    @admin.display(description=_("Dienststelle"), ordering="municipality__name")
    def employer(self, obj):
        return obj.municipality.name if obj.municipality_id else obj.other_employer

    @admin.display(description=_("Dienststelle"))
    def employer_with_district(self, obj):
        return obj.employer_display

    @admin.display(description=_("Landkreis"), ordering="municipality__district")
    def district(self, obj):
        return obj.municipality.district if obj.municipality_id else "–"

    @admin.display(description=_("Punkte (Mittel)"), ordering="score_mean")
    def score(self, obj):
        return "–" if obj.score_mean is None else f"{obj.score_mean:.1f}"

    @admin.display(description=_("Bewertungen"), ordering="score_count")
    def score_count(self, obj):
        return obj.score_count

    @admin.display(description=_("Unterstützungsschreiben"))
    def endorsement_link(self, obj):
        if not obj.endorsement:
            return "–"
        return format_html(
            '<a href="{}">{}</a>', reverse("applications:endorsement", args=[obj.pk]), obj.endorsement_name
        )

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            obj.viewer = request.user  # whose view of the mails ``mails`` shows
        return obj

    @admin.display(description=_("E-Mails zu dieser Bewerbung"))
    def mails(self, obj):
        """The messages about this application and its seat that the viewer may read; only their
        metadata (a one-time link is never stored readable anyway)."""
        viewer = getattr(obj, "viewer", None)
        if viewer is None:
            return "–"
        about = Q(related_model="applications.application", related_id=obj.pk)
        if obj.enrollment_id:
            about |= Q(related_model="cohorts.enrollment", related_id=obj.enrollment_id)
        messages_ = list(visible_mails(viewer).filter(about).order_by("created_at"))
        if not messages_:
            return "–"
        return format_html_join(
            "",
            '<div><a href="{}">{} · {} · {}</a></div>',
            (
                (
                    reverse("admin:portal_outboxmessage_change", args=[m.pk]),
                    date_format(timezone.localtime(m.created_at), "SHORT_DATETIME_FORMAT"),
                    m.subject,
                    m.get_status_display(),
                )
                for m in messages_
            ),
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_decide_permission(self, request):
        return request.user.has_perm("applications.decide_application")

    def save_formset(self, request, form, formset, change):
        for instance in formset.save(commit=False):
            if isinstance(instance, ReviewNote):
                instance.author = request.user
            elif isinstance(instance, Score):
                if instance.pk and instance.reviewer_id != request.user.pk:
                    raise PermissionDenied
                instance.reviewer = request.user
            elif isinstance(instance, DeadlineExtension):
                if not instance.granted_by_id:
                    instance.granted_by = request.user
            instance.save()

    # --- decisions -----------------------------------------------------------------------

    def _decide(self, request, ids, decision, *, reason="", overflow=services.Overflow.REFUSE) -> bool:
        if not self.has_decide_permission(request):
            raise PermissionDenied
        try:
            result = services.decide(
                application_ids=list(ids),
                decision=decision,
                by=request.user,
                at=timezone.now(),
                reason=reason,
                overflow=overflow,
            )
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return False
        for status, decided in result.items():
            if decided:
                self.message_user(
                    request,
                    _("%(status)s: %(list)s. Die E-Mails werden versendet.")
                    % {
                        "status": Application.Status(status).label,
                        "list": ", ".join(a.reference for a in decided),
                    },
                    messages.SUCCESS,
                )
        return True

    @admin.action(description=_("Annehmen (nur wenn genug Plätze frei sind)"), permissions=["decide"])
    def accept(self, request, queryset):
        self._decide(request, queryset.values_list("pk", flat=True), Application.Status.ACCEPTED)

    @admin.action(description=_("Die Besten annehmen, übrige auf die Warteliste"), permissions=["decide"])
    def accept_best_waitlist_rest(self, request, queryset):
        self._decide(
            request,
            queryset.values_list("pk", flat=True),
            Application.Status.ACCEPTED,
            overflow=services.Overflow.WAITLIST_REST,
        )

    @admin.action(description=_("Auf die Warteliste setzen"), permissions=["decide"])
    def waitlist(self, request, queryset):
        self._decide(request, queryset.values_list("pk", flat=True), Application.Status.WAITLISTED)

    @admin.action(description=_("Ablehnen"), permissions=["decide"])
    def reject(self, request, queryset):
        self._decide(request, queryset.values_list("pk", flat=True), Application.Status.REJECTED)

    @admin.action(description=_("Als „in Prüfung“ markieren"), permissions=["decide"])
    def mark_in_review(self, request, queryset):
        self._decide(request, queryset.values_list("pk", flat=True), Application.Status.IN_REVIEW)

    def get_urls(self):
        return [
            path(
                "<int:pk>/entscheiden/",
                self.admin_site.admin_view(self.decide_view),
                name="applications_application_decide",
            ),
            *super().get_urls(),
        ]

    def decide_view(self, request, pk):
        application = get_object_or_404(self.get_queryset(request), pk=pk)
        if not (self.has_view_permission(request, application) and self.has_decide_permission(request)):
            raise PermissionDenied
        form = DecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            if self._decide(
                request, [application.pk], form.cleaned_data["decision"], reason=form.cleaned_data["reason"]
            ):
                return redirect("admin:applications_application_change", application.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Entscheidung über %(reference)s") % {"reference": application.reference},
            "application": application,
            "form": form,
            "free_seats": application.cohort.free_seats(),
        }
        return TemplateResponse(request, "admin/applications/application/decide.html", context)


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
