"""The portal's own personal data: the account, its addresses and second factors, the mails sent,
and the reports of barriers sent with the form of the accessibility statement.

See ``portal.privacy.registry`` for how the apps' ``privacy`` modules work together.
"""

import datetime as dt

from allauth.account.models import EmailAddress
from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import ProtectedError, Q, RestrictedError
from django.db.models.functions import Lower
from django.utils import timezone

from portal.accounts.models import User
from portal.mail.models import OutboxMessage
from portal.models import AccessibilityFeedback
from portal.privacy.registry import (
    Export,
    forget_actor_in_audit_log,
    retention_months,
    scrub_audit_log,
)

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


def own_feedback(user: User):
    """The reports of barriers sent with one of the person's confirmed addresses, in any case
    (one statement: the addresses are a subquery).

    The form asks for no account and does not check the address it is given, so the address is
    all that ties a report to a person. Only a confirmed address counts: an address added to an
    account but not yet confirmed could be anybody's, and would hand that person's reports to
    whoever added it, in an export, or let them delete them with their account.
    """
    confirmed = (
        EmailAddress.objects.filter(user=user, verified=True).annotate(lower=Lower("email")).values("lower")
    )
    return AccessibilityFeedback.objects.alias(email_lower=Lower("email")).filter(email_lower__in=confirmed)


def _delete_feedback(feedback, *, reason: str) -> int:
    """Delete the reports and empty the mails that carried them to the operator's contact (they
    hold the same name, address and text); a mail not yet sent is not sent any more."""
    pks = list(feedback.values_list("pk", flat=True))
    if not pks:
        return 0
    mails = OutboxMessage.objects.filter(
        related_model=AccessibilityFeedback._meta.label_lower, related_id__in=pks
    )
    mails.filter(status=OutboxMessage.Status.QUEUED).update(status=OutboxMessage.Status.FAILED, error=reason)
    mails.update(**SCRUBBED_MAIL)
    AccessibilityFeedback.objects.filter(pk__in=pks).delete()
    return len(pks)


def feedback_retention_months() -> int:
    return settings.PORTAL_FEEDBACK_RETENTION_MONTHS


def feedback_cutoff(at: dt.datetime) -> dt.datetime:
    """Reports received before this instant are past their period at ``at``: whole days in
    Europe/Berlin, so a report of 20.11.2025 is kept through 20.11.2026 (with twelve months)."""
    day = timezone.localdate(at) - relativedelta(months=feedback_retention_months())
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


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
            "accessibility_feedback": list(
                own_feedback(user)
                .order_by("created_at")
                .values("created_at", "page", "message", "name", "email")
            ),
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


def _erase_feedback(user: User) -> int:
    """The person's reports of barriers go with the account. Deleted, not anonymised: the text
    is the person's own words, and a report often says how they use the portal (with a screen
    reader, a magnifier, in sign language), which can reveal a disability, data about health
    (Art. 9 DSGVO); emptying name and address would leave that behind. The barrier itself is
    followed up in the operator's answer and in the accessibility statement, not in this record."""
    return _delete_feedback(own_feedback(user), reason="account erased")


def restrict(user: User, *, at: dt.datetime) -> None:
    """Locked, signed out everywhere (the password hash changes), the address freed; the name
    stays, because the records that must be kept are about this person. Mails stay as proof of
    what was sent and follow the mail log's own period. Reports of barriers are under no
    obligation: they go now, while the addresses that find them still exist."""
    _erase_feedback(user)
    _close(user, erasure_requested_at=at)


def erase(user: User, *, at: dt.datetime) -> None:
    """Delete the account; where kept records still point to it, leave an empty, locked row."""
    mails = OutboxMessage.objects.filter(Q(user=user) | Q(recipient__iexact=user.email))
    # A mail still waiting would otherwise go out to an address the person took back.
    mails.filter(status=OutboxMessage.Status.QUEUED).update(
        status=OutboxMessage.Status.FAILED, error="account erased"
    )
    mails.update(**SCRUBBED_MAIL)
    _erase_feedback(user)  # before _close() deletes the addresses that find the reports
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
    the idempotency key stays, so a late retry can still never send twice.

    Reports of barriers are deleted ``PORTAL_FEEDBACK_RETENTION_MONTHS`` after they came in,
    with the text of the mails that carried them (see the setting for the period)."""
    feedback_deleted = _delete_feedback(
        AccessibilityFeedback.objects.filter(created_at__lt=feedback_cutoff(at)), reason="retention"
    )
    cutoff = at - relativedelta(months=retention_months())
    scrubbed = (
        OutboxMessage.objects.filter(created_at__lt=cutoff)
        .exclude(status=OutboxMessage.Status.QUEUED)
        .exclude(recipient="", subject="")
    )
    return {"mails_scrubbed": scrubbed.update(**SCRUBBED_MAIL), "feedback_deleted": feedback_deleted}
