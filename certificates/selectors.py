"""Reads of the certificates app: who may receive a certificate, what a cohort's coordinator sees,
and the public verification (by number and code, or by an uploaded PDF or credential)."""

import hashlib
import hmac
import json
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from cohorts.models import Cohort, Enrollment, Programme
from modules.models import Module
from modules.progress import cohort_progress, missing_for_certificate

from .models import Certificate


def eligible_enrollments(cohort: Cohort) -> list[Enrollment]:
    """Confirmed participants who completed all five modules and hold no valid certificate."""
    holders = set(
        Certificate.objects.filter(cohort=cohort)
        .exclude(status=Certificate.Status.REVOKED)
        .values_list("enrollment_id", flat=True)
    )
    _modules, _sessions, rows = cohort_progress(cohort)
    return [row.enrollment for row in rows if row.all_completed and row.enrollment.pk not in holders]


def cohort_certificates(cohort: Cohort) -> list[Certificate]:
    """A cohort's certificates in the order of their numbers, with their holders."""
    return list(
        Certificate.objects.filter(cohort=cohort).select_related("enrollment__user").order_by("sequence")
    )


def status_counts(certificates: list[Certificate]) -> dict[str, int]:
    """How many of ``certificates`` are in each status (every status, zero included)."""
    return {
        status: sum(1 for c in certificates if c.status == status) for status in Certificate.Status.values
    }


@dataclass(frozen=True)
class Ineligible:
    """A confirmed participant without a valid certificate who cannot receive one yet, and why."""

    enrollment: Enrollment
    reasons: list[str]


@dataclass(frozen=True)
class IssuingPage:
    """The coordinator's certificates page of a cohort: who may receive a certificate, who may
    not yet and why, the certificates with their counts by status and the failures' reasons."""

    eligible: list[Enrollment]
    ineligible: list[Ineligible]
    certificates: list[Certificate]
    counts: dict[str, int]

    @property
    def failed(self) -> list[Certificate]:
        return [c for c in self.certificates if c.status == Certificate.Status.FAILED]

    @property
    def in_progress(self) -> bool:
        return self.counts[Certificate.Status.PENDING] > 0


def issuing_page(cohort: Cohort) -> IssuingPage:
    """Everything the certificates page shows, in a fixed number of queries."""
    certificates = cohort_certificates(cohort)
    holders = {c.enrollment_id for c in certificates if c.status != Certificate.Status.REVOKED}
    _modules, _sessions, rows = cohort_progress(cohort)
    waiting = [row for row in rows if row.enrollment.pk not in holders]
    return IssuingPage(
        eligible=[row.enrollment for row in waiting if row.all_completed],
        ineligible=[
            Ineligible(enrollment=row.enrollment, reasons=missing_for_certificate(row))
            for row in waiting
            if not row.all_completed
        ],
        certificates=certificates,
        counts=status_counts(certificates),
    )


def issuing_progress(cohort: Cohort) -> IssuingPage:
    """Only the certificates and their counts: what the page polls while certificates are made."""
    certificates = cohort_certificates(cohort)
    return IssuingPage(
        eligible=[], ineligible=[], certificates=certificates, counts=status_counts(certificates)
    )


def achievement_modules(programme: Programme) -> list[Module]:
    """The programme's modules in their order, as its Open Badges achievement lists them."""
    return list(programme.modules.order_by("position"))


# --- Verification ------------------------------------------------------------------------------


def find(number: str, code: str) -> Certificate | None:
    number = " ".join(number.split()).upper()
    code = "".join(code.split()).upper()
    certificate = Certificate.objects.filter(number=number).select_related("replaced_by").first()
    if certificate is None or not secrets_equal(certificate.verification_code, code):
        return None
    return certificate


def secrets_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def find_by_pdf(content: bytes) -> Certificate | None:
    """The certificate an unaltered PDF belongs to, in either language."""
    digest = hashlib.sha256(content).hexdigest()
    return Certificate.objects.filter(Q(sha256=digest) | Q(translation_sha256=digest)).first()


@dataclass(frozen=True)
class FileCheck:
    """What the verification page found out about an uploaded certificate PDF or credential."""

    kind: str  # "pdf" or "credential"
    genuine: bool
    message: str
    certificate: Certificate | None = None
    seal: object | None = None  # seal.SealCheck for a PDF


def _certificate_of_credential(credential_id: str | None) -> Certificate | None:
    if not credential_id:
        return None
    return Certificate.objects.filter(credential_id=credential_id).select_related("replaced_by").first()


def _check_pdf(content: bytes) -> FileCheck:
    from .openbadges import CredentialError, verify_token
    from .proof import embedded_files
    from .seal import check_seal

    seal = check_seal(content)
    certificate = find_by_pdf(content)
    if certificate is None and seal.valid:
        # Sealed by the operator and unchanged, but not stored here under this fingerprint
        # (e.g. restored from a backup): the embedded credential names the certificate.
        try:
            token = next(
                (data.decode() for name, data in embedded_files(content).items() if name.endswith(".jwt")), ""
            )
            certificate = _certificate_of_credential(verify_token(token)["id"]) if token else None
        except (CredentialError, ValueError, UnicodeDecodeError):
            certificate = None
    if seal.valid:
        return FileCheck("pdf", True, seal.message, certificate=certificate, seal=seal)
    if certificate is not None:  # issued before sealing, or with sealing switched off
        return FileCheck(
            "pdf",
            True,
            _("Der Fingerabdruck (SHA-256) der Datei stimmt mit dem ausgestellten Original überein."),
            certificate=certificate,
            seal=seal,
        )
    return FileCheck(
        "pdf",
        False,
        _(
            "Diese Datei stimmt mit keinem ausgestellten Zertifikat überein. Sie wurde verändert oder stammt nicht aus diesem Portal."
        ),
        seal=seal,
    )


def _check_credential(content: bytes) -> FileCheck:
    from .openbadges import CredentialError, credential_of, verify_token

    refused = FileCheck(
        "credential",
        False,
        _("Dieser digitale Nachweis wurde nicht von diesem Portal ausgestellt oder wurde verändert."),
    )
    try:
        text = content.decode("utf-8").strip()
    except UnicodeDecodeError:
        return refused
    if text.startswith("{"):
        try:
            credential = json.loads(text)
        except ValueError:
            return refused
        certificate = _certificate_of_credential(
            credential.get("id") if isinstance(credential, dict) else None
        )
        if certificate is None:
            return refused
        if not certificate.credential_jwt:
            return FileCheck(
                "credential",
                False,
                _(
                    "Dieser lesbare Nachweis (.json) lässt sich nicht mehr abgleichen. Bitte laden Sie "
                    "den signierten Nachweis (.jwt) oder das PDF hoch."
                ),
            )
        if credential_of(certificate.credential_jwt) != credential:
            return refused
        return FileCheck(
            "credential",
            True,
            _("Der Nachweis (JSON) stimmt mit dem ausgestellten überein."),
            certificate=certificate,
        )
    try:
        credential = verify_token(text)
    except CredentialError:
        return refused
    return FileCheck(
        "credential",
        True,
        _("Die Signatur des Nachweises ist gültig; er stammt von diesem Portal und ist unverändert."),
        certificate=_certificate_of_credential(credential["id"]),
    )


def check_file(content: bytes) -> FileCheck:
    """Check an uploaded certificate: a PDF (seal and fingerprint) or its credential (.jwt, .json)."""
    if content.lstrip()[:5] == b"%PDF-":
        return _check_pdf(content)
    return _check_credential(content)
