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


STATISTICS_SESSION_KEY = "portal_can_view_statistics"
# Rights that need a second factor although they do not make an account staff.
MFA_PERMISSIONS = ("evaluation.export_pseudonymised",)
RIGHTS_GENERATION_KEY = "portal:rights-generation"
RIGHTS_CACHE_SECONDS = 600


def requires_mfa(user) -> bool:
    """Staff, and everyone who may download the pseudonymised data of all participants.

    Decided from the account's rights as they are now, on every request: ``is_staff`` and
    ``is_superuser`` come with the user row the request loads anyway; the permission part is
    remembered in the cache until any group or permission assignment changes (``forget_rights``),
    so an account promoted in the middle of a session needs its second factor on the next request.
    """
    if not settings.PORTAL_STAFF_MFA_REQUIRED:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return _holds_mfa_permission(user)


def _holds_mfa_permission(user) -> bool:
    from django.core.cache import cache

    user_key = f"portal:mfa-rights:{user.pk}"
    cached = cache.get_many([RIGHTS_GENERATION_KEY, user_key])
    generation = cached.get(RIGHTS_GENERATION_KEY)
    if generation is None:
        generation = _new_generation()
    remembered = cached.get(user_key)
    if remembered is not None and remembered[0] == generation:
        return remembered[1]
    held = any(user.has_perm(permission) for permission in MFA_PERMISSIONS)
    cache.set(user_key, (generation, held), timeout=RIGHTS_CACHE_SECONDS)
    return held


def _new_generation() -> str:
    import secrets

    from django.core.cache import cache

    generation = secrets.token_hex(8)
    cache.set(RIGHTS_GENERATION_KEY, generation, timeout=None)
    return generation


def forget_rights(sender=None, **kwargs) -> None:
    """Any change of groups or permissions: every remembered decision is decided afresh."""
    _new_generation()


def connect_rights_signals() -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from django.db.models.signals import m2m_changed, post_delete

    user_model = get_user_model()
    for through in (
        user_model.groups.through,
        user_model.user_permissions.through,
        Group.permissions.through,
    ):
        m2m_changed.connect(forget_rights, sender=through, dispatch_uid=f"portal.forget_rights:{through}")
    for model in (Group, Permission):
        post_delete.connect(forget_rights, sender=model, dispatch_uid=f"portal.forget_rights_delete:{model}")


def has_authenticator(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def remember_mfa_on_login(sender, request, user, **kwargs) -> None:
    """Whether this session passed a second factor: allauth asks for it at login whenever the
    account has an authenticator. Whether one is *required* is decided on every request."""
    if request is not None and hasattr(request, "session"):
        # For the header's links, so pages do not look up permissions on every request.
        request.session[STATISTICS_SESSION_KEY] = user.has_perm("evaluation.view_statistics")
        if requires_mfa(user):
            request.session[MFA_SESSION_KEY] = has_authenticator(user)


def remember_mfa_on_activation(sender, request=None, authenticator=None, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[MFA_SESSION_KEY] = True
