"""What the import of earlier cohorts keeps besides the cohorts, people, enrollments and
certificates it creates: who imported which file when (the audit), what a participation added
(organisational unit, completion), the registered fingerprints of paper certificates and the
state of a certificate issued before the portal."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportRun(models.Model):
    """One confirmed import: the file's name and fingerprint, who confirmed it and what it did."""

    kind = models.CharField(_("Art"), max_length=20)
    file_name = models.CharField(_("Datei"), max_length=200)
    file_sha256 = models.CharField(_("SHA-256 der Datei"), max_length=64)
    rows = models.PositiveIntegerField(_("Zeilen"), default=0)
    created = models.PositiveIntegerField(_("neu"), default=0)
    changed = models.PositiveIntegerField(_("geändert"), default=0)
    unchanged = models.PositiveIntegerField(_("unverändert"), default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("importiert von"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    imported_at = models.DateTimeField(_("importiert am"))

    class Meta:
        app_label = "certificates"
        verbose_name = _("Import früherer Durchgänge")
        verbose_name_plural = _("Importe früherer Durchgänge")
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.imported_at:%d.%m.%Y %H:%M})"


class ImportedEnrollment(models.Model):
    """A participation taken over from an earlier cohort, with what only the import knows."""

    enrollment = models.OneToOneField(
        "cohorts.Enrollment", verbose_name=_("Teilnahme"), on_delete=models.CASCADE, related_name="imported"
    )
    run = models.ForeignKey(
        ImportRun,
        verbose_name=_("Importlauf"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="enrollments",
    )
    unit = models.CharField(_("Organisationseinheit"), max_length=200, blank=True)
    completed_on = models.DateField(_("abgeschlossen am"), null=True, blank=True)
    invited_at = models.DateTimeField(_("zum Konto eingeladen am"), null=True, blank=True)

    class Meta:
        app_label = "certificates"
        verbose_name = _("importierte Teilnahme")
        verbose_name_plural = _("importierte Teilnahmen")

    def __str__(self) -> str:
        return str(self.enrollment)


class ImportedCertificate(models.Model):
    """A certificate issued before the portal: the record is a ``Certificate`` (number, name as
    printed, date, a code generated at import); this says so, and holds the second copy's consent."""

    certificate = models.OneToOneField(
        "certificates.Certificate",
        verbose_name=_("Zertifikat"),
        on_delete=models.CASCADE,
        related_name="imported",
    )
    run = models.ForeignKey(
        ImportRun,
        verbose_name=_("Importlauf"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="certificates",
    )
    second_copy_consent_at = models.DateTimeField(
        _("Einwilligung in die Zweitschrift am"), null=True, blank=True
    )
    second_copy_at = models.DateTimeField(_("Zweitschrift ausgestellt am"), null=True, blank=True)

    class Meta:
        app_label = "certificates"
        verbose_name = _("Zertifikat vor dem Portal")
        verbose_name_plural = _("Zertifikate vor dem Portal")

    def __str__(self) -> str:
        return str(self.certificate)


class RegisteredFingerprint(models.Model):
    """The SHA-256 of an original or scanned PDF of a certificate issued before the portal: the
    verification page's upload check recognises exactly those bytes."""

    certificate = models.ForeignKey(
        "certificates.Certificate",
        verbose_name=_("Zertifikat"),
        on_delete=models.CASCADE,
        related_name="fingerprints",
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    file_name = models.CharField(_("Datei"), max_length=200, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("erfasst von"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    registered_at = models.DateTimeField(_("erfasst am"))

    class Meta:
        app_label = "certificates"
        verbose_name = _("Fingerabdruck eines Originals")
        verbose_name_plural = _("Fingerabdrücke von Originalen")

    def __str__(self) -> str:
        return self.sha256
