from allauth.account.adapter import DefaultAccountAdapter

from .mail import queue_email_message


class AccountAdapter(DefaultAccountAdapter):
    """Sends allauth's account mails through the portal's outbox."""

    def send_mail(self, template_prefix, email, context):
        message = self.render_mail(template_prefix, email, context)
        user = context.get("user")
        kind = "account:" + template_prefix.rsplit("/", 1)[-1]
        queue_email_message(message, kind=kind, user=user if getattr(user, "pk", None) else None)
