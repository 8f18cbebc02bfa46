"""The durable record of an export the worker builds (see ``portal.exports``)."""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import User


def export_path(instance, filename: str) -> str:
    return f"private/exports/{secrets.token_hex(16)}-{filename}"


class ExportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("wartet")
        RUNNING = "running", _("wird erstellt")
        DONE = "done", _("fertig")
        FAILED = "failed", _("fehlgeschlagen")
        EXPIRED = "expired", _("gelöscht")

    owner = models.ForeignKey(User, verbose_name=_("angefordert von"), on_delete=models.CASCADE)
    model_label = models.CharField(_("Liste"), max_length=100)
    # The permission the owner needs to download the file, checked again at the download.
    permission = models.CharField(_("Berechtigung"), max_length=150)
    # The rows, as filtered when the export was asked for, in the list's order.
    object_ids = models.JSONField(_("Einträge"), default=list)
    fields = models.JSONField(_("Spalten"), null=True, blank=True)
    file_format = models.CharField(_("Format"), max_length=4, choices=[("csv", "CSV"), ("xlsx", "XLSX")])
    filename = models.CharField(_("Dateiname"), max_length=200)
    status = models.CharField(_("Status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(_("Zeilen"), default=0)
    done = models.PositiveIntegerField(_("geschriebene Zeilen"), default=0)
    file = models.FileField(_("Datei"), upload_to=export_path, blank=True)
    error = models.TextField(_("Fehler"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("Versuche"), default=0)
    created_at = models.DateTimeField(_("angefordert am"))
    queued_at = models.DateTimeField(_("an den Worker übergeben am"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("zuletzt vom Worker gemeldet"), null=True, blank=True)
    finished_at = models.DateTimeField(_("fertig am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Export")
        verbose_name_plural = _("Exporte")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "queued_at"], name="export_status_idx")]

    def __str__(self) -> str:
        return self.filename

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 100
