"""The outbox: every message the portal sends, recorded before it is sent."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import User


class OutboxMessage(models.Model):
    """Every mail the portal sends, recorded before it is sent.

    The idempotency key makes a second send of the same message impossible, even when a
    task is retried after a crash. ``portal.mail`` queues and sends; this is only the record.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("wartend")
        SENT = "sent", _("versendet")
        FAILED = "failed", _("fehlgeschlagen")
        BOUNCED = "bounced", _("unzustellbar")
        SKIPPED = "skipped", _("übersprungen")

    idempotency_key = models.CharField(_("Idempotenzschlüssel"), max_length=200, unique=True)
    kind = models.CharField(_("Art"), max_length=80)
    recipient = models.EmailField(_("Empfänger:in"))
    user = models.ForeignKey(
        User, verbose_name=_("Benutzer:in"), null=True, blank=True, on_delete=models.SET_NULL
    )
    account_id = models.PositiveBigIntegerField(
        _("Konto-ID beim Einreihen"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "Bleibt erhalten, wenn das Konto gelöscht wird: Dann wird die E-Mail nicht mehr versendet."
        ),
    )
    optional = models.BooleanField(
        _("abbestellbar"),
        default=False,
        help_text=_("Erinnerungen, die Empfänger:innen in ihren E-Mail-Einstellungen abbestellen können."),
    )
    related_model = models.CharField(_("Bezug (Art)"), max_length=100, blank=True)
    related_id = models.PositiveBigIntegerField(_("Bezug (ID)"), null=True, blank=True)
    language = models.CharField(_("Sprache"), max_length=2, default="de")
    subject = models.CharField(_("Betreff"), max_length=255)
    body_text = models.TextField(_("Text"))
    body_html = models.TextField(_("HTML"), blank=True)
    # A one-time link or code: the fields above hold a redacted copy, the delivered message is
    # sealed below until it has been sent (see ``portal.mail.secrets``).
    contains_secret = models.BooleanField(
        _("enthält Einmal-Link oder Code"),
        default=False,
        editable=False,
        help_text=_(
            "Der Link oder Code steht nur in der zugestellten E-Mail. Hier wird er nie angezeigt, "
            "auch nicht Administrator:innen."
        ),
    )
    sealed_content = models.TextField(blank=True, default="", editable=False)
    attachment = models.CharField(
        _("Anhang"), max_length=255, blank=True, help_text=_("Pfad einer Datei im geschützten Speicher.")
    )
    attachment_name = models.CharField(_("Dateiname des Anhangs"), max_length=150, blank=True)
    # Where the recipient's answer goes, only where the person it names agreed (the network's
    # contact form); empty: answers go to the portal's sender address.
    reply_to = models.EmailField(_("Antwort an"), blank=True)
    status = models.CharField(_("Status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(_("Versuche"), default=0)
    error = models.TextField(_("Fehler oder Grund"), blank=True)
    created_at = models.DateTimeField(_("erstellt am"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("nächster Versuch"), null=True, blank=True)
    sent_at = models.DateTimeField(_("versendet am"), null=True, blank=True)

    class Meta:
        verbose_name = _("ausgehende E-Mail")
        verbose_name_plural = _("ausgehende E-Mails")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
            models.Index(fields=["recipient", "status"], name="outbox_recipient_idx"),
            # The admin lists the newest first, ties broken by the key as the admin does: read in
            # this order, the first page needs no sort, whatever the size of the table.
            models.Index(fields=["-created_at", "-id"], name="outbox_newest_first_idx"),
            # An application's or enrollment's mails, and who may read which (visible_mails).
            models.Index(fields=["related_model", "related_id"], name="outbox_related_idx"),
            # Retention scrubs old mails once; the nightly run reads only those not yet scrubbed.
            models.Index(
                fields=["created_at"],
                condition=~models.Q(recipient="", subject=""),
                name="outbox_unscrubbed_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.recipient}"

    @property
    def related(self) -> str:
        return f"{self.related_model} #{self.related_id}" if self.related_model else ""
