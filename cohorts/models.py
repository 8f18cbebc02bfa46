"""The programme, its cohorts (Schulungsdurchgänge) and the seats in them."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.models import Municipality, State, portal_state
from portal.web.i18n import in_active_language

BERLIN = ZoneInfo("Europe/Berlin")


class Programme(models.Model):
    slug = models.SlugField(_("Kürzel"), unique=True)
    title = models.CharField(_("Titel"), max_length=200)
    reference_prefix = models.CharField(
        _("Präfix für Aktenzeichen"), max_length=10, default="SCM", help_text=_("z. B. SCM für SCM-3-0042")
    )
    summary = models.TextField(_("Kurzbeschreibung"), blank=True)
    state = models.CharField(
        _("Land"),
        max_length=2,
        choices=State.choices,
        default=portal_state,
        help_text=_("Bewerben können sich Beschäftigte der Kommunen dieses Landes."),
    )
    blind_review = models.BooleanField(
        _("verdeckt bewerten"),
        default=False,
        help_text=_(
            "Gutachter:innen sehen die Bewertungen und Notizen der anderen erst, nachdem sie selbst "
            "bewertet haben."
        ),
    )
    max_district_share = models.PositiveSmallIntegerField(
        _("Höchstanteil eines Landkreises an den Plätzen (%)"),
        default=40,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Die Vorschau einer Entscheidung warnt, wenn ein Landkreis mehr Plätze erhielte."),
    )

    class Meta:
        verbose_name = _("Programm")
        verbose_name_plural = _("Programme")

    def __str__(self) -> str:
        return self.title


class CohortQuerySet(models.QuerySet):
    def accepting_applications(self, at: dt.datetime):
        """Cohorts whose application window contains the instant ``at``."""
        last_day = at.astimezone(BERLIN).date()
        return self.filter(applications_open_at__lte=at, applications_close_on__gte=last_day)


class ReviewPhase(models.TextChoices):
    """A cohort's review runs through these phases, in this order; an admin moves it on."""

    OPEN = "open", _("Bewerbung offen")
    REVIEW = "review", _("Prüfung")
    DECISION = "decision", _("Entscheidung")
    CLOSED = "closed", _("abgeschlossen")


PHASE_ORDER = [ReviewPhase.OPEN, ReviewPhase.REVIEW, ReviewPhase.DECISION, ReviewPhase.CLOSED]


