"""Certificates "Smart City Manager:in": one valid certificate per participant, verifiable for years."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cohorts.models import Cohort, Enrollment
from portal.accounts.models import FULL_NAME_MAX_LENGTH
from portal.web.i18n import in_active_language

# Without 0/O and 1/I/L, so a code read from paper is typed correctly.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def certificate_path(instance, filename: str) -> str:
    return f"private/certificates/{instance.number}-{secrets.token_hex(8)}.pdf"


class Certificate(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("wird erstellt")
        ISSUED = "issued", _("ausgestellt")
        FAILED = "failed", _("Erstellung fehlgeschlagen")
        REVOKED = "revoked", _("widerrufen")

    enrollment = models.ForeignKey(
        Enrollment, verbose_name=_("Teilnahme"), on_delete=models.PROTECT, related_name="certificates"
    )
    cohort = models.ForeignKey(
        Cohort, verbose_name=_("Schulungsdurchgang"), on_delete=models.PROTECT, related_name="certificates"
    )
    sequence = models.PositiveIntegerField(_("laufende Nummer"))
    number = models.CharField(_("Zertifikatsnummer"), max_length=40, unique=True)
    verification_code = models.CharField(_("Prüfcode"), max_length=8, default=new_verification_code)
    language = models.CharField(_("Sprache"), max_length=2, choices=settings.LANGUAGES, default="de")

    # What the certificate says, kept as issued: verification works even after personal data is erased.
    holder_name = models.CharField(_("Name"), max_length=FULL_NAME_MAX_LENGTH)
    municipality_name = models.CharField(_("Kommune"), max_length=300, blank=True)
    programme_title = models.CharField(_("Programm"), max_length=200)
    cohort_title = models.CharField(_("Durchgang"), max_length=200)
    cohort_title_en = models.CharField(_("Durchgang (Englisch)"), max_length=200, blank=True)
    cohort_start = models.DateField(_("Beginn des Durchgangs"))
    cohort_end = models.DateField(_("Ende des Durchgangs"))
    issued_on = models.DateField(_("ausgestellt am"))

    status = models.CharField(_("Status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ausgestellt von"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    pdf = models.FileField(_("PDF"), upload_to=certificate_path, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, db_index=True)
    # The other language's version, rendered on request with the same number and code.
    translation_pdf = models.FileField(
        _("PDF in der anderen Sprache"), upload_to=certificate_path, blank=True
    )
    translation_sha256 = models.CharField(
        _("SHA-256 der Übersetzung"), max_length=64, blank=True, db_index=True
    )
    # The same certificate as Open Badges 3.0 credential, signed (VC-JWT), and its id.
    credential_id = models.CharField(_("Nachweis-ID"), max_length=80, blank=True, db_index=True)
    credential_jwt = models.TextField(_("Digitaler Nachweis (JWT)"), blank=True)
    # The rendering's lease (see certificates.services, "Leases"): when the certificate was last
    # handed to the worker, when a worker last began rendering it, and how often one began.
    queued_at = models.DateTimeField(_("an die Erstellung übergeben am"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("Erstellung begonnen am"), null=True, blank=True)
    render_attempts = models.PositiveSmallIntegerField(_("Versuche"), default=0)
    render_error = models.TextField(_("Fehler"), blank=True)
    rendered_at = models.DateTimeField(_("erstellt am"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("widerrufen am"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("widerrufen von"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revocation_reason = models.TextField(_("Grund des Widerrufs"), blank=True)
    replaced_by = models.OneToOneField(
        "self",
        verbose_name=_("ersetzt durch"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaces",
    )

    class Meta:
        verbose_name = _("Zertifikat")
        verbose_name_plural = _("Zertifikate")
        ordering = ["cohort", "sequence"]
        indexes = [
            # The sweeper reads only the pending ones, oldest hand-over first.
            models.Index(fields=["queued_at"], condition=Q(status="pending"), name="certificate_pending_idx"),
            # The evaluation's daily wave job reads the certificates issued in a window of days.
            models.Index(
                fields=["issued_on"], condition=Q(status="issued"), name="certificate_issued_on_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "sequence"], name="gapless_certificate_sequence"),
            models.UniqueConstraint(
                fields=["enrollment"],
                condition=~Q(status="revoked"),
                name="one_valid_certificate_per_enrollment",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_valid(self) -> bool:
        return self.status == self.Status.ISSUED

    @property
    def translation_language(self) -> str:
        return "en" if self.language == "de" else "de"

    @property
    def localized_cohort_title(self) -> str:
        """The cohort's title as issued, in the active language (German where none in English)."""
        return in_active_language(self.cohort_title, self.cohort_title_en)


# Earlier cohorts' records live beside the certificates they describe.
from .history.models import (  # noqa: E402, F401
    ImportedCertificate,
    ImportedEnrollment,
    ImportRun,
    RegisteredFingerprint,
)
