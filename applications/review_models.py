"""The review's own records: who reviews which application, who may not, and what reviewers ask
the applicant. Imported by ``applications.models`` (Django finds models there)."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models import Municipality


class ReviewerProfile(models.Model):
    """What a reviewer declares about themselves: the municipality and district they belong to.
    They are never assigned an application from either."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Gutachter:in"),
        on_delete=models.CASCADE,
        related_name="reviewer_profile",
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("eigene Kommune"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    district = models.CharField(_("eigener Landkreis / kreisfreie Stadt"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)

    class Meta:
        verbose_name = _("Angaben zu Interessenkonflikten")
        verbose_name_plural = _("Angaben zu Interessenkonflikten")

    def __str__(self) -> str:
        return str(self.user)


class ReviewAssignment(models.Model):
    """One reviewer is to review one application."""

    application = models.ForeignKey(
        "applications.Application",
        verbose_name=_("Bewerbung"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Gutachter:in"),
        on_delete=models.PROTECT,
        related_name="review_assignments",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("zugewiesen von"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Leer: automatisch zugewiesen."),
    )
    assigned_at = models.DateTimeField(_("zugewiesen am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Zuweisung")
        verbose_name_plural = _("Zuweisungen")
        ordering = ["application", "assigned_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "reviewer"], name="one_assignment_per_reviewer")
        ]
        indexes = [models.Index(fields=["reviewer", "application"])]

    def __str__(self) -> str:
        return f"{self.application} – {self.reviewer}"


class Conflict(models.Model):
    """A reviewer declared a conflict of interest with one application: they do not review it."""

    application = models.ForeignKey(
        "applications.Application",
        verbose_name=_("Bewerbung"),
        on_delete=models.CASCADE,
        related_name="conflicts",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Gutachter:in"),
        on_delete=models.PROTECT,
        related_name="review_conflicts",
    )
    reason = models.CharField(_("Grund"), max_length=500, blank=True)
    declared_at = models.DateTimeField(_("erklärt am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Interessenkonflikt")
        verbose_name_plural = _("Interessenkonflikte")
        constraints = [
            models.UniqueConstraint(fields=["application", "reviewer"], name="one_conflict_per_reviewer")
        ]

    def __str__(self) -> str:
        return f"{self.application} – {self.reviewer}"


class InformationRequest(models.Model):
    """A reviewer's request ("Rückfrage") to the applicant to complete or clarify named fields by a
    date. While it is open, the application is open for exactly those fields."""

    application = models.ForeignKey(
        "applications.Application",
        verbose_name=_("Bewerbung"),
        on_delete=models.CASCADE,
        related_name="requests",
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gestellt von"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    fields = models.JSONField(_("Felder"), default=list)
    message = models.TextField(_("Rückfrage"), validators=[MaxLengthValidator(2000)])
    due_on = models.DateField(_("Antwort bis (einschließlich)"))
    asked_at = models.DateTimeField(_("gestellt am"), auto_now_add=True)
    answered_at = models.DateTimeField(_("beantwortet am"), null=True, blank=True)
    # What the answer changed: {field: [before, after]} as text, for the history.
    changes = models.JSONField(_("Änderungen"), default=dict, blank=True)

    class Meta:
        verbose_name = _("Rückfrage")
        verbose_name_plural = _("Rückfragen")
        ordering = ["asked_at", "pk"]

    def __str__(self) -> str:
        return _("Rückfrage zu %(application)s") % {"application": self.application}

    @property
    def is_open(self) -> bool:
        return self.answered_at is None


class RubricCriterion(models.Model):
    """What one criterion of the score means, per programme, in German and English: a
    description and an anchor text for each score from 1 to 5."""

    class Criterion(models.TextChoices):
        MOTIVATION = "motivation", _("Motivation")
        RELEVANCE = "relevance", _("Bezug zu den Vorhaben der Kommune")
        COMMITMENT = "commitment", _("Verbindlichkeit und Rückhalt")

    programme = models.ForeignKey(
        "cohorts.Programme", verbose_name=_("Programm"), on_delete=models.CASCADE, related_name="rubric"
    )
    criterion = models.CharField(_("Kriterium"), max_length=12, choices=Criterion.choices)
    description = models.TextField(_("Beschreibung"), max_length=1000)
    description_en = models.TextField(_("Beschreibung (Englisch)"), max_length=1000, blank=True)
    anchor_1 = models.CharField(_("1 Punkt bedeutet"), max_length=300)
    anchor_2 = models.CharField(_("2 Punkte bedeuten"), max_length=300)
    anchor_3 = models.CharField(_("3 Punkte bedeuten"), max_length=300)
    anchor_4 = models.CharField(_("4 Punkte bedeuten"), max_length=300)
    anchor_5 = models.CharField(_("5 Punkte bedeuten"), max_length=300)
    anchor_1_en = models.CharField(_("1 Punkt (Englisch)"), max_length=300, blank=True)
    anchor_2_en = models.CharField(_("2 Punkte (Englisch)"), max_length=300, blank=True)
    anchor_3_en = models.CharField(_("3 Punkte (Englisch)"), max_length=300, blank=True)
    anchor_4_en = models.CharField(_("4 Punkte (Englisch)"), max_length=300, blank=True)
    anchor_5_en = models.CharField(_("5 Punkte (Englisch)"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("Bewertungskriterium")
        verbose_name_plural = _("Bewertungsraster")
        ordering = ["programme", "criterion"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "criterion"], name="one_rubric_entry_per_criterion")
        ]

    def __str__(self) -> str:
        return f"{self.programme}: {self.get_criterion_display()}"
