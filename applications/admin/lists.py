"""What the reviewers' list shows and exports: its filters, the export's columns and the scores
as subqueries of the listed rows."""

from django.contrib import admin
from django.db.models import Avg, Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.forms import SelectableFieldsExportForm

from cohorts.models import Cohort
from cohorts.selectors import programme_municipalities, programme_slug
from portal.models import Municipality
from portal.web.text import TextFormMixin

from ..models import Application, Conflict, InformationRequest, ReviewAssignment, Score
from ..selectors import cohort_in_review
from .export_rows import row_reader


class ChoiceLabel(fields.Field):
    """A choice's label, from a table made once per language, instead of Django's
    ``get_FOO_display``, which builds and translates the whole list of choices again for every
    cell (most of an export's time at 100,000 rows). The same text, and the stored value where it
    is no choice."""

    def __init__(self, *, choices, **kwargs):
        super().__init__(**kwargs)
        self.choices = choices
        self._labels: dict[str, dict] = {}

    def get_value(self, instance):
        return self.label(super().get_value(instance))

    def label(self, value):
        """The label of a stored value (the stored value where it is no choice; None stays None)."""
        if value is None:
            return None
        language = get_language()
        labels = self._labels.get(language)
        if labels is None:
            labels = self._labels[language] = {key: str(label) for key, label in self.choices}
        return labels.get(value, value)


class ApplicationResource(resources.ModelResource):
    """The export of the filtered list: what a reviewer reads, never the uploaded files."""

    reference = fields.Field(attribute="reference", column_name=_("Aktenzeichen"))
    name = fields.Field(attribute="applicant__get_full_name", column_name=_("Name"))
    email = fields.Field(attribute="applicant__email", column_name=_("E-Mail"))
    employer = fields.Field(attribute="employer_display", column_name=_("Dienststelle"))
    district = fields.Field(attribute="municipality__district", column_name=_("Landkreis"))
    kind = ChoiceLabel(
        attribute="municipality__kind", choices=Municipality.Kind.choices, column_name=_("Art der Kommune")
    )
    status = ChoiceLabel(attribute="status", choices=Application.Status.choices, column_name=_("Status"))
    # Numbers stay numbers in XLSX; text is kept from becoming a formula by portal.web.spreadsheets.
    score_mean = fields.Field(
        attribute="score_mean", column_name=_("Summe der Mittelwerte (3–15)"), widget=widgets.FloatWidget()
    )
    score_count = fields.Field(
        attribute="score_count", column_name=_("Bewertungen"), widget=widgets.IntegerWidget()
    )

    # Counts from subqueries, so that the streamed export stays at a fixed number of queries.
    reviewers = fields.Field(
        attribute="assigned_count",
        column_name=_("Zugewiesene Gutachter:innen"),
        widget=widgets.IntegerWidget(),
    )
    conflicts = fields.Field(
        attribute="conflict_count", column_name=_("Interessenkonflikte"), widget=widgets.IntegerWidget()
    )
    requests = fields.Field(
        attribute="open_request_count", column_name=_("Rückfragen (offen)"), widget=widgets.IntegerWidget()
    )

    def row_reader(self, selected_fields=None, *, native: bool):
        """The same cells read as plain rows (see ``export_rows``), or None."""
        return row_reader(self, selected_fields, native=native)

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
            "reviewers",
            "conflicts",
            "requests",
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
        cohorts = Cohort.objects.filter(programme__slug=programme_slug()).order_by(
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


def _count(queryset) -> Coalesce:
    return Coalesce(
        Subquery(queryset.order_by().values("application").annotate(n=Count("pk")).values("n")), 0
    )


# The export's review columns and the annotation each reads.
REVIEW_COLUMNS = {
    "reviewers": "assigned_count",
    "conflicts": "conflict_count",
    "requests": "open_request_count",
}


def review_annotations(fields=None) -> dict:
    """Assigned reviewers, declared conflicts and open Rückfragen of each exported row; with
    ``fields``, only those of the columns asked for (each is a subquery per row)."""
    every = {
        "assigned_count": _count(ReviewAssignment.objects.filter(application=OuterRef("pk"))),
        "conflict_count": _count(Conflict.objects.filter(application=OuterRef("pk"))),
        "open_request_count": _count(
            InformationRequest.objects.filter(application=OuterRef("pk"), answered_at__isnull=True)
        ),
    }
    if fields is None:
        return every
    wanted = {REVIEW_COLUMNS[name] for name in fields if name in REVIEW_COLUMNS}
    return {name: expression for name, expression in every.items() if name in wanted}
