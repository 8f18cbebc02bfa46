"""An operator's edit of one of its texts, per state: the operator of a programme is known by the
state whose municipalities it serves (``PORTAL_STATE``, ``Programme.state``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.operator.defaults import BY_KEY, DEFAULTS
from portal.states import State

# The keys are the defaults' (validated in the admin's form, not in the schema, so that a new
# default needs no migration).
KEY_CHOICES = [(default.key, f"{default.label} ({default.key})") for default in DEFAULTS]


class OperatorText(models.Model):
    state = models.CharField(_("Land"), max_length=2, choices=State.choices)
    key = models.CharField(_("Text"), max_length=60)
    text_de = models.TextField(_("Text (Deutsch)"), max_length=4000)
    text_en = models.TextField(
        _("Text (Englisch)"),
        max_length=4000,
        blank=True,
        help_text=_("Leer: Die englische Seite zeigt den deutschen Text."),
    )
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)

    class Meta:
        verbose_name = _("Text des Betreibers")
        verbose_name_plural = _("Texte des Betreibers")
        ordering = ["state", "key"]
        constraints = [
            models.UniqueConstraint(fields=["state", "key"], name="operator_text_state_key_unique")
        ]

    def __str__(self) -> str:
        label = BY_KEY[self.key].label if self.key in BY_KEY else self.key
        return f"{label} – {self.get_state_display()}"
