from types import SimpleNamespace
from urllib.parse import quote, urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext

from portal.accounts.navigation import start_page
from portal.accounts.secret_storage import open_secret, seal_secret
from portal.mail import absolute_url, queue_email_message
from portal.mail.secrets import secrets_in


def rebased(value, request):
    """An absolute link allauth built from the request, moved onto ``PORTAL_BASE_URL``."""
    if not isinstance(value, str) or request is None:
        return value
    origin = f"{request.scheme}://{request.get_host()}"
    if value.startswith(origin + "/"):
        return absolute_url(value[len(origin) :])
    return value


class AccountAdapter(DefaultAccountAdapter):
    """Sends allauth's account mails through the portal's outbox, signed with the portal's name.

    Reset and confirmation links and codes are handed over as secrets: the outbox keeps them
    only sealed until the mail is sent, and shows a placeholder instead.

    Every link in these mails is built from ``PORTAL_BASE_URL``, never from the request's Host
    header: a request sent with another allowed host name (``localhost``) must not produce a mail
    whose reset link points there."""

    def get_login_redirect_url(self, request):
        """Each role starts on its own page; a ``next`` address still takes precedence."""
        return start_page(request.user)

    def get_reset_password_from_key_url(self, key: str) -> str:
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return absolute_url(path.replace("UID-KEY", quote(key)))

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return absolute_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def send_mail(self, template_prefix, email, context):
        request = allauth_context.request
        site = SimpleNamespace(
            name=gettext("Smart City Manager:in"), domain=urlsplit(settings.PORTAL_BASE_URL).netloc
        )
        # Links allauth builds itself from the request (sign-up and reset pages in the mails to
        # unknown or existing addresses) are moved onto the configured address too.
        context = {key: rebased(value, request) for key, value in context.items()}
        message = self.render_mail(
            template_prefix, email, {"request": request, "email": email, "current_site": site, **context}
        )
        user = context.get("user")
        kind = "account:" + template_prefix.rsplit("/", 1)[-1]
        queue_email_message(
            message,
            kind=kind,
            user=user if getattr(user, "pk", None) else None,
            secrets=secrets_in(context),
        )


class MFAAdapter(DefaultMFAAdapter):
    """TOTP secrets and recovery-code seeds are stored encrypted (portal.accounts.secret_storage)."""

    def encrypt(self, text: str) -> str:
        return seal_secret(text)

    def decrypt(self, encrypted_text: str) -> str:
        return open_secret(encrypted_text)
