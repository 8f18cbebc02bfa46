"""Applications for a cohort: a draft that becomes a submitted application and then a decision."""

import uuid

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cohorts.models import Cohort, Enrollment
from portal.models import Municipality

MOTIVATION_MAX = 2000
LONG_TEXT_MAX = 1500


def endorsement_path(instance, filename: str) -> str:
    # The uploaded name never reaches the file system. MEDIA_ROOT has no URL: uploads are
    # served only through permission-checked views.
    return f"private/endorsements/{uuid.uuid4().hex}.pdf"


# Fields an applicant fills in; everything else is set by the portal.
APPLICANT_FIELDS = [
    "municipality",
    "other_employer",
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
]


class Application(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        SUBMITTED = "submitted", _("eingereicht")
        IN_REVIEW = "in_review", _("in Prüfung")
        ACCEPTED = "accepted", _("angenommen")
        WAITLISTED = "waitlisted", _("Warteliste")
        REJECTED = "rejected", _("abgelehnt")
        WITHDRAWN = "withdrawn", _("zurückgezogen")

    class Strategy(models.TextChoices):
        YES = "yes", _("Ja, eine Strategie liegt vor")
        IN_PROGRESS = "in_progress", _("Sie wird gerade erarbeitet")
        PLANNED = "planned", _("Sie ist geplant")
        NO = "no", _("Nein")

    cohort = models.ForeignKey(
        Cohort, verbose_name=_("Schulungsdurchgang"), on_delete=models.PROTECT, related_name="applications"
    )
    # Empty only once the application is anonymised (see applications/privacy.py).
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Bewerber:in"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    status = models.CharField(_("Status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    sequence = models.PositiveIntegerField(_("laufende Nummer"), null=True, blank=True, editable=False)
    reference = models.CharField(_("Aktenzeichen"), max_length=30, blank=True, editable=False)

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("Kommune"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    other_employer = models.CharField(_("andere öffentliche Stelle"), max_length=200, blank=True)
    department = models.CharField(_("Organisationseinheit"), max_length=200, blank=True)
    position = models.CharField(_("Funktion"), max_length=200, blank=True)
    phone = models.CharField(_("Telefon"), max_length=40, blank=True)
    role = models.TextField(
        _("Ihre Rolle in Digitalisierung und Stadtentwicklung"),
        blank=True,
        validators=[MaxLengthValidator(LONG_TEXT_MAX)],
    )
    motivation = models.TextField(
        _("Motivation"), blank=True, validators=[MaxLengthValidator(MOTIVATION_MAX)]
    )
    strategy = models.CharField(
        _("Smart-City- oder Digitalstrategie"), max_length=12, choices=Strategy.choices, blank=True
    )
    plans = models.TextField(
        _("Vorhaben Ihrer Kommune"), blank=True, validators=[MaxLengthValidator(LONG_TEXT_MAX)]
    )
    funding_programme = models.CharField(_("Förderprogramm"), max_length=200, blank=True)
    supervisor_name = models.CharField(_("Vorgesetzte:r: Name"), max_length=200, blank=True)
    supervisor_email = models.EmailField(_("Vorgesetzte:r: E-Mail-Adresse"), blank=True)
    endorsement = models.FileField(_("Unterstützungsschreiben"), upload_to=endorsement_path, blank=True)
    endorsement_name = models.CharField(_("Dateiname des Schreibens"), max_length=120, blank=True)
    endorsement_size = models.PositiveIntegerField(_("Größe des Schreibens"), null=True, blank=True)
    privacy_consent_version = models.CharField(
        _("Fassung der Datenschutzhinweise"), max_length=20, blank=True
    )
    privacy_consent_at = models.DateTimeField(_("Einwilligung am"), null=True, blank=True)
    # A draft keeps what was typed even where it is not valid yet: the raw text by field name, the
    # field itself left empty. Submitting stays impossible while this holds anything.
    invalid_input = models.JSONField(_("noch zu korrigierende Eingaben"), default=dict, blank=True)

    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("zuletzt gespeichert am"), auto_now=True)
    submitted_at = models.DateTimeField(_("eingereicht am"), null=True, blank=True)
    decided_at = models.DateTimeField(_("entschieden am"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("zurückgezogen am"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymisiert am"), null=True, blank=True, editable=False)
    enrollment = models.OneToOneField(
        Enrollment,
        verbose_name=_("Platz"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="application",
    )

    class Meta:
        verbose_name = _("Bewerbung")
        verbose_name_plural = _("Bewerbungen")
        permissions = [("decide_application", _("Kann über Bewerbungen entscheiden"))]
        ordering = ["cohort", "sequence", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "applicant"], name="one_application_per_cohort"),
            models.UniqueConstraint(fields=["cohort", "sequence"], name="gapless_sequence_per_cohort"),
            models.CheckConstraint(
                # A draft has no number yet; a draft withdrawn before submission never gets one.
                condition=Q(status="draft")
                | Q(status="withdrawn", submitted_at__isnull=True)
                | Q(sequence__isnull=False, submitted_at__isnull=False),
                name="submitted_application_has_number",
            ),
        ]
        indexes = [
            models.Index(fields=["status"]),
            # Retention anonymises every application that did not lead to a seat once; the
            # nightly run reads only those not yet anonymised, cohort by cohort. The statuses are
            # applications.privacy.UNSUCCESSFUL (a test keeps the two equal).
            models.Index(
                fields=["cohort"],
                condition=Q(
                    anonymised_at__isnull=True,
                    status__in=["rejected", "withdrawn", "waitlisted", "submitted", "in_review"],
                ),
                name="application_to_anonymise_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.reference or _("Entwurf von %(name)s") % {"name": self.applicant}

    @property
    def employer_display(self) -> str:
        return str(self.municipality) if self.municipality_id else self.other_employer

    @property
    def granted_extension(self) -> "DeadlineExtension | None":
        """The individual deadline extension, if one was granted (no query when it was loaded with
        ``select_related("extension")``)."""
        try:
            return self.extension
        except DeadlineExtension.DoesNotExist:
            return None

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def can_withdraw(self) -> bool:
        return self.status in {self.Status.DRAFT, self.Status.SUBMITTED, self.Status.IN_REVIEW}


class DeadlineExtension(models.Model):
    """A reviewer lets one applicant finish after the cohort's deadline."""

    application = models.OneToOneField(
        Application, verbose_name=_("Bewerbung"), on_delete=models.CASCADE, related_name="extension"
    )
    until = models.DateTimeField(_("verlängert bis"))
    reason = models.TextField(_("Begründung"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("gewährt von"), on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(_("gewährt am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Fristverlängerung")
        verbose_name_plural = _("Fristverlängerungen")

    def __str__(self) -> str:
        return _("bis %(until)s") % {"until": self.until}


DECIDABLE = {
    Application.Status.ACCEPTED: {
        Application.Status.SUBMITTED,
        Application.Status.IN_REVIEW,
        Application.Status.WAITLISTED,
    },
    Application.Status.WAITLISTED: {Application.Status.SUBMITTED, Application.Status.IN_REVIEW},
    Application.Status.REJECTED: {
        Application.Status.SUBMITTED,
        Application.Status.IN_REVIEW,
        Application.Status.WAITLISTED,
    },
    Application.Status.IN_REVIEW: {Application.Status.SUBMITTED},
}


class ReviewNote(models.Model):
    """An internal note of a reviewer; applicants never see it."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="notes", verbose_name=_("Bewerbung")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("verfasst von")
    )
    text = models.TextField(_("Notiz"), validators=[MaxLengthValidator(4000)])
    created_at = models.DateTimeField(_("am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Notiz")
        verbose_name_plural = _("interne Notizen")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return _("Notiz von %(author)s") % {"author": self.author}


SCORE_RANGE = [MinValueValidator(1), MaxValueValidator(5)]


class Score(models.Model):
    """One reviewer's rating of an application on the programme's rubric (1 to 5 each)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="scores", verbose_name=_("Bewerbung")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("Gutachter:in")
    )
    motivation = models.PositiveSmallIntegerField(_("Motivation"), validators=SCORE_RANGE)
    relevance = models.PositiveSmallIntegerField(
        _("Bezug zu den Vorhaben der Kommune"), validators=SCORE_RANGE
    )
    commitment = models.PositiveSmallIntegerField(_("Verbindlichkeit und Rückhalt"), validators=SCORE_RANGE)
    comment = models.CharField(_("Begründung"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("bewertet am"), auto_now=True)

    class Meta:
        verbose_name = _("Bewertung")
        verbose_name_plural = _("Bewertungen")
        constraints = [
            models.UniqueConstraint(fields=["application", "reviewer"], name="one_score_per_reviewer"),
            models.CheckConstraint(
                condition=Q(
                    motivation__gte=1,
                    motivation__lte=5,
                    relevance__gte=1,
                    relevance__lte=5,
                    commitment__gte=1,
                    commitment__lte=5,
                ),
                name="score_within_rubric",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.total} / 15"

    @property
    def total(self) -> int:
        return self.motivation + self.relevance + self.commitment


class StatusChange(models.Model):
    """The history of every status change: who, when, from, to, why."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("Bewerbung")
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("geändert von"),
    )
    from_status = models.CharField(_("von"), max_length=12, choices=Application.Status.choices)
    to_status = models.CharField(_("nach"), max_length=12, choices=Application.Status.choices)
    reason = models.TextField(_("Begründung"), blank=True)
    created_at = models.DateTimeField(_("am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Statusänderung")
        verbose_name_plural = _("Verlauf")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class MailTemplate(models.Model):
    """Editable text of a decision mail, per language. Django template syntax with the
    placeholders listed in the admin."""

    class Kind(models.TextChoices):
        ACCEPTED = "accepted", _("Zusage")
        WAITLISTED = "waitlisted", _("Warteliste")
        REJECTED = "rejected", _("Absage")
        PROMOTED = "promoted", _("Nachrücken von der Warteliste")

    kind = models.CharField(_("Art"), max_length=12, choices=Kind.choices)
    language = models.CharField(_("Sprache"), max_length=2, choices=settings.LANGUAGES)
    subject = models.CharField(_("Betreff"), max_length=200)
    body = models.TextField(_("Text"))
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)

    class Meta:
        verbose_name = _("E-Mail-Vorlage")
        verbose_name_plural = _("E-Mail-Vorlagen")
        ordering = ["kind", "language"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "language"], name="one_template_per_kind_language")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.language})"


from .review_models import (  # noqa: E402
    Conflict,
    InformationRequest,
    ReviewAssignment,
    ReviewerProfile,
    RubricCriterion,
)

__all__ = [
    "Application",
    "Conflict",
    "DeadlineExtension",
    "InformationRequest",
    "MailTemplate",
    "ReviewAssignment",
    "ReviewerProfile",
    "RubricCriterion",
    "ReviewNote",
    "Score",
    "StatusChange",
]