class Cohort(models.Model):
    """One run of the qualification (Schulungsdurchgang) with its application window and the
    phases of its review."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("Programm"), on_delete=models.PROTECT, related_name="cohorts"
    )
    number = models.PositiveSmallIntegerField(_("Nummer"))
    title = models.CharField(_("Titel"), max_length=200)
    title_en = models.CharField(
        _("Titel (Englisch)"),
        max_length=200,
        blank=True,
        help_text=_("Für die englische Oberfläche und E-Mails; leer bleibt der deutsche Titel."),
    )
    start_date = models.DateField(_("Beginn"))
    end_date = models.DateField(_("Ende"))
    applications_open_at = models.DateTimeField(_("Bewerbung möglich ab"))
    applications_close_on = models.DateField(
        _("Bewerbungsschluss (einschließlich)"),
        help_text=_("Bewerbungen sind bis zum Ende dieses Tages (Zeitzone Europe/Berlin) möglich."),
    )
    seats = models.PositiveSmallIntegerField(_("Plätze"), default=15)
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Koordinator:innen"),
        blank=True,
        related_name="coordinated_cohorts",
    )
    review_phase = models.CharField(
        _("Phase der Prüfung"), max_length=10, choices=ReviewPhase.choices, default=ReviewPhase.OPEN
    )
    review_phase_since = models.DateTimeField(_("Phase seit"), null=True, blank=True)
    review_ends_on = models.DateField(
        _("Prüfung bis (einschließlich)"),
        null=True,
        blank=True,
        help_text=_("Bewertungen sind bis zum Ende dieses Tages (Europe/Berlin) möglich."),
    )
    decision_ends_on = models.DateField(_("Entscheidung bis (einschließlich)"), null=True, blank=True)
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Gutachter:innen"),
        blank=True,
        related_name="reviewed_cohorts",
        help_text=_("Leer: alle aktiven Mitglieder der Gruppe der Gutachter:innen."),
    )
    reviewers_per_application = models.PositiveSmallIntegerField(
        _("Gutachter:innen je Bewerbung"), default=2, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )

    objects = CohortQuerySet.as_manager()

    class Meta:
        verbose_name = _("Schulungsdurchgang")
        verbose_name_plural = _("Schulungsdurchgänge")
        permissions = [
            ("manage_review", _("Kann die Prüfung leiten (Phasen, Zuweisungen, alle Bewertungen)"))
        ]
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="cohort_number_unique"),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="cohort_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(seats__gt=0), name="cohort_has_seats"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {_('Schulungsdurchgang')}"

    @property
    def localized_title(self) -> str:
        """The title in the active language (the German one where no English title is given)."""
        return in_active_language(self.title, self.title_en)

    @property
    def applications_close_at(self) -> dt.datetime:
        """The first instant at which applications are no longer accepted (exclusive end).

        "Bis einschließlich 4. Oktober" closes at midnight after that day in Europe/Berlin,
        whether that is summer or winter time.
        """
        next_day = self.applications_close_on + dt.timedelta(days=1)
        return dt.datetime.combine(next_day, dt.time.min, tzinfo=BERLIN)

    def accepts_applications(self, at: dt.datetime) -> bool:
        """The one rule for the application window; every write path asks it."""
        return self.applications_open_at <= at < self.applications_close_at

    @property
    def review_closes_at(self) -> dt.datetime | None:
        """The first instant at which scores are no longer accepted (the end of ``review_ends_on``
        in Europe/Berlin), or None when the review has no end date."""
        if self.review_ends_on is None:
            return None
        return dt.datetime.combine(self.review_ends_on + dt.timedelta(days=1), dt.time.min, tzinfo=BERLIN)

    def accepts_reviews(self, at: dt.datetime) -> bool:
        """The one rule for scores and notes: in the phase "Prüfung" and before its end date."""
        closes = self.review_closes_at
        return self.review_phase == ReviewPhase.REVIEW and (closes is None or at < closes)

    def accepts_decisions(self) -> bool:
        """Decisions are taken only in the phase "Entscheidung"."""
        return self.review_phase == ReviewPhase.DECISION

    @property
    def phase_ends_on(self) -> dt.date | None:
        """The end date of the current phase, where it has one."""
        return {
            ReviewPhase.OPEN: self.applications_close_on,
            ReviewPhase.REVIEW: self.review_ends_on,
            ReviewPhase.DECISION: self.decision_ends_on,
        }.get(self.review_phase)

    def free_seats(self) -> int:
        """Seats neither offered nor confirmed. Callers that fill seats hold a lock on this cohort."""
        return self.seats - self.enrollments.holding_seats().count()


class EnrollmentQuerySet(models.QuerySet):
    def holding_seats(self):
        """Offered or confirmed places: these count against the cohort's seats."""
        return self.filter(state__in=[Enrollment.State.OFFERED, Enrollment.State.CONFIRMED])

    def confirmed(self):
        return self.filter(state=Enrollment.State.CONFIRMED)


class Enrollment(models.Model):
    """A participant's seat in a cohort: offered after acceptance, then confirmed or declined."""

    class State(models.TextChoices):
        OFFERED = "offered", _("angeboten")
        CONFIRMED = "confirmed", _("bestätigt")
        DECLINED = "declined", pgettext_lazy("offered seat", "ausgeschlagen")

    cohort = models.ForeignKey(
        Cohort, verbose_name=_("Schulungsdurchgang"), on_delete=models.PROTECT, related_name="enrollments"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Teilnehmer:in"),
        on_delete=models.PROTECT,
        related_name="enrollments",
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("Kommune"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enrollments",
    )
    state = models.CharField(_("Stand"), max_length=10, choices=State.choices, default=State.CONFIRMED)
    respond_by = models.DateField(_("Rückmeldung bis (einschließlich)"), null=True, blank=True)
    responded_at = models.DateTimeField(_("Rückmeldung am"), null=True, blank=True)
    created_at = models.DateTimeField(_("eingeschrieben am"), auto_now_add=True)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("Teilnahme")
        verbose_name_plural = _("Teilnahmen")
        ordering = ["cohort", "user__last_name", "user__first_name"]
        constraints = [models.UniqueConstraint(fields=["cohort", "user"], name="enrollment_once_per_cohort")]
        indexes = [
            models.Index(fields=["cohort", "state"]),
            # The offer reminder looks up the few open offers due on one day.
            models.Index(
                fields=["respond_by"], condition=Q(state="offered"), name="enrollment_open_offer_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.cohort}"
