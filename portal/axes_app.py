"""django-axes under a German heading in the admin (its own app config has no name to translate)."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AxesAppConfig):
    verbose_name = _("Anmeldeschutz")
