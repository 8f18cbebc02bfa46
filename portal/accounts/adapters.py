from types import SimpleNamespace
from urllib.parse import urlencode

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.urls import reverse
from django.utils.translation import gettext

from portal.accounts.navigation import local_path, remembered_destination, start_page
from portal.mail import queue_email_message
from portal.mail.secrets import secrets_in


class AccountAdapter(DefaultAccountAdapter):
    """Sends allauth's account mails through the portal's outbox, signed with the portal's name.

    Reset and confirmation links and codes are handed over as secrets: the outbox keeps them
    only sealed until the mail is sent, and shows a placeholder instead."""

    def get_login_redirect_url(self, request):
        """Each role starts on its own page; a ``next`` address still takes precedence, and so
        does the page the person wanted before signing up (``remember_destination``)."""
        return remembered_destination(request, forget=True) or start_page(request.user)

    def _destination(self, request) -> str | None:
        """The validated ``next`` of this request, else the remembered destination."""
        if request is None:
            return None
        sent = request.POST.get("next") or request.GET.get("next")
        return local_path(request, sent) or remembered_destination(request)

    def get_email_confirmation_url(self, request, emailconfirmation):
        """The confirmation link carries where the person was going, so that confirming in
        another browser still ends there (validated again when the link is used)."""
        url = super().get_email_confirmation_url(request, emailconfirmation)
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

    def send_mail(self, template_prefix, email, context):
        request = allauth_context.request
        site = SimpleNamespace(
            name=gettext("Smart City Manager:in"), domain=request.get_host() if request else ""
        )
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
