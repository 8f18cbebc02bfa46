"""The reviewers' list of applications and an application's page."""

from django.contrib import admin
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin

from cohorts.admin_scope import CohortScopedAdmin
from portal.exports.admin import BackgroundExportMixin
from portal.mail import visible_mails
from portal.web.paging import EstimatedCountPaginator

from .. import assignment, review
from ..models import Application, DeadlineExtension, ReviewAssignment, ReviewNote, Score
from ..review_selectors import review_queue, sees_all_reviews
from .decision_actions import DecisionAdminMixin
from .inlines import (
    AssignmentInline,
    ConflictInline,
    DeadlineExtensionInline,
    HistoryInline,
    MyScoreInline,
    NoteInline,
    OwnNoteInline,
    RequestInline,
    ScoreInline,
)
from .lists import (
    ApplicationResource,
    CohortFilter,
    DistrictFilter,
    ExportForm,
    HasEndorsementFilter,
    review_annotations,
    score_annotations,
)
from .workspace import WorkspaceMixin


@admin.register(Application)
class ApplicationAdmin(
    CohortScopedAdmin,
    WorkspaceMixin,
    DecisionAdminMixin,
    BackgroundExportMixin,
    ExportMixin,
    admin.ModelAdmin,
):
    resource_classes = [ApplicationResource]
    export_form_class = ExportForm
    # Narrow enough for 1366 px: the district is a filter and an export column, not a list column.
    list_display = [
        "reference",
        "applicant_name",
        "employer",
        "status",
        "submitted_on",
        "score",
        "score_count",
    ]
    list_display_links = ["reference", "applicant_name"]
    list_filter = [
        CohortFilter,
        "status",
        DistrictFilter,
        "municipality__kind",
        HasEndorsementFilter,
    ]
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
    inlines = [
        MyScoreInline,
        NoteInline,
        ScoreInline,
        AssignmentInline,
        ConflictInline,
        RequestInline,
        HistoryInline,
        DeadlineExtensionInline,
    ]
    actions = ["accept", "accept_best_waitlist_rest", "waitlist", "reject", "mark_in_review"]
    readonly_fields = [
        "reference",
        "cohort",
        "applicant_display",
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
            {"fields": ["applicant_display", "employer_with_district", "department", "position", "phone"]},
        ),
        (_("Angaben"), {"fields": ["role", "motivation", "strategy", "plans", "funding_programme"]}),
        (_("Unterstützung"), {"fields": ["supervisor_name", "supervisor_email", "endorsement_link"]}),
        (_("Datenschutz"), {"fields": ["privacy_consent_version", "privacy_consent_at"]}),
        (_("Versandte E-Mails"), {"fields": ["mails"]}),
    ]
    change_form_template = "admin/applications/application/change_form.html"

    def changelist_view(self, request, extra_context=None):
        # The list needs the width at 1366 px: without the admin's navigation column the date,
        # the mean score and the number of scores stay on screen next to the filters.
        # Not Django's "Bewerbung zur Änderung auswählen": reviewers read, score and decide here.
        context = {"is_nav_sidebar_enabled": False, "title": _("Bewerbungen prüfen und entscheiden")}
        return super().changelist_view(request, {**context, **(extra_context or {})})

    def get_queryset(self, request):
        # Drafts are the applicant's own business until they submit.
        return (
            super()
            .get_queryset(request)
            .exclude(status=Application.Status.DRAFT)
            .annotate(**score_annotations())
        )

    def get_export_queryset(self, request):
        return self.prepare_export_queryset(super().get_export_queryset(request))

    def prepare_export_queryset(self, queryset, fields=None):
        """What the exported rows need besides the list's own columns (also for export jobs, which
        read their rows by key): of the review counts, only the columns asked for, if known."""
        counts = review_annotations(fields)
        return queryset.select_related("applicant", "municipality").annotate(**counts)

    @admin.display(description=_("Name"), ordering="applicant__last_name")
    def applicant_name(self, obj):
        if obj.applicant is None:
            return _("(anonymisiert)")
        return obj.applicant.get_full_name() or obj.applicant.email

    @admin.display(description=_("Bewerber:in"))
    def applicant_display(self, obj):
        # Name and address, not a link to the account: reviewers do not manage accounts.
        if obj.applicant is None:
            return _("(anonymisiert)")
        return format_html(
            '{} &lt;<a href="mailto:{}">{}</a>&gt;',
            obj.applicant.get_full_name(),
            obj.applicant.email,
            obj.applicant.email,
        )

    @admin.display(description=_("eingereicht am"), ordering="submitted_at")
    def submitted_on(self, obj):
        if obj.submitted_at is None:
            return "–"
        return date_format(timezone.localtime(obj.submitted_at), "SHORT_DATE_FORMAT")

    @admin.display(description=_("Dienststelle"), ordering="municipality__name")
    def employer(self, obj):
        return obj.municipality.name if obj.municipality_id else obj.other_employer

    @admin.display(description=_("Dienststelle"))
    def employer_with_district(self, obj):
        return obj.employer_display

    @admin.display(description=_("Landkreis"), ordering="municipality__district")
    def district(self, obj):
        return obj.municipality.district if obj.municipality_id else "–"

    @admin.display(description=_("Summe der Mittelwerte (3–15)"), ordering="score_mean")
    def score(self, obj):
        return "–" if obj.score_mean is None else number_format(obj.score_mean, 1)

    @admin.display(description=_("Bewertungen"), ordering="score_count")
    def score_count(self, obj):
        return obj.score_count

    # In the fieldset "Unterstützung": a label short enough for the label column, which broke
    # "Unterstützungsschreiben" mid-word.
    @admin.display(description=_("Schreiben (PDF)"))
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

    def get_inline_instances(self, request, obj=None):
        """Blind review: until the reviewer has scored, the others' scores are left out and only
        their own notes shown (admins of the review always see all)."""
        inlines = super().get_inline_instances(request, obj)
        if obj is None or sees_all_reviews(request.user, obj):
            return inlines
        blind = []
        for inline in inlines:
            if isinstance(inline, ScoreInline):
                continue
            if type(inline) is NoteInline:
                inline = OwnNoteInline(self.model, self.admin_site)
            blind.append(inline)
        return blind

    def change_view(self, request, object_id, form_url="", extra_context=None):
        queue = review_queue(reviewer=request.user)
        extra = {
            "title": _("Bewerbung prüfen"),
            "queue": queue,
            "endorsement_frame": reverse("admin:applications_application_endorsement", args=[object_id])
            if str(object_id).isdigit()
            else "",
        }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

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

    def save_formset(self, request, form, formset, change):
        """The inlines' notes, scores and extension are written by ``applications.review``; the
        formset is told what was written, for the admin's change message."""
        written = {
            id(instance): self._write_inline(request, form.instance, instance)
            for instance in formset.save(commit=False)
        }
        for instance in formset.deleted_objects:
            if not isinstance(instance, ReviewAssignment):
                raise TypeError(f"no service deletes {type(instance).__name__}")
            assignment.unassign(application=form.instance, reviewer=instance.reviewer, by=request.user)
        formset.new_objects = [written.get(id(o), o) for o in formset.new_objects]
        formset.changed_objects = [(written.get(id(o), o), fields) for o, fields in formset.changed_objects]

    def _write_inline(self, request, application, instance):
        if isinstance(instance, ReviewAssignment):
            return assignment.assign(application=application, reviewer=instance.reviewer, by=request.user)
        if isinstance(instance, ReviewNote):
            return review.add_note(application=application, by=request.user, text=instance.text)
        if isinstance(instance, Score):
            return review.record_score(
                application=application,
                by=request.user,
                motivation=instance.motivation,
                relevance=instance.relevance,
                commitment=instance.commitment,
                comment=instance.comment,
                score_id=instance.pk,
            )
        if isinstance(instance, DeadlineExtension):
            return review.record_extension(
                application=application, by=request.user, until=instance.until, reason=instance.reason
            )
        raise TypeError(f"no service writes {type(instance).__name__}")
