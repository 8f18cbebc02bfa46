"""The staff's second factor, enforced on every request (``PORTAL_STAFF_MFA_REQUIRED``)."""

from django.conf import settings


def _exempt(request) -> bool:
    """Pages an account may reach before its second factor: setting it up, proving it, leaving."""
    from django.urls import reverse

    allowed = (
        reverse("mfa_index"),
        reverse("account_logout"),
        reverse("account_reauthenticate"),
        settings.STATIC_URL,
        reverse("set_language"),
        "/konto/2fa/",
    )
    return request.path.startswith(allowed)


def _passed_in_this_session(request, user) -> bool | None:
    """True if this session proved the second factor; None if it cannot prove one yet (no
    authenticator); False if an authenticator exists but this session signed in without it."""
    from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY

    from portal.accounts.security import MFA_SESSION_KEY, has_authenticator

    if request.session.get(MFA_SESSION_KEY):
        return True
    # allauth records how this session signed in; a session made without the login form
    # (force_login in tests, sessions from before the records) has none.
    records = request.session.get(AUTHENTICATION_METHODS_SESSION_KEY) or []
    if any(record.get("method") == "mfa" for record in records) or (not records and has_authenticator(user)):
        request.session[MFA_SESSION_KEY] = True
        return True
    return False if records and has_authenticator(user) else None


class StaffMFAMiddleware:
    """Staff must set up a second factor (TOTP) before they can do anything else.

    Whether an account needs one is decided on every request from its current rights
    (``portal.accounts.security.requires_mfa``), never from what the session remembers: an account
    given staff rights mid-session is stopped on its next request. An account that has an
    authenticator (set up elsewhere since) but signed in with its password alone is asked for
    the code."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.contrib import messages
        from django.shortcuts import redirect
        from django.utils.translation import gettext as _

        from portal.accounts.security import requires_mfa

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not requires_mfa(user):
            return self.get_response(request)
        passed = _passed_in_this_session(request, user)
        if passed or _exempt(request):
            return self.get_response(request)
        if passed is False:
            return redirect("mfa_reauthenticate")
        messages.warning(
            request,
            _(
                "Für Ihr Konto mit Verwaltungsrechten ist eine Zwei-Faktor-Anmeldung vorgeschrieben. "
                "Bitte richten Sie sie jetzt ein."
            ),
        )
        return redirect("mfa_activate_totp")
