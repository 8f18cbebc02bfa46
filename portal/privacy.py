"""The portal's own personal data: the account, its addresses and second factors, the mails sent.

See ``portal.data_protection`` for how the apps' ``privacy`` modules work together.
"""

import datetime as dt

from allauth.account.models import EmailAddress
from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.db import transaction
from django.db.models import ProtectedError, Q, RestrictedError

from .data_protection import (
    Export,
    forget_actor_in_audit_log,
    retention_months,
    scrub_audit_log,
)
from .models import OutboxMessage, User

SCRUBBED_MAIL = {
    "user": None,
    "recipient": "",
    "subject": "",
    "body_text": "",
    "body_html": "",
    "sealed_content": "",
    "attachment": "",
    "attachment_name": "",
}


def placeholder_email(user: User) -> str:
    """An address that can never receive mail (.invalid is reserved) and frees the real one."""
    return f"geloescht-{user.pk}@konto.invalid"


def _authenticators(user: User):
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user)


def export(user: User) -> Export:
    mails = OutboxMessage.objects.filter(Q(user=user) | Q(recipient__iexact=user.email)).order_by(
        "created_at"
    )
    return Export(
        name="konto",
        data={
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "language": user.language,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "roles": sorted(user.groups.values_list("name", flat=True)),
            "email_addresses": list(
                EmailAddress.objects.filter(user=user).values("email", "verified", "primary")
            ),
            # Only which second factors exist: their secrets are not personal data to hand out.
            "second_factors": list(_authenticators(user).values("type", "created_at", "last_used_at")),
            "mails": [
                {
                    "created_at": m.created_at,
                    "sent_at": m.sent_at,
                    "status": m.status,
                    "kind": m.kind,
                    "recipient": m.recipient,
                    "subject": m.subject,
                    "text": m.body_text,
                }
                for m in mails
            ],
        },
    )


def _forget_sign_in_records(email: str) -> None:
    """Failed and successful sign-ins recorded under the address (django-axes)."""
    if not apps.is_installed("axes") or not email:
        return
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__iexact=email).delete()


def _close(user: User, **fields) -> None:
    """Lock the account for good. ``update()``, so no signal copies the old values anywhere."""
    EmailAddress.objects.filter(user=user).delete()
    _authenticators(user).delete()
    _forget_sign_in_records(user.email)
    user.groups.clear()
    user.user_permissions.clear()
    user.set_unusable_password()
    fields = {
        "email": placeholder_email(user),
        "password": user.password,
        "is_active": False,
        "is_staff": False,
        "is_superuser": False,
        **fields,
    }
    User.objects.filter(pk=user.pk).update(**fields)
    for name, value in fields.items():
        setattr(user, name, value)


def restrict(user: User, *, at: dt.datetime) -> None:
    """Locked, signed out everywhere (the password hash changes), the address freed; the name
    stays, because the records that must be kept are about this person. Mails stay as proof of
    what was sent and follow the mail log's own period."""
    _close(user, erasure_requested_at=at)


def erase(user: User, *, at: dt.datetime) -> None:
    """Delete the account; where kept records still point to it, leave an empty, locked row."""
    mails = OutboxMessage.objects.filter(Q(user=user) | Q(recipient__iexact=user.email))
    # A mail still waiting would otherwise go out to an address the person took back.
    mails.filter(status=OutboxMessage.Status.QUEUED).update(
        status=OutboxMessage.Status.FAILED, error="account erased"
    )
    mails.update(**SCRUBBED_MAIL)
    scrub_audit_log(User, [user.pk])
    forget_actor_in_audit_log(user)
    _close(user)
    try:
        with transaction.atomic():
            user.delete()
    except (ProtectedError, RestrictedError):
        _close(user, first_name="", last_name="", last_login=None, erased_at=at)


def retention(*, at: dt.datetime) -> dict[str, int]:
    """The mail log keeps what was sent for the retention period, then only that it was sent:
    the idempotency key stays, so a late retry can still never send twice."""
    cutoff = at - relativedelta(months=retention_months())
    scrubbed = (
        OutboxMessage.objects.filter(created_at__lt=cutoff)
        .exclude(status=OutboxMessage.Status.QUEUED)
        .exclude(recipient="", subject="")
    )
    return {"mails_scrubbed": scrubbed.update(**SCRUBBED_MAIL)}
