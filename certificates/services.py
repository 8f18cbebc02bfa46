"""Issuing, rendering, revoking and verifying certificates."""

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cohorts.models import Cohort, Enrollment
from cohorts.selectors import can_coordinate
from modules.progress import cohort_progress
from portal.accounts.models import User
from portal.mail import queue_templated_mail
from portal.pdf.fonts import unprintable_characters, unprintable_message

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


def _require_coordinator(user: User, cohort: Cohort) -> None:
    if not can_coordinate(user, cohort):
        raise ValidationError(_("Sie koordinieren diesen Schulungsdurchgang nicht."), code="permission")


def _require_keys() -> None:
    """Production issues no certificate that could not prove itself."""
    from .keys import missing_keys

    if missing_keys():
        raise ValidationError(
            _(
                "Zertifikate können erst ausgestellt werden, wenn das Siegel und der Signaturschlüssel "
                "der ausstellenden Stelle eingerichtet sind. Bitte wenden Sie sich an den Betrieb."
            ),
            code="keys",
        )


def _proven_pdf(certificate: Certificate, pdf: bytes, *, at: dt.datetime) -> tuple[bytes, str]:
    """The rendered PDF with the credential embedded and the seal appended, and its SHA-256."""
    from .openbadges import credential_of
    from .proof import prove_pdf

    token = certificate.credential_jwt
    credential = credential_of(token) if token else None
    pdf = prove_pdf(pdf, number=certificate.number, credential=credential, token=token, at=at)
    return pdf, hashlib.sha256(pdf).hexdigest()


def _new_certificate(
    cohort: Cohort, enrollment: Enrollment, *, by: User | None, at: dt.datetime, sequence: int, language: str
) -> Certificate:
    """A new certificate, pending its rendering; or, where the name cannot be printed, one that
    failed with the reason (the others of the cohort are issued all the same)."""
    certificate = Certificate(
        enrollment=enrollment,
        cohort=cohort,
        sequence=sequence,
        number=f"{cohort.programme.reference_prefix}-{cohort.end_date.year}-{cohort.number}-{sequence:04d}",
        language=language,
        holder_name=enrollment.user.get_full_name() or enrollment.user.email,
        municipality_name=enrollment.municipality.name if enrollment.municipality_id else "",
        programme_title=cohort.programme.title,
        cohort_title=cohort.title,
        cohort_title_en=cohort.title_en,
        cohort_start=cohort.start_date,
        cohort_end=cohort.end_date,
        issued_on=timezone.localdate(at),
        issued_by=by,
    )
    missing = unprintable_characters(certificate.holder_name + certificate.municipality_name)
    if missing:
        certificate.status = Certificate.Status.FAILED
        certificate.render_error = unprintable_message(missing)
    certificate.save()
    return certificate


def issue_certificates(
    *,
    cohort: Cohort,
    by: User,
    at: dt.datetime,
    enrollment_ids: list[int] | None = None,
    language: str | None = None,
) -> list[Certificate]:
    """Issue certificates to eligible participants of a cohort (all, or the given ones).

    The cohort row is locked, so issuing the same cohort twice at once yields one certificate
    per participant and gapless numbers. Rendering and mailing follow in a task after commit.
    A participant whose name cannot be printed gets a failed certificate with the reason, shown
    to the coordinator; it blocks nobody else (reissue it once the name is corrected).
    """
    _require_coordinator(by, cohort)
    _require_keys()
    from .tasks import render_certificate

    with transaction.atomic():
        cohort = Cohort.objects.select_for_update().select_related("programme").get(pk=cohort.pk)
        eligible = eligible_enrollments(cohort)
        if enrollment_ids is not None:
            chosen = set(enrollment_ids)
            eligible = [e for e in eligible if e.pk in chosen]
        last = Certificate.objects.filter(cohort=cohort).aggregate(last=Max("sequence"))["last"] or 0
        issued = []
        for offset, enrollment in enumerate(eligible, start=1):
            certificate = _new_certificate(
                cohort,
                enrollment,
                by=by,
                at=at,
                sequence=last + offset,
                language=language or enrollment.user.language or "de",
            )
            issued.append(certificate)
        for certificate in issued:
            if certificate.status == Certificate.Status.PENDING:
                transaction.on_commit(lambda pk=certificate.pk: render_certificate.delay(pk))
    return issued


