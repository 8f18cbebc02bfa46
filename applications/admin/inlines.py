"""The parts of an application's page in the reviewers' tool: notes, scores, history, extension."""

from django import forms
from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts import roles
from portal.accounts.models import User
from portal.web.text import TextFormMixin

from .. import review
from ..assignment import declared_conflict
from ..models import (
    Conflict,
    DeadlineExtension,
    InformationRequest,
    ReviewAssignment,
    ReviewNote,
    Score,
    StatusChange,
)
from ..requests import field_labels
from ..rubric import rubric_for


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


class ReviewOpenFormSet(BaseInlineFormSet):
    """Scores and notes are taken only while the review is open: otherwise the page comes back
    with the refusal and with everything typed still in the fields."""

    def clean(self):
        super().clean()
        if any(form.has_changed() for form in self.forms):
            review.check_review_open(self.instance, at=timezone.now())


class NoteInline(admin.TabularInline):
    formset = ReviewOpenFormSet
    model = ReviewNote
    extra = 1
    can_delete = False
    fields = ["text", "author_name", "created_at"]
    readonly_fields = ["author_name", "created_at"]
    verbose_name = _("Notiz")
    verbose_name_plural = _("interne Notizen")

    def has_change_permission(self, request, obj=None):
        return False  # notes are kept as written; a correction is a new note

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")

    @admin.display(description=_("verfasst von"))
    def author_name(self, obj):
        return person(obj.author) if obj.author_id else ""


class OwnNoteInline(NoteInline):
    """Blind review, not yet scored: the reviewer sees only their own notes."""

    def get_queryset(self, request):
        return super().get_queryset(request).filter(author=request.user)


class ScoreInline(ReadOnlyInline):
    model = Score
    fields = ["reviewer_name", "motivation", "relevance", "commitment", "total", "comment", "updated_at"]
    readonly_fields = fields

    verbose_name_plural = _("Bewertungen aller Gutachter:innen")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("reviewer")

    @admin.display(description=_("Gutachter:in"))
    def reviewer_name(self, obj):
        return person(obj.reviewer)

    @admin.display(description=_("Summe"))
    def total(self, obj):
        return f"{obj.total} / 15"


class RubricRadioSelect(forms.RadioSelect):
    """The score as a radio group 1 to 5, each with what the score means (large targets)."""

    template_name = "applications/widgets/rubric_radio.html"

    def __init__(self, *args, group_label="", **kwargs):
        super().__init__(*args, **kwargs)
        self.group_label = group_label

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["group_label"] = self.group_label
        return context


def rubric_score_form(rubric):
    """A score form whose three criteria are radio groups with the rubric's anchor texts."""

    class RubricScoreForm(TextFormMixin, forms.ModelForm):
        class Meta:
            model = Score
            fields = ["motivation", "relevance", "commitment", "comment"]

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            for name, text in rubric.items():
                self.fields[name] = forms.TypedChoiceField(
                    label=text.label,
                    help_text=text.description,
                    choices=[(n, f"{n} – {anchor}") for n, anchor in text.anchors],
                    coerce=int,
                    widget=RubricRadioSelect(group_label=text.label),
                    error_messages={
                        "invalid_choice": _("Bitte wählen Sie 1 bis 5 Punkte; %(value)s ist nicht möglich."),
                        "required": _("Bitte wählen Sie 1 bis 5 Punkte."),
                    },
                )

    return RubricScoreForm


class MyScoreInline(admin.StackedInline):
    """Each reviewer edits only their own score, by the programme's rubric."""

    model = Score
    formset = ReviewOpenFormSet
    extra = 1
    max_num = 1
    can_delete = False
    fields = ["motivation", "relevance", "commitment", "comment"]
    verbose_name = _("Ihre Bewertung")
    verbose_name_plural = _("Ihre Bewertung (je Kriterium 1 bis 5 Punkte)")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(reviewer=request.user)

    def get_formset(self, request, obj=None, **kwargs):
        if obj is not None:
            kwargs["form"] = rubric_score_form(rubric_for(obj.cohort.programme))
        return super().get_formset(request, obj, **kwargs)


