"""Reads of the certificates app: who may receive a certificate, what a cohort's coordinator sees,
and the public verification (by number and code, or by an uploaded PDF or credential)."""

import datetime as dt
import hashlib
import hmac
import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from cohorts.models import Cohort, Enrollment, Programme
from modules.models import Module
from modules.progress import cohort_progress, missing_for_certificate

from .models import Certificate

logger = logging.getLogger(__name__)


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


def is_stuck(certificate: Certificate, *, now: dt.datetime) -> bool:
    """Pending, and neither handed to a worker nor begun within the lease: its task got lost
    (see "Leases" in ``certificates.services``)."""
    stale = now - dt.timedelta(seconds=settings.PORTAL_WORK_LEASE_SECONDS)
    return certificate.status == Certificate.Status.PENDING and all(
        moment is None or moment <= stale for moment in (certificate.queued_at, certificate.claimed_at)
    )


def stuck_certificates(certificates: list[Certificate], *, now: dt.datetime) -> list[Certificate]:
    """The certificates of a list that a coordinator may start again: lost ones and failed ones."""
    return [c for c in certificates if c.status == Certificate.Status.FAILED or is_stuck(c, now=now)]


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
    certificate = Certificate.objects.filter(number=number).select_related("replaced_by", "imported").first()
    if certificate is None or not secrets_equal(certificate.verification_code, code):
        return None
    return certificate


def secrets_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def find_by_pdf(content: bytes) -> Certificate | None:
    """The certificate an unaltered PDF belongs to, in either language, or whose original or
    scan from before the portal was registered by its fingerprint."""
    digest = hashlib.sha256(content).hexdigest()
    certificates = Certificate.objects.select_related("imported")
    found = certificates.filter(Q(sha256=digest) | Q(translation_sha256=digest)).first()
    return found or certificates.filter(fingerprints__sha256=digest).first()


class Verdict:
    """What the page may say about an uploaded file."""

    ORIGINAL = "original"  # the bytes are an issued original (SHA-256 equals a stored fingerprint)
    SEALED_COPY = "sealed-copy"  # our valid seal, but bytes that differ from every stored original
    SEALED_NO_ORIGINAL = "sealed-no-original"  # our valid seal, and no original stored to compare
    CREDENTIAL = "credential"  # a credential signed by this portal and valid now
    CREDENTIAL_NOT_NOW = "credential-not-now"  # signed by this portal, expired or not yet valid
    REFUSED = "refused"


@dataclass(frozen=True)
class FileCheck:
    """What the verification page found out about an uploaded certificate PDF or credential.
    ``genuine`` holds only for an issued original and a credential valid now."""

    kind: str  # "pdf" or "credential"
    verdict: str
    message: str
    certificate: Certificate | None = None
    seal: object | None = None  # seal.SealCheck for a PDF

    @property
    def genuine(self) -> bool:
        return self.verdict in (Verdict.ORIGINAL, Verdict.CREDENTIAL)


# What a parser raises on input it cannot take (the seal check catches pyHanko's own errors).
PARSER_ERRORS = (RecursionError, MemoryError, AssertionError, ValueError, TypeError, KeyError, IndexError)
NOT_GENUINE = _lazy(
    "Diese Datei stimmt mit keinem ausgestellten Zertifikat überein. Sie wurde verändert oder "
    "stammt nicht aus diesem Portal."
)
CREDENTIAL_REFUSED = _lazy(
    "Dieser digitale Nachweis wurde nicht von diesem Portal ausgestellt oder wurde verändert."
)


def _certificate_of_credential(credential_id) -> Certificate | None:
    if not credential_id or not isinstance(credential_id, str):
        return None
    return (
        Certificate.objects.filter(credential_id=credential_id)
        .select_related("replaced_by", "imported")
        .first()
    )


def _sealed_certificate(content: bytes) -> Certificate | None:
    """The certificate a PDF with our valid seal names through its embedded credential."""
    from .openbadges import CredentialError, verify_token
    from .proof import embedded_files

    try:
        files = embedded_files(content)
    except Exception:  # noqa: BLE001 - attachments qpdf cannot read name no certificate
        return None
    try:
        token = next((data.decode() for name, data in files.items() if name.endswith(".jwt")), "")
        return _certificate_of_credential(verify_token(token, check_time=False)["id"]) if token else None
    except (CredentialError, ValueError, UnicodeDecodeError):
        return None