def store_rendering(*, certificate_id: int, at: dt.datetime) -> Certificate:
    """Render the PDF once and mail it once. Safe to run again after a crash: a certificate
    that is already rendered is not rendered again, and the mail has a fixed idempotency key."""
    from .render import render_certificate_pdf

    certificate = Certificate.objects.select_related("cohort__programme", "enrollment__user").get(
        pk=certificate_id
    )
    if certificate.status == Certificate.Status.REVOKED:
        return certificate
    if certificate.status != Certificate.Status.ISSUED or not certificate.pdf:
        from .openbadges import build_credential, sign_credential

        credential = build_credential(certificate, email=certificate.enrollment.user.email)
        certificate.credential_id = credential["id"]
        certificate.credential_jwt = sign_credential(credential, at=at)
        pdf, _digest = render_certificate_pdf(certificate)
        pdf, digest = _proven_pdf(certificate, pdf, at=at)
        with transaction.atomic():
            locked = Certificate.objects.select_for_update().get(pk=certificate_id)
            if locked.status == Certificate.Status.ISSUED and locked.pdf:
                return locked
            locked.pdf.save(f"{locked.number}.pdf", ContentFile(pdf), save=False)
            locked.sha256 = digest
            locked.credential_id = certificate.credential_id
            locked.credential_jwt = certificate.credential_jwt
            locked.status = Certificate.Status.ISSUED
            locked.rendered_at = at
            locked.render_error = ""
            locked.save()
            certificate = locked
    user = certificate.enrollment.user
    queue_templated_mail(
        template="certificates/ready",
        context={"certificate": certificate, "user": user},
        recipient=user.email,
        user=user,
        language=certificate.language,
        kind="certificate-ready",
        idempotency_key=f"certificate-ready:{certificate.pk}",
        attachment=certificate.pdf.name,
        attachment_name=f"Zertifikat-{certificate.number}.pdf",
        related=certificate,
    )
    return certificate


def store_translation(*, certificate_id: int) -> Certificate:
    """Render the certificate in its other language (same number and code), once."""
    from .render import render_certificate_pdf

    certificate = Certificate.objects.select_related("cohort__programme").get(pk=certificate_id)
    if certificate.translation_pdf or certificate.status != Certificate.Status.ISSUED:
        return certificate
    pdf, _digest = render_certificate_pdf(certificate, certificate.translation_language)
    pdf, digest = _proven_pdf(certificate, pdf, at=timezone.now())
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate_id)
        if not locked.translation_pdf:
            locked.translation_pdf.save(
                f"{locked.number}-{locked.translation_language}.pdf", ContentFile(pdf), save=False
            )
            locked.translation_sha256 = digest
            locked.save(update_fields=["translation_pdf", "translation_sha256"])
    return locked


def request_translation(*, certificate: Certificate, user: User) -> None:
    from .tasks import render_certificate_translation

    if certificate.enrollment.user_id != user.pk or certificate.status != Certificate.Status.ISSUED:
        raise ValidationError(_("Für dieses Zertifikat ist keine Übersetzung möglich."), code="translation")
    transaction.on_commit(lambda: render_certificate_translation.delay(certificate.pk))


def record_failure(*, certificate_id: int, error: str, final: bool) -> None:
    Certificate.objects.filter(pk=certificate_id).exclude(status=Certificate.Status.ISSUED).update(
        render_error=error[:2000], status=Certificate.Status.FAILED if final else Certificate.Status.PENDING
    )


def revoke(*, certificate: Certificate, reason: str, by: User, at: dt.datetime) -> Certificate:
    _require_coordinator(by, certificate.cohort)
    if not reason.strip():
        raise ValidationError(_("Bitte geben Sie den Grund des Widerrufs an."), code="reason")
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if certificate.status == Certificate.Status.REVOKED:
            raise ValidationError(_("Dieses Zertifikat ist bereits widerrufen."), code="revoked")
        certificate.status = Certificate.Status.REVOKED
        certificate.revocation_reason = reason.strip()
        certificate.revoked_at = at
        certificate.revoked_by = by
        certificate.save()
    return certificate


def reissue(*, certificate: Certificate, reason: str, by: User, at: dt.datetime) -> Certificate:
    """Revoke a certificate and issue a new one, with a new number, to the same participant."""
    from .tasks import render_certificate

    _require_coordinator(by, certificate.cohort)
    _require_keys()
    with transaction.atomic():
        cohort = Cohort.objects.select_for_update().select_related("programme").get(pk=certificate.cohort_id)
        old = revoke(certificate=certificate, reason=reason or _("Neu ausgestellt"), by=by, at=at)
        last = Certificate.objects.filter(cohort=cohort).aggregate(last=Max("sequence"))["last"] or 0
        new = _new_certificate(cohort, old.enrollment, by=by, at=at, sequence=last + 1, language=old.language)
        old.replaced_by = new
        old.save(update_fields=["replaced_by"])
        if new.status == Certificate.Status.PENDING:
            transaction.on_commit(lambda: render_certificate.delay(new.pk))
    return new


def find(number: str, code: str) -> Certificate | None:
    number = " ".join(number.split()).upper()
    code = "".join(code.split()).upper()
    certificate = Certificate.objects.filter(number=number).select_related("replaced_by").first()
    if certificate is None or not secrets_equal(certificate.verification_code, code):
        return None
    return certificate


def secrets_equal(a: str, b: str) -> bool:
    import hmac

    return hmac.compare_digest(a.encode(), b.encode())


def find_by_pdf(content: bytes) -> Certificate | None:
    """The certificate an unaltered PDF belongs to, in either language."""
    from django.db.models import Q

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
    import json

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
