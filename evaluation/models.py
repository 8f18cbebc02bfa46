"""The evaluation's questionnaires as data (instruments, versions, items), the answers to them and
the permissions of the evaluation.

Participants answer an instrument in two ways: after each module (a response names the
enrollment and the module) and in the waves T0, T1, T2 (a response belongs to an invitation).
Answers are personal data of the participant. They are shown nowhere per person: the dashboard
shows them only aggregated (and not below three answers), the evaluators get them only in the
pseudonymised export. That is why the responses have no admin and are not in the audit log.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cohorts.models import Enrollment
from modules.models import Module

# The key of the instrument the participants answer after each module.
MODULE_INSTRUMENT = "modul-feedback"


# --- Waves: questionnaires as data, answered before, at the end of and after the course ------------


class Instrument(models.Model):
    """A questionnaire the evaluators define in the admin. Its items live in versions: a version
    that has answers is frozen, and a change makes the next version."""

    key = models.SlugField(_("Kürzel"), max_length=40, unique=True)
    title = models.CharField(_("Titel"), max_length=200)
    title_en = models.CharField(_("Titel (Englisch)"), max_length=200, blank=True)
    description = models.TextField(_("Einleitung"), blank=True)
    description_en = models.TextField(_("Einleitung (Englisch)"), blank=True)

    class Meta:
        verbose_name = _("Fragebogen")
        verbose_name_plural = _("Fragebögen")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.title


class InstrumentVersion(models.Model):
    instrument = models.ForeignKey(
        Instrument, verbose_name=_("Fragebogen"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("Version"))
    note = models.CharField(_("Was sich geändert hat"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Fassung eines Fragebogens")
        verbose_name_plural = _("Fassungen der Fragebögen")
        ordering = ["instrument", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "number"], name="instrument_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.instrument.key} v{self.number}"


class Item(models.Model):
    """One question of a version. Items of different waves with the same ``key`` measure the same
    thing: the pre/post comparison pairs them by it."""

    class Kind(models.TextChoices):
        LIKERT = "likert", _("Skala 1–5")
        SINGLE = "single", _("Einfachauswahl")
        MULTIPLE = "multiple", _("Mehrfachauswahl")
        NUMBER = "number", _("Zahl")
        TEXT = "text", _("kurzer Text")

    version = models.ForeignKey(
        InstrumentVersion, verbose_name=_("Fassung"), on_delete=models.CASCADE, related_name="items"
    )
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=1)
    key = models.SlugField(
        _("Variable"),
        max_length=40,
        help_text=_("Gleiches Kürzel in mehreren Wellen: vorher/nachher vergleichbar."),
    )
    kind = models.CharField(_("Art"), max_length=8, choices=Kind.choices, default=Kind.LIKERT)
    text = models.CharField(_("Frage"), max_length=500)
    text_en = models.CharField(_("Frage (Englisch)"), max_length=500, blank=True)
    label = models.CharField(
        _("Kurzname"), max_length=60, blank=True, help_text=_("Spaltenkopf in der Auswertung.")
    )
    label_en = models.CharField(_("Kurzname (Englisch)"), max_length=60, blank=True)
    # Likert: five labels, one per line, 1 to 5. Choices: one "value = Bezeichnung" per line.
    options = models.TextField(_("Anker oder Auswahlmöglichkeiten"), blank=True)
    options_en = models.TextField(_("Anker oder Auswahlmöglichkeiten (Englisch)"), blank=True)
    competency = models.BooleanField(_("Kompetenz (im Vorher-nachher-Vergleich)"), default=False)
    module = models.ForeignKey(
        Module, verbose_name=_("Modul"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    minimum = models.IntegerField(_("kleinster Wert"), null=True, blank=True)
    maximum = models.IntegerField(
        _("größter Wert"), null=True, blank=True, help_text=_("Bei kurzem Text: höchstens so viele Zeichen.")
    )

    class Meta:
        verbose_name = _("Frage")
        verbose_name_plural = _("Fragen")
        ordering = ["version", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="item_key_once_per_version")]

    def __str__(self) -> str:
        return self.key


class Wave(models.Model):
    """When a programme asks whom: T0 when a seat is accepted, T1 with the certificate, T2 some
    months after it."""

    class Kind(models.TextChoices):
        T0 = "t0", _("T0: vor dem ersten Modul")
        T1 = "t1", _("T1: mit dem Zertifikat")
        T2 = "t2", _("T2: Monate nach dem Zertifikat")

    programme = models.ForeignKey(
        "cohorts.Programme", verbose_name=_("Programm"), on_delete=models.CASCADE, related_name="waves"
    )
    kind = models.CharField(_("Welle"), max_length=2, choices=Kind.choices)
    instrument = models.ForeignKey(
        Instrument, verbose_name=_("Fragebogen"), on_delete=models.PROTECT, related_name="waves"
    )
    offset_days = models.PositiveSmallIntegerField(
        _("Tage nach dem Anlass"), default=0, help_text=_("T2: etwa 182 Tage nach dem Zertifikat.")
    )
    open_days = models.PositiveSmallIntegerField(_("Tage geöffnet"), default=28)
    reminder_days = models.PositiveSmallIntegerField(_("Erinnerung nach Tagen"), default=7)
    active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        verbose_name = _("Befragungswelle")
        verbose_name_plural = _("Befragungswellen")
        ordering = ["programme", "kind"]
        constraints = [models.UniqueConstraint(fields=["programme", "kind"], name="one_wave_per_kind")]

    def __str__(self) -> str:
        return self.get_kind_display()


class EvaluationConsent(models.Model):
    """A person's consent to take part in the evaluation of a programme: voluntary, separate from
    the course, with the text version they agreed to. Opting out stops further invitations;
    withdrawing also deletes their answers."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Person"), on_delete=models.CASCADE, related_name="+"
    )
    programme = models.ForeignKey(
        "cohorts.Programme", verbose_name=_("Programm"), on_delete=models.CASCADE, related_name="+"
    )
    text_version = models.CharField(_("Fassung der Einwilligung"), max_length=20, blank=True)
    given_at = models.DateTimeField(_("eingewilligt am"), null=True, blank=True)
    opted_out_at = models.DateTimeField(_("keine Einladungen mehr seit"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("widerrufen am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Einwilligung zur Evaluation")
        verbose_name_plural = _("Einwilligungen zur Evaluation")
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["user", "programme"], name="one_consent_per_programme")
        ]

    def __str__(self) -> str:
        return f"{self.programme_id}:{self.user_id}"


