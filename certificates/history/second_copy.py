"""The digital second copy ("Zweitschrift") of a certificate issued before the portal: on the
holder's request and with their consent, a sealed PDF and a signed Open Badges credential that
carry the original number and date and are marked as a second copy."""

import datetime as dt
import hashlib

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
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


def issue_second_copy(
    *, certificate: Certificate, by: User | None, at: dt.datetime, consent: bool
) -> Certificate:
    """Render, seal and store the second copy (once; a second request returns the first). ``by``
    is the staff member who issued it; the holder's own request keeps who imported it."""
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
        if by is not None:
            locked.issued_by = by
        locked.save()
        ImportedCertificate.objects.filter(pk=imported.pk).update(
            second_copy_consent_at=Coalesce(F("second_copy_consent_at"), Value(at)), second_copy_at=at
        )
    return locked


def request_second_copy(*, certificate: Certificate, by: User, at: dt.datetime, consent: bool) -> bool:
    """Record the consent and hand the second copy to a worker, which issues it and mails the
    holder (see ``deliver_second_copy``). Returns whether it was handed on now: the holder's
    second request while one is under way hands on nothing, nor does any request after the copy
    exists; an admin may hand on a stuck one again (the worker still makes one copy and one mail)."""
    from ..tasks import issue_second_copy as task

    imported = _check(certificate, consent)
    if imported.second_copy_at:
        return False
    recorded = ImportedCertificate.objects.filter(pk=imported.pk, second_copy_consent_at__isnull=True).update(
        second_copy_consent_at=at
    )
    if recorded or by.pk != certificate.enrollment.user_id:
        transaction.on_commit(lambda: task.delay(certificate.pk, by.pk))
        return True
    return False


def deliver_second_copy(*, certificate_id: int, by_id: int, at: dt.datetime) -> Certificate | None:
    """The worker's part: issue the second copy (once) and mail the holder the link to it (once:
    the mail's key is fixed). Nothing happens without the recorded consent."""
    from django.urls import reverse

    from portal.mail import queue_templated_mail
    from portal.mail.outbox import absolute_url

    certificate = (
        Certificate.objects.select_related("enrollment__user", "cohort__programme", "imported")
        .filter(pk=certificate_id, imported__second_copy_consent_at__isnull=False)
        .first()
    )
    if certificate is None:
        return None
    user = certificate.enrollment.user
    staff = User.objects.filter(pk=by_id).exclude(pk=user.pk).first()
    copy = issue_second_copy(certificate=certificate, by=staff, at=at, consent=True)
    queue_templated_mail(
        template="certificates/second_copy",
        context={
            "certificate": copy,
            "user": user,
            "original": copy.issued_on,
            "link": absolute_url(reverse("certificates:download", args=[copy.pk])),
        },
        recipient=user.email,
        user=user,
        language=copy.language,
        kind="certificate-second-copy",
        idempotency_key=f"certificate-second-copy:{copy.pk}",
        attachment=copy.pdf.name,
        attachment_name=f"Zertifikat-{copy.number}-Zweitschrift.pdf",
        related=copy,
    )
    return copy
