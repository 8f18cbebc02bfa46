"""The German states by their official key: reference data, like the list of municipalities."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    """The German states by their official key (Länderschlüssel, the first two digits of the AGS)."""

    SCHLESWIG_HOLSTEIN = "01", "Schleswig-Holstein"
    HAMBURG = "02", "Hamburg"
    NIEDERSACHSEN = "03", _("Niedersachsen")
    BREMEN = "04", "Bremen"
    NORDRHEIN_WESTFALEN = "05", _("Nordrhein-Westfalen")
    HESSEN = "06", _("Hessen")
    RHEINLAND_PFALZ = "07", _("Rheinland-Pfalz")
    BADEN_WUERTTEMBERG = "08", "Baden-Württemberg"
    BAYERN = "09", _("Bayern")
    SAARLAND = "10", "Saarland"
    BERLIN = "11", "Berlin"
    BRANDENBURG = "12", "Brandenburg"
    MECKLENBURG_VORPOMMERN = "13", _("Mecklenburg-Vorpommern")
    SACHSEN = "14", _("Sachsen")
    SACHSEN_ANHALT = "15", _("Sachsen-Anhalt")
    THUERINGEN = "16", _("Thüringen")