class Invitation(models.Model):
    """A person's place in one wave: from when to when they may answer."""

    wave = models.ForeignKey(
        Wave, verbose_name=_("Welle"), on_delete=models.CASCADE, related_name="invitations"
    )
    enrollment = models.ForeignKey(
        Enrollment, verbose_name=_("Teilnahme"), on_delete=models.CASCADE, related_name="wave_invitations"
    )
    opens_at = models.DateTimeField(_("geöffnet ab"))
    closes_at = models.DateTimeField(_("geöffnet bis"))
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Einladung zur Befragung")
        verbose_name_plural = _("Einladungen zur Befragung")
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["wave", "enrollment"], name="one_invitation_per_wave")]
        indexes = [models.Index(fields=["closes_at", "opens_at"], name="invitation_open_idx")]

    def __str__(self) -> str:
        return f"{self.wave} – {self.enrollment_id}"


class WaveResponse(models.Model):
    """The answers of one person to one instrument, all of one version: either to an invitation
    of a wave, or to the questionnaire after a module (enrollment and module)."""

    invitation = models.OneToOneField(
        Invitation,
        verbose_name=_("Einladung"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="response",
    )
    enrollment = models.ForeignKey(
        Enrollment,
        verbose_name=_("Teilnahme"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="module_responses",
    )
    module = models.ForeignKey(
        Module, verbose_name=_("Modul"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.ForeignKey(
        InstrumentVersion, verbose_name=_("Fassung"), on_delete=models.PROTECT, related_name="responses"
    )
    submitted_at = models.DateTimeField(_("beantwortet am"))

    class Meta:
        verbose_name = _("Antwort auf eine Befragung")
        verbose_name_plural = _("Antworten auf Befragungen")
        # No view/change permissions per answer exist, so no role can be given one by mistake.
        default_permissions = ()
        permissions = [
            ("view_statistics", _("Kann die Auswertung des Programms sehen")),
            ("export_pseudonymised", _("Kann pseudonymisierte Daten für die Evaluation herunterladen")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "module"], name="one_module_response_per_module"),
            models.CheckConstraint(
                condition=Q(invitation__isnull=False, enrollment__isnull=True, module__isnull=True)
                | Q(invitation__isnull=True, enrollment__isnull=False, module__isnull=False),
                name="response_to_invitation_or_module",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invitation_id or self.module_id} v{self.version_id}"


class Answer(models.Model):
    response = models.ForeignKey(WaveResponse, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="answers")
    number = models.IntegerField(null=True, blank=True)
    text = models.TextField(blank=True)
    choices = models.JSONField(default=list, blank=True)

    class Meta:
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["response", "item"], name="one_answer_per_item")]

    def __str__(self) -> str:
        return f"{self.response_id}:{self.item_id}"
