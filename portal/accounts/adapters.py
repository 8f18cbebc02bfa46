from types import SimpleNamespace
from urllib.parse import quote, urlencode, urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext

from portal.accounts.navigation import local_path, remembered_destination, start_page
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
        """Each role starts on its own page; a ``next`` address still takes precedence, and so
        does the page the person wanted before signing up (``remember_destination``)."""
        return remembered_destination(request, forget=True) or start_page(request.user)

    def _destination(self, request) -> str | None:
        """The validated ``next`` of this request, else the remembered destination."""
        if request is None:
            return None
        sent = request.POST.get("next") or request.GET.get("next")
        return local_path(sent) or remembered_destination(request)

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        """On the configured address; the link carries where the person was going, so that
        confirming in another browser still ends there (validated again when the link is used)."""
        url = absolute_url(reverse("account_confirm_email", args=[emailconfirmation.key]))
        destination = self._destination(request)
        return f"{url}?{urlencode({'next': destination})}" if destination else url

    def get_email_verification_redirect_url(self, email_address):
        """After confirming while signed out: the login, which then says the address is confirmed."""
        if self.request.user.is_authenticated:
            return super().get_email_verification_redirect_url(email_address)
        query = {"bestaetigt": "1"}
        destination = remembered_destination(self.request)
        if destination:
            query["next"] = destination
        return f"{reverse('account_login')}?{urlencode(query)}"

    def get_reset_password_from_key_url(self, key: str) -> str:
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return absolute_url(path.replace("UID-KEY", quote(key)))

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
