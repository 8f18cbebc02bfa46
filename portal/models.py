"""The models of the ground floor. Municipalities (the reference data of every state) and reports
of barriers live here; the states (``portal.states``), the operator's texts (``portal.operator``),
the user and the outbox live with their concern (``portal.accounts``, ``portal.mail``) and are
imported here, so that Django finds every model of the ``portal`` app
where the migrations name it (``portal.models.UserManager``, ``portal.models.portal_state``).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import FULL_NAME_MAX_LENGTH, NAME_MAX_LENGTH, User, UserManager
from portal.exports.models import ExportJob
from portal.mail.models import OutboxMessage
from portal.operator.models import OperatorText
from portal.states import State

__all__ = [
    "FULL_NAME_MAX_LENGTH",
    "NAME_MAX_LENGTH",
    "AccessibilityFeedback",
    "ExportJob",
    "Municipality",
    "OperatorText",
    "OutboxMessage",
    "State",
    "User",
    "UserManager",
    "portal_state",
]


def portal_state() -> str:
    """The state this portal's programme belongs to (``PORTAL_STATE``), for new programmes."""
    from django.conf import settings

    return settings.PORTAL_STATE


class Municipality(models.Model):
    """A municipality, or an administrative body (Amt, Verbandsgemeinde) that employs staff.

    Loaded from the official municipality list (see ``portal/data/SOURCE.md``).
    """

    class Kind(models.TextChoices):
        STADT = "stadt", _("Stadt")
        GEMEINDE = "gemeinde", _("Gemeinde")
        AMT = "amt", _("Amt")
        VERBANDSGEMEINDE = "verbandsgemeinde", _("Verbandsgemeinde")

    key = models.CharField(
        _("Schlüssel"),
        max_length=80,
        unique=True,
        help_text=_("Amtlicher Gemeindeschlüssel, bei Ämtern ein aus dem Namen gebildeter Schlüssel."),
    )
    ags = models.CharField(_("AGS"), max_length=8, blank=True)
    name = models.CharField(_("Name"), max_length=120)
    district = models.CharField(_("Landkreis / kreisfreie Stadt"), max_length=120)
    state = models.CharField(_("Land"), max_length=2, choices=State.choices)
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices)
    administration = models.ForeignKey(
        "self",
        verbose_name=_("verwaltet durch"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        help_text=_("Amt, Verbandsgemeinde oder mitverwaltende Stadt."),
    )

    class Meta:
        verbose_name = _("Kommune")
        verbose_name_plural = _("Kommunen")
        ordering = ["name", "district"]
        indexes = [
            models.Index(fields=["district"]),
            models.Index(fields=["kind"]),
            # The application form lists one state's municipalities in this order, by this index
            # alone, however many states' lists the table holds.
            models.Index(fields=["state", "district", "name"], name="municipality_state_list_idx"),
        ]

    def __str__(self) -> str:
        # Two municipalities share a name (Golzow, Mittenwalde): show the district, unless the
        # town is a district of its own (Cottbus, Frankfurt (Oder)).
        if self.district == self.name:
            return self.name
        return f"{self.name} ({self.district})"


class AccessibilityFeedback(models.Model):
    """A report of a barrier, sent with the form on the accessibility statement (BITV 2.0 § 7).
    Kept so that the answer within six weeks can be followed up; mailed to the operator."""

    name = models.CharField(_("Name"), max_length=150, blank=True)
    email = models.EmailField(_("E-Mail-Adresse für die Antwort"), blank=True)
    page = models.CharField(_("Betroffene Seite oder Funktion"), max_length=300, blank=True)
    message = models.TextField(_("Beschreibung der Barriere"), max_length=4000)
    created_at = models.DateTimeField(_("eingegangen am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Rückmeldung zur Barrierefreiheit")
        verbose_name_plural = _("Rückmeldungen zur Barrierefreiheit")
        ordering = ["-created_at"]
        # The admin lists the newest first; the nightly retention run deletes the oldest.
        indexes = [models.Index(fields=["created_at"], name="a11y_feedback_created_idx")]

    def __str__(self) -> str:
        return _("Rückmeldung vom %(date)s") % {"date": self.created_at.strftime("%d.%m.%Y")}
