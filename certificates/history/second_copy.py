"""The digital second copy ("Zweitschrift") of a certificate issued before the portal: on the
holder's request and with their consent, a sealed PDF and a signed Open Badges credential that
carry the original number and date and are marked as a second copy."""

import datetime as dt
import hashlib

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from portal.accounts.models import User

from ..models import Certificate
from .models import ImportedCertificate

MARK_DE, MARK_EN = "Zweitschrift", "Duplicate"


def second_copy_credential(certificate: Certificate, *, at: dt.datetime) -> tuple[dict, str]:
    """The credential, marked as a second copy, valid from the original date, and its token."""
    from ..openbadges import build_credential, sign_credential, validate_schema

    credential = build_credential(certificate, email=certificate.enrollment.user.email)
    original = certificate.issued_on.strftime("%d.%m.%Y")
    credential["name"] = f"{credential['name']} ({MARK_DE} / {MARK_EN})"
    credential["evidence"][0]["narrative"] += (
        f" {MARK_DE} des am {original} ausgestellten Zertifikats."
        f" {MARK_EN} of the certificate issued on {certificate.issued_on.isoformat()}."
    )
    validate_schema(credential)
    return credential, sign_credential(credential, at=at)


def _check(certificate: Certificate, consent: bool) -> ImportedCertificate:
    from ..keys import missing_keys

    imported = ImportedCertificate.objects.filter(certificate=certificate).first()
    if imported is None:
        raise ValidationError(
            _("Eine Zweitschrift gibt es nur für Zertifikate aus der Zeit vor dem Portal."),
            code="not-imported",
        )
    if certificate.status != Certificate.Status.ISSUED:
        raise ValidationError(
            _("Für ein widerrufenes Zertifikat gibt es keine Zweitschrift."), code="revoked"
        )
    if not consent:
        raise ValidationError(
            _("Bitte bestätigen Sie, dass die Inhaber:in die Zweitschrift beantragt und eingewilligt hat."),
            code="consent",
        )
    if missing_keys():
        raise ValidationError(_("Das Siegel und der Signaturschlüssel sind nicht eingerichtet."), code="keys")
    return imported


def issue_second_copy(*, certificate: Certificate, by: User, at: dt.datetime, consent: bool) -> Certificate:
    """Render, seal and store the second copy (once; a second request returns the first)."""
    from ..proof import prove_pdf
    from ..render import render_certificate_pdf

    imported = _check(certificate, consent)
    if certificate.pdf and imported.second_copy_at:
        return certificate
    certificate = Certificate.objects.select_related("cohort__programme", "enrollment__user").get(
        pk=certificate.pk
    )
    credential, token = second_copy_credential(certificate, at=at)
    certificate.second_copy = True  # read by the certificate's template: the mark "Zweitschrift"
    pdf, _digest = render_certificate_pdf(certificate)
    pdf = prove_pdf(pdf, number=certificate.number, credential=credential, token=token, at=at)
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.pdf:
            return locked
        locked.pdf.save(f"{locked.number}-zweitschrift.pdf", ContentFile(pdf), save=False)
        locked.sha256 = hashlib.sha256(pdf).hexdigest()
        locked.credential_id = credential["id"]
        locked.credential_jwt = token
        locked.rendered_at = at
        locked.issued_by = by
        locked.save()
        ImportedCertificate.objects.filter(pk=imported.pk).update(
            second_copy_consent_at=at, second_copy_at=at
        )
    return locked
