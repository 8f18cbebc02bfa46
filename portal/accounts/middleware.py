"""The staff's second factor, enforced on every request (``PORTAL_STAFF_MFA_REQUIRED``)."""

from django.conf import settings


class StaffMFAMiddleware:
    """Staff must set up a second factor (TOTP) before they can do anything else.

    Whether an account needs one is decided on every request from its current rights
    (``portal.accounts.security.requires_mfa``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.contrib import messages
        from django.shortcuts import redirect
        from django.urls import reverse
        from django.utils.translation import gettext as _

        from portal.accounts.security import MFA_SESSION_KEY, has_authenticator, requires_mfa

        user = getattr(request, "user", None)
        # Decided from the account's rights as they are now, never from what the session
        # remembers: an account given staff rights mid-session is stopped on its next request.
        required = user is not None and user.is_authenticated and requires_mfa(user)
        if required:
            if not request.session.get(MFA_SESSION_KEY):
                if has_authenticator(user):
                    request.session[MFA_SESSION_KEY] = True
                else:
                    allowed = (
                        reverse("mfa_index"),
                        reverse("account_logout"),
                        reverse("account_reauthenticate"),
                        settings.STATIC_URL,
                        reverse("set_language"),
                    )
                    if not request.path.startswith(allowed) and not request.path.startswith("/konto/2fa/"):
                        messages.warning(
                            request,
                            _(
                                "Für Ihr Konto mit Verwaltungsrechten ist eine Zwei-Faktor-Anmeldung vorgeschrieben. "
                                "Bitte richten Sie sie jetzt ein."
                            ),
                        )
                        return redirect("mfa_activate_totp")
        return self.get_response(request)
