from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CohortsConfig(AppConfig):
    name = "cohorts"
    verbose_name = _("Schulungsdurchgänge")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import Cohort, Enrollment

        # Every change by staff is kept with who, when and what (django-auditlog).
        for model in [Cohort, Enrollment]:
            auditlog.register(model)