def _check_pdf(content: bytes) -> FileCheck:
    """``ORIGINAL`` only where the bytes' SHA-256 equals a stored original's: a seal covers its
    signed byte range, not the padding of its own ``/Contents`` nor unsigned attributes, so a
    valid seal on other bytes is a copy, told apart from a file with no original stored here."""
    from .seal import check_seal

    seal = check_seal(content)
    certificate = find_by_pdf(content)
    if certificate is not None:
        return FileCheck(
            "pdf",
            Verdict.ORIGINAL,
            _("Der Fingerabdruck (SHA-256) der Datei stimmt mit dem ausgestellten Original überein."),
            certificate=certificate,
            seal=seal,
        )
    if not seal.valid:
        return FileCheck("pdf", Verdict.REFUSED, str(NOT_GENUINE), seal=seal)
    certificate = _sealed_certificate(content)
    if certificate is not None and (certificate.sha256 or certificate.translation_sha256):
        return FileCheck(
            "pdf",
            Verdict.SEALED_COPY,
            _(
                "Der Fingerabdruck (SHA-256) der Datei stimmt mit keinem ausgestellten Original "
                "überein: Bytes außerhalb des gesiegelten Bereichs wurden verändert. Bitte verlangen "
                "Sie das Original."
            ),
            certificate=certificate,
            seal=seal,
        )
    return FileCheck(
        "pdf",
        Verdict.SEALED_NO_ORIGINAL,
        _(
            "In diesem Portal ist kein Original dieser Datei hinterlegt. Ob sie Byte für Byte der "
            "ausgestellten Fassung entspricht, lässt sich hier daher nicht bestätigen."
        ),
        certificate=certificate,
        seal=seal,
    )


def _check_json(text: str) -> FileCheck:
    from . import bounds
    from .openbadges import credential_of

    refused = FileCheck("credential", Verdict.REFUSED, str(CREDENTIAL_REFUSED))
    if len(text) > bounds.MAX_TOKEN_BYTES or not bounds.json_nesting_within(text):
        return refused
    try:
        credential = json.loads(text)
    except (ValueError, RecursionError):
        return refused
    certificate = _certificate_of_credential(credential.get("id") if isinstance(credential, dict) else None)
    if certificate is None:
        return refused
    if not certificate.credential_jwt:
        return FileCheck(
            "credential",
            Verdict.REFUSED,
            _(
                "Dieser lesbare Nachweis (.json) lässt sich nicht mehr abgleichen. Bitte laden Sie "
                "den signierten Nachweis (.jwt) oder das PDF hoch."
            ),
        )
    if credential_of(certificate.credential_jwt) != credential:
        return refused
    return FileCheck(
        "credential",
        Verdict.CREDENTIAL,
        _("Der Nachweis (JSON) stimmt mit dem ausgestellten überein."),
        certificate=certificate,
    )


def _check_credential(content: bytes) -> FileCheck:
    from .openbadges import CredentialError, CredentialNotNow, verify_token

    try:
        text = content.decode("utf-8").strip()
    except UnicodeDecodeError:
        return FileCheck("credential", Verdict.REFUSED, str(CREDENTIAL_REFUSED))
    if text.startswith("{"):
        return _check_json(text)
    try:
        credential = verify_token(text)
    except CredentialNotNow as exc:
        return FileCheck(
            "credential",
            Verdict.CREDENTIAL_NOT_NOW,
            str(exc.message),
            certificate=_certificate_of_credential(exc.credential_id),
        )
    except CredentialError:
        return FileCheck("credential", Verdict.REFUSED, str(CREDENTIAL_REFUSED))
    return FileCheck(
        "credential",
        Verdict.CREDENTIAL,
        _("Die Signatur des Nachweises ist gültig; er stammt von diesem Portal und ist unverändert."),
        certificate=_certificate_of_credential(credential["id"]),
    )


def check_file(content: bytes) -> FileCheck:
    """Check an uploaded certificate: a PDF (fingerprint and seal) or its credential (.jwt,
    .json). Whatever a parser cannot take is a refusal, never a server error."""
    import pikepdf

    kind = "pdf" if content.lstrip()[:5] == b"%PDF-" else "credential"
    try:
        return _check_pdf(content) if kind == "pdf" else _check_credential(content)
    except PARSER_ERRORS + (pikepdf.PdfError,) as exc:
        logger.info("Uploaded %s refused by a parser: %s", kind, type(exc).__name__)
        message = NOT_GENUINE if kind == "pdf" else CREDENTIAL_REFUSED
        return FileCheck(kind, Verdict.REFUSED, str(message))
