"""The theme modules of the programme."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cohorts.models import Programme


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
        return self.title_en if get_language() == "en" and self.title_en else self.title

    @property
    def localized_description(self) -> str:
        return self.description_en if get_language() == "en" and self.description_en else self.description
