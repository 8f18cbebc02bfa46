"""The reviewers' tool: MIL Referat 22 reads, notes, scores and decides applications here."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Avg, Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.admin import ExportMixin
from import_export.forms import SelectableFieldsExportForm

from cohorts.models import Cohort
from cohorts.selectors import PROGRAMME_SLUG, programme_municipalities
from portal.mail import visible_mails
from portal.web.paging import EstimatedCountPaginator
from portal.web.spreadsheets import StreamingExportMixin
from portal.web.text import TextFormMixin

from . import decisions
from .mails import PLACEHOLDERS, check_template_source, decision_context, render_decision
from .models import Application, DeadlineExtension, MailTemplate, ReviewNote, Score, StatusChange
from .selectors import cohort_in_review


class ApplicationResource(resources.ModelResource):
    """The export of the filtered list: what a reviewer reads, never the uploaded files."""

    reference = fields.Field(attribute="reference", column_name=_("Aktenzeichen"))
    name = fields.Field(attribute="applicant__get_full_name", column_name=_("Name"))
    email = fields.Field(attribute="applicant__email", column_name=_("E-Mail"))
    employer = fields.Field(attribute="employer_display", column_name=_("Dienststelle"))
    district = fields.Field(attribute="municipality__district", column_name=_("Landkreis"))
    kind = fields.Field(attribute="municipality__get_kind_display", column_name=_("Art der Kommune"))
    status = fields.Field(attribute="get_status_display", column_name=_("Status"))
    # Numbers stay numbers in XLSX; text is kept from becoming a formula by portal.web.spreadsheets.
    score_mean = fields.Field(
        attribute="score_mean", column_name=_("Punkte (Mittel)"), widget=widgets.FloatWidget()
    )
    score_count = fields.Field(
        attribute="score_count", column_name=_("Bewertungen"), widget=widgets.IntegerWidget()
    )

    @classmethod
    def field_from_django_field(cls, field_name, django_field, readonly):
        # Columns taken from the model are headed by the field's German name, not its code name.
        field = super().field_from_django_field(field_name, django_field, readonly)
        field.column_name = capfirst(django_field.verbose_name)
        return field

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


class ExportForm(TextFormMixin, SelectableFieldsExportForm):
    """The export page's column choice, labelled as the columns are headed."""

    def _get_field_label(self, resource, field_name):
        field = resource.fields.get(field_name)
        return str(field.column_name) if field else field_name


class CohortFilter(admin.SimpleListFilter):
    """By cohort, and without a choice the cohort in review (never all cohorts mixed unasked)."""

    title = _("Schulungsdurchgang")
    parameter_name = "durchgang"
    ALL = "alle"

    def lookups(self, request, model_admin):
        # The portal's programme's cohorts: where one database holds several states' programmes,
        # the others' are not listed (all of them stay one click away, under "alle Durchgänge").
        cohorts = Cohort.objects.filter(programme__slug=PROGRAMME_SLUG).order_by(
            "-applications_open_at", "-pk"
        )
        return [(str(c.pk), c.localized_title) for c in cohorts] + [(self.ALL, _("alle Durchgänge"))]

    @cached_property
    def _keys(self) -> set[str]:
        return {key for key, _label in self.lookup_choices}

    def value(self):
        chosen = super().value()
        if chosen in self._keys:
            return chosen
        if not hasattr(self, "_default"):
            cohort = cohort_in_review(at=timezone.now())
            self._default = str(cohort.pk) if cohort else self.ALL
        return self._default

    def queryset(self, request, queryset):
        if self.value() == self.ALL:
            return queryset
        return queryset.filter(cohort_id=self.value())

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class DistrictFilter(admin.SimpleListFilter):
    """By district of the programme's state (by the municipalities' state index), not every
    district of every state the municipality table holds."""

    title = _("Landkreis / kreisfreie Stadt")
    parameter_name = "municipality__district"

    def lookups(self, request, model_admin):
        districts = (
            programme_municipalities().values_list("district", flat=True).distinct().order_by("district")
        )
        return [(district, district) for district in districts]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(municipality__district=self.value())
        return queryset


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


def person(user) -> str:
    """A colleague's name as text: reviewers have no access to the account admin a link would open."""
    if user is None:
        return "–"
    return user.get_full_name() or user.email


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
    fields = ["text", "author_name", "created_at"]
    readonly_fields = ["author_name", "created_at"]
    verbose_name = _("Notiz")
    verbose_name_plural = _("interne Notizen")

    def has_change_permission(self, request, obj=None):
        return False  # notes are kept as written; a correction is a new note

    @admin.display(description=_("verfasst von"))
    def author_name(self, obj):
        return person(obj.author) if obj.author_id else ""


class ScoreInline(ReadOnlyInline):
    model = Score
    fields = ["reviewer_name", "motivation", "relevance", "commitment", "total", "comment", "updated_at"]
    readonly_fields = fields

    @admin.display(description=_("Gutachter:in"))
    def reviewer_name(self, obj):
        return person(obj.reviewer)

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
    fields = ["created_at", "changed_by_name", "from_status", "to_status", "reason"]
    readonly_fields = fields

    @admin.display(description=_("geändert von"))
    def changed_by_name(self, obj):
        return person(obj.changed_by)


