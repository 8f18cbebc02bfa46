from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("Zertifikate")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import checks  # noqa: F401  (registers the production check of seal and signing key)
        from .models import (
            Certificate,
            ImportedCertificate,
            ImportedEnrollment,
            ImportRun,
            RegisteredFingerprint,
        )

        # Every change by staff is kept with who, when and what (django-auditlog).
        for model in [Certificate, ImportRun, ImportedEnrollment, ImportedCertificate, RegisteredFingerprint]:
            auditlog.register(model)
