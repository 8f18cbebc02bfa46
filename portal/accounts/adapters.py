from types import SimpleNamespace

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.utils.translation import gettext

from portal.accounts.navigation import start_page
from portal.mail import queue_email_message
from portal.mail.secrets import secrets_in


class AccountAdapter(DefaultAccountAdapter):
    """Sends allauth's account mails through the portal's outbox, signed with the portal's name.

    Reset and confirmation links and codes are handed over as secrets: the outbox keeps them
    only sealed until the mail is sent, and shows a placeholder instead."""

    def get_login_redirect_url(self, request):
        """Each role starts on its own page; a ``next`` address still takes precedence."""
        return start_page(request.user)

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
