"""The theme modules of the programme."""

import datetime as dt
import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from cohorts.models import Cohort, Enrollment, Programme
from portal.web.i18n import in_active_language


class Module(models.Model):
    """One of the programme's theme modules, in the order in which they are taught."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("Programm"), on_delete=models.PROTECT, related_name="modules"
    )
    position = models.PositiveSmallIntegerField(_("Reihenfolge"))
    title = models.CharField(_("Titel"), max_length=200)
    title_en = models.CharField(_("Titel (englisch)"), max_length=200, blank=True)
    description = models.TextField(_("Inhalte"), blank=True)
    description_en = models.TextField(_("Inhalte (englisch)"), blank=True)
    task = models.TextField(_("Praxisaufgabe"), blank=True)
    task_en = models.TextField(_("Praxisaufgabe (englisch)"), blank=True)

    class Meta:
        verbose_name = _("Themenmodul")
        verbose_name_plural = _("Themenmodule")
        ordering = ["programme", "position"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "position"], name="module_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"

    @property
    def localized_title(self) -> str:
        return in_active_language(self.title, self.title_en)

    @property
    def localized_description(self) -> str:
        return in_active_language(self.description, self.description_en)

    @property
    def localized_task(self) -> str:
        return in_active_language(self.task, self.task_en)


def _private_path(folder: str, filename: str) -> str:
    """A random name under a folder of MEDIA_ROOT, which has no public URL."""
    return f"private/{folder}/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


def material_path(instance, filename: str) -> str:
    return _private_path("materials", filename)


def task_path(instance, filename: str) -> str:
    return _private_path("tasks", filename)


class Session(models.Model):
    """One online session of a module for a cohort."""

    cohort = models.ForeignKey(
        Cohort, verbose_name=_("Schulungsdurchgang"), on_delete=models.CASCADE, related_name="sessions"
    )
    module = models.ForeignKey(
        Module, verbose_name=_("Modul"), on_delete=models.PROTECT, related_name="sessions"
    )
    starts_at = models.DateTimeField(_("Beginn"))
    ends_at = models.DateTimeField(_("Ende"))
    meeting_url = models.URLField(_("Link zum Online-Raum"), blank=True)
    trainer = models.CharField(_("Referent:in"), max_length=200, blank=True)
    description = models.TextField(_("Beschreibung"), blank=True)
    description_en = models.TextField(_("Beschreibung (englisch)"), blank=True)

    class Meta:
        verbose_name = _("Sitzung")
        verbose_name_plural = _("Sitzungen")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.module.title} – {date_format(timezone.localtime(self.starts_at), 'SHORT_DATETIME_FORMAT')}"

    @property
    def localized_description(self) -> str:
        return in_active_language(self.description, self.description_en)


class TaskDeadline(models.Model):
    """When a cohort's practical task of a module is due."""

    cohort = models.ForeignKey(
        Cohort, verbose_name=_("Schulungsdurchgang"), on_delete=models.CASCADE, related_name="task_deadlines"
    )
    module = models.ForeignKey(Module, verbose_name=_("Modul"), on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField(_("Abgabe bis"))

    class Meta:
        verbose_name = _("Abgabefrist")
        verbose_name_plural = _("Abgabefristen")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "module"], name="one_deadline_per_cohort_module")
        ]

    def __str__(self) -> str:
        return f"{self.module} – {self.cohort}"

    @property
    def closes_at(self):
        """The first instant at which the task is late. The deadline is shown to the minute
        ("bis 23:59 Uhr"), so that whole minute still counts."""
        return self.due_at.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)


class Material(models.Model):
    """A file or link for a module, for one cohort or for all cohorts."""

    module = models.ForeignKey(
        Module, verbose_name=_("Modul"), on_delete=models.CASCADE, related_name="materials"
    )
    cohort = models.ForeignKey(
        Cohort,
        verbose_name=_("Schulungsdurchgang"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="materials",
        help_text=_("Leer lassen, wenn das Material für alle Durchgänge gilt."),
    )
    title = models.CharField(_("Titel"), max_length=200)
    title_en = models.CharField(_("Titel (englisch)"), max_length=200, blank=True)
    file = models.FileField(_("Datei"), upload_to=material_path, blank=True)
    file_name = models.CharField(_("Dateiname"), max_length=150, blank=True)
    link = models.URLField(_("Link"), blank=True)
    # Graduates and participants of other cohorts read the materials of every cohort in the
    # network (Know-how-Transfer), unless the author keeps one to its own cohort.
    own_cohort_only = models.BooleanField(
        _("nur für den eigenen Durchgang"),
        default=False,
        help_text=_("Nicht im Netzwerk für Teilnehmer:innen und Absolvent:innen anderer Durchgänge zeigen."),
    )
    created_at = models.DateTimeField(_("bereitgestellt am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Material")
        verbose_name_plural = _("Materialien")
        ordering = ["module__position", "title"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(file="") & ~Q(link="")) | (~Q(file="") & Q(link="")),
                name="material_file_or_link",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def localized_title(self) -> str:
        return in_active_language(self.title, self.title_en)


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("anwesend")
        EXCUSED = "excused", _("entschuldigt")
        ABSENT = "absent", _("abwesend")

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("Sitzung")
    )
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("Teilnahme")
    )
    status = models.CharField(_("Anwesenheit"), max_length=8, choices=Status.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("erfasst von")
    )
    recorded_at = models.DateTimeField(_("erfasst am"), auto_now=True)

    class Meta:
        verbose_name = _("Anwesenheit")
        verbose_name_plural = _("Anwesenheiten")
        constraints = [
            models.UniqueConstraint(fields=["session", "enrollment"], name="one_attendance_per_session")
        ]

    def __str__(self) -> str:
        return self.get_status_display()


class TaskSubmission(models.Model):
    """A participant's practical task (or make-up task after an excused absence) for a module."""

    class Kind(models.TextChoices):
        TASK = "task", _("Praxisaufgabe")
        MAKEUP = "makeup", _("Ersatzleistung")

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("eingereicht")
        ACCEPTED = "accepted", _("angenommen")
        RETURNED = "returned", _("zur Überarbeitung zurückgegeben")

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="task_submissions", verbose_name=_("Teilnahme")
    )
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="+", verbose_name=_("Modul"))
    kind = models.CharField(_("Art"), max_length=6, choices=Kind.choices, default=Kind.TASK)
    file = models.FileField(_("Datei"), upload_to=task_path)
    file_name = models.CharField(_("Dateiname"), max_length=150)
    state = models.CharField(_("Stand"), max_length=10, choices=State.choices, default=State.SUBMITTED)
    comment = models.TextField(_("Rückmeldung"), blank=True)
    submitted_at = models.DateTimeField(_("eingereicht am"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("geprüft von"),
    )
    reviewed_at = models.DateTimeField(_("geprüft am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Abgabe")
        verbose_name_plural = _("Abgaben")
        ordering = ["module__position", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "module", "kind"], name="one_submission_per_module_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.module}"
