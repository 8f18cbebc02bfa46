"""The parts of an application's page in the reviewers' tool: notes, scores, history, extension."""

from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import review
from ..models import DeadlineExtension, ReviewNote, Score, StatusChange


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
    formset = ReviewOpenFormSet
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