class DeadlineExtensionInline(admin.StackedInline):
    model = DeadlineExtension
    extra = 0
    max_num = 1
    fields = ["until", "reason", "granted_by_name", "granted_at"]
    readonly_fields = ["granted_by_name", "granted_at"]

    @admin.display(description=_("gewährt von"))
    def granted_by_name(self, obj):
        return person(obj.granted_by) if obj.granted_by_id else "–"


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
class ApplicationAdmin(StreamingExportMixin, ExportMixin, admin.ModelAdmin):
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
    inlines = [NoteInline, MyScoreInline, ScoreInline, HistoryInline, DeadlineExtensionInline]
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
        return super().changelist_view(request, {"is_nav_sidebar_enabled": False, **(extra_context or {})})

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

    @admin.display(description=_("Punkte (Mittel)"), ordering="score_mean")
    def score(self, obj):
        return "–" if obj.score_mean is None else number_format(obj.score_mean, 1)

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
    # Every decision is shown before it is made: what happens to whom, who is unscored, how many
    # mails go out. The confirmation carries the preview's fingerprint, and ``decisions.decide``
    # acts only if its own plan (the same function, under its locks) still has that fingerprint.

    def _decide(self, request, ids, decision, *, reason="", overflow=decisions.Overflow.REFUSE, confirmed):
        if not self.has_decide_permission(request):
            raise PermissionDenied
        result = decisions.decide(
            application_ids=list(ids),
            decision=decision,
            by=request.user,
            at=timezone.now(),
            reason=reason,
            overflow=overflow,
            confirmed=confirmed,
        )
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

    def _confirmation(self, request, *, ids, decision, overflow, hidden, back_url, reason="", error=None):
        plan = decisions.preview_decision(
            application_ids=list(ids), decision=decision, overflow=overflow, at=timezone.now()
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Entscheidung prüfen und bestätigen"),
            "plan": plan,
            "decision_label": Application.Status(decision).label,
            "reason": reason,
            "hidden": hidden,
            "back_url": back_url,
            "error": error,
            "counts": [
                (Application.Status(status).label, len(plan.to(status)))
                for status in [
                    Application.Status.ACCEPTED,
                    Application.Status.WAITLISTED,
                    Application.Status.REJECTED,
                    Application.Status.IN_REVIEW,
                ]
                if plan.to(status) or status in DECISION_COUNTS[decision]
            ],
        }
        return TemplateResponse(request, "admin/applications/application/decide_confirm.html", context)

    def _action(self, request, queryset, decision, *, overflow=decisions.Overflow.REFUSE):
        if not self.has_decide_permission(request):
            raise PermissionDenied
        ids = list(queryset.values_list("pk", flat=True))
        error = None
        if request.POST.get("confirmed"):
            try:
                self._decide(request, ids, decision, overflow=overflow, confirmed=request.POST["confirmed"])
                return None  # back to the list, with the messages
            except ValidationError as exc:
                error = " ".join(exc.messages)
        hidden = [("action", request.POST.get("action", "")), *((ACTION_CHECKBOX_NAME, pk) for pk in ids)]
        return self._confirmation(
            request,
            ids=ids,
            decision=decision,
            overflow=overflow,
            hidden=hidden,
            back_url=request.get_full_path(),
            error=error,
        )

    @admin.action(description=_("Annehmen (nur wenn genug Plätze frei sind)"), permissions=["decide"])
    def accept(self, request, queryset):
        return self._action(request, queryset, Application.Status.ACCEPTED)

    @admin.action(description=_("Die Besten annehmen, übrige auf die Warteliste"), permissions=["decide"])
    def accept_best_waitlist_rest(self, request, queryset):
        return self._action(
            request, queryset, Application.Status.ACCEPTED, overflow=decisions.Overflow.WAITLIST_REST
        )

    @admin.action(description=_("Auf die Warteliste setzen"), permissions=["decide"])
    def waitlist(self, request, queryset):
        return self._action(request, queryset, Application.Status.WAITLISTED)

    @admin.action(description=_("Ablehnen"), permissions=["decide"])
    def reject(self, request, queryset):
        return self._action(request, queryset, Application.Status.REJECTED)

    @admin.action(description=_("Als „in Prüfung“ markieren"), permissions=["decide"])
    def mark_in_review(self, request, queryset):
        return self._action(request, queryset, Application.Status.IN_REVIEW)

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
            decision, reason = form.cleaned_data["decision"], form.cleaned_data["reason"]
            error = None
            if request.POST.get("confirmed"):
                try:
                    self._decide(
                        request,
                        [application.pk],
                        decision,
                        reason=reason,
                        confirmed=request.POST["confirmed"],
                    )
                    return redirect("admin:applications_application_change", application.pk)
                except ValidationError as exc:
                    error = " ".join(exc.messages)
            return self._confirmation(
                request,
                ids=[application.pk],
                decision=decision,
                overflow=decisions.Overflow.REFUSE,
                hidden=[("decision", decision), ("reason", reason)],
                back_url=request.path,
                reason=reason,
                error=error,
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Entscheidung über %(reference)s") % {"reference": application.reference},
            "application": application,
            "form": form,
            "free_seats": application.cohort.free_seats(),
        }
        return TemplateResponse(request, "admin/applications/application/decide.html", context)


# Which counts the confirmation shows even when they are zero.
DECISION_COUNTS = {
    Application.Status.ACCEPTED: {Application.Status.ACCEPTED, Application.Status.WAITLISTED},
    Application.Status.WAITLISTED: {Application.Status.WAITLISTED},
    Application.Status.REJECTED: {Application.Status.REJECTED},
    Application.Status.IN_REVIEW: {Application.Status.IN_REVIEW},
}


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
