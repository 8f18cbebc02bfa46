"""Writes about people and certificates from before the portal, after their import: the
invitation to claim an account (never sent by the import itself) and the registration of an
original's or scan's fingerprint."""

import datetime as dt
import hashlib

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.mail import queue_templated_mail
from portal.mail.outbox import absolute_url

from ..models import Certificate
from .models import ImportedEnrollment, RegisteredFingerprint


def claim_url(user: User) -> str:
    """A one-time link to set a password (allauth's password reset), which claims the account."""
    from allauth.account.adapter import get_adapter
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    key = f"{user_pk_to_url_str(user)}-{default_token_generator.make_token(user)}"
    return get_adapter().get_reset_password_from_key_url(key)


def invite(*, imported: list[ImportedEnrollment], by: User, at: dt.datetime) -> int:
    """Mail each imported person (once per participation) the link to claim their account, the
    privacy notice and, where there is one, their certificate's number and verification code."""
    from django.urls import reverse

    sent = 0
    for record in imported:
        enrollment = record.enrollment
        user = enrollment.user
        if user.erased_at or not user.is_active:
            continue
        certificate = (
            Certificate.objects.filter(enrollment=enrollment)
            .exclude(status=Certificate.Status.REVOKED)
            .first()
        )
        link = claim_url(user) if not user.has_usable_password() else absolute_url(reverse("account_login"))
        queue_templated_mail(
            template="certificates/history_invitation",
            context={
                "user": user,
                "cohort": enrollment.cohort,
                "certificate": certificate,
                "link": link,
                "privacy_url": absolute_url(reverse("privacy")),
                "verify_url": absolute_url(reverse("certificates:verify")),
            },
            recipient=user.email,
            user=user,
            kind="history-invitation",
            idempotency_key=f"history-invitation:{record.pk}:{at:%Y%m%d%H%M}",
            related=record,
            secrets=[link] if not user.has_usable_password() else [],
        )
        ImportedEnrollment.objects.filter(pk=record.pk).update(invited_at=at)
        sent += 1
    return sent


def register_fingerprint(
    *, certificate: Certificate, content: bytes, file_name: str, by: User, at: dt.datetime
):
    """Register an original's or a scan's bytes: the verification page's upload check then says
    "unverändert" for exactly these bytes. Only for certificates issued before the portal."""
    if not hasattr(certificate, "imported"):
        raise ValidationError(
            _("Nur Zertifikate aus der Zeit vor dem Portal werden so erfasst."), code="not-imported"
        )
    if content.lstrip()[:5] != b"%PDF-":
        raise ValidationError(_("Die Datei ist kein PDF."), code="not-pdf")
    digest = hashlib.sha256(content).hexdigest()
    try:
        with transaction.atomic():
            return RegisteredFingerprint.objects.create(
                certificate=certificate,
                sha256=digest,
                file_name=file_name[:200],
                registered_by=by,
                registered_at=at,
            )
    except IntegrityError:
        raise ValidationError(_("Diese Datei ist schon erfasst."), code="duplicate") from None
