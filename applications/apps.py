from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("Bewerbungen")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import Application, DeadlineExtension, MailTemplate, ReviewNote, Score

        # Every change by staff is kept with who, when and what (django-auditlog).
        for model in [Application, DeadlineExtension, MailTemplate, ReviewNote, Score]:
            auditlog.register(model)
