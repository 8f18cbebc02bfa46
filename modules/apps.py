from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModulesConfig(AppConfig):
    name = "modules"
    verbose_name = _("Curriculum")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import signals  # noqa: F401  (connects the landing page's cache to enrollments)
        from .models import Attendance, Material, Session, TaskDeadline, TaskSubmission

        # Every change by staff is kept with who, when and what (django-auditlog).
        for model in [Attendance, Material, Session, TaskDeadline, TaskSubmission]:
            auditlog.register(model)