class HistoryInline(ReadOnlyInline):
    model = StatusChange
    fields = ["created_at", "changed_by_name", "from_status", "to_status", "reason"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by")

    @admin.display(description=_("geändert von"))
    def changed_by_name(self, obj):
        return person(obj.changed_by)


class DeadlineExtensionInline(admin.StackedInline):
    model = DeadlineExtension
    extra = 0
    max_num = 1
    fields = ["until", "reason", "granted_by_name", "granted_at"]
    readonly_fields = ["granted_by_name", "granted_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("granted_by")

    @admin.display(description=_("gewährt von"))
    def granted_by_name(self, obj):
        return person(obj.granted_by) if obj.granted_by_id else "–"


class AssignmentFormSet(BaseInlineFormSet):
    """A reviewer with a conflict is refused here, on the page, not by the service after it."""

    def clean(self):
        super().clean()
        for form in self.forms:
            reviewer = form.cleaned_data.get("reviewer") if form.has_changed() else None
            if reviewer is not None and not form.cleaned_data.get("DELETE"):
                if (
                    declared_conflict(reviewer, self.instance)
                    or self.instance.conflicts.filter(reviewer=reviewer).exists()
                ):
                    form.add_error(
                        "reviewer",
                        _("%(reviewer)s hat einen Interessenkonflikt mit dieser Bewerbung.")
                        % {"reviewer": person(reviewer)},
                    )


class AssignmentInline(admin.TabularInline):
    """Who reviews this application. An admin of the review changes it by hand (through
    ``applications.assignment``); everyone else reads it."""

    model = ReviewAssignment
    formset = AssignmentFormSet
    fk_name = "application"
    extra = 0
    fields = ["reviewer", "assigned_by_name", "assigned_at"]
    readonly_fields = ["assigned_by_name", "assigned_at"]
    verbose_name = _("Zuweisung")
    verbose_name_plural = _("Zugewiesene Gutachter:innen")

    def _manages(self, request):
        return request.user.has_perm("cohorts.manage_review")

    def has_add_permission(self, request, obj=None):
        return self._manages(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self._manages(request)

    def get_queryset(self, request):
        # The application too: each row is headed by the assignment's name, which names it.
        return super().get_queryset(request).select_related("application", "reviewer", "assigned_by")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "reviewer":
            kwargs["queryset"] = User.objects.filter(groups__name=roles.REVIEWERS, is_active=True).order_by(
                "last_name", "first_name"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("zugewiesen von"))
    def assigned_by_name(self, obj):
        if not obj.pk:
            return ""
        return person(obj.assigned_by) if obj.assigned_by_id else _("automatisch")


class ConflictInline(ReadOnlyInline):
    model = Conflict
    fields = ["reviewer_name", "reason", "declared_at"]
    readonly_fields = fields
    verbose_name_plural = _("Erklärte Interessenkonflikte")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("application", "reviewer")

    @admin.display(description=_("Gutachter:in"))
    def reviewer_name(self, obj):
        return person(obj.reviewer)


class RequestInline(ReadOnlyInline):
    """The history of Rückfragen: what was asked, by whom, by when, and what the answer changed."""

    model = InformationRequest
    fields = ["asked_at", "asked_by_name", "field_names", "message", "due_on", "answered_at", "changed"]
    readonly_fields = fields
    verbose_name_plural = _("Rückfragen an die Bewerber:in")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("application", "asked_by")

    @admin.display(description=_("gestellt von"))
    def asked_by_name(self, obj):
        return person(obj.asked_by)

    @admin.display(description=_("Angaben"))
    def field_names(self, obj):
        return ", ".join(field_labels(obj.fields))

    @admin.display(description=_("geändert"))
    def changed(self, obj):
        return ", ".join(field_labels(list(obj.changes))) or "–"
