from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("Bewerbungen")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models

        # Every change by staff is kept with who, when and what (django-auditlog); assignments,
        # conflicts and requests to the applicant too.
        for model in [
            models.Application,
            models.DeadlineExtension,
            models.MailTemplate,
            models.ReviewNote,
            models.Score,
            models.ReviewAssignment,
            models.Conflict,
            models.ReviewerProfile,
            models.InformationRequest,
        ]:
            auditlog.register(model)
