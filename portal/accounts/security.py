"""Login protection and the second factor for staff."""

from django.conf import settings
from django.shortcuts import render

MFA_SESSION_KEY = "portal_mfa_ok"
# A fixed secret only for the demo accounts of `seed_demo`, printed by it; never used otherwise.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105


def login_name(request, credentials) -> str:
    """The name django-axes counts failures for: allauth logs in with an e-mail address."""
    credentials = credentials or {}
    name = credentials.get("email") or credentials.get("username") or credentials.get("login")
    if not name and request is not None:
        name = request.POST.get("login", "")
    return (name or "").strip().lower()


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out login: the portal's page, with Retry-After."""
    from axes.helpers import get_cool_off

    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds()) if cool_off else 0
    response = render(
        request,
        "portal/locked_out.html",
        {"cooloff_minutes": max(1, -(-seconds // 60))},
        status=429,
    )
    if seconds:
        response["Retry-After"] = str(seconds)
    return response


MFA_REQUIRED_SESSION_KEY = "portal_mfa_required"
STATISTICS_SESSION_KEY = "portal_can_view_statistics"


def requires_mfa(user) -> bool:
    """Staff, and everyone who may download the pseudonymised data of all participants."""
    if not settings.PORTAL_STAFF_MFA_REQUIRED:
        return False
    return user.is_staff or user.is_superuser or user.has_perm("evaluation.export_pseudonymised")


def has_authenticator(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def remember_mfa_on_login(sender, request, user, **kwargs) -> None:
    """Checked once at login, so pages do not pay queries for it on every request."""
    if request is not None and hasattr(request, "session"):
        required = requires_mfa(user)
        request.session[MFA_REQUIRED_SESSION_KEY] = required
        # For the header's links, so pages do not look up permissions on every request.
        request.session[STATISTICS_SESSION_KEY] = user.has_perm("evaluation.view_statistics")
        if required:
            request.session[MFA_SESSION_KEY] = has_authenticator(user)


def remember_mfa_on_activation(sender, request=None, authenticator=None, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[MFA_SESSION_KEY] = True
