"""The account's language at login: the language chosen before logging in is kept when the
account has none of its own; otherwise the account's own wins, for the whole page at once."""

from django.conf import settings
from django.utils import translation

from portal.accounts.services import take_language_at_login
from portal.web.middleware import SUPPORTED


def language_on_login(sender, request, user, **kwargs) -> None:
    """At login the page speaks the account's language from this request on (so the login's own
    message does too); a language chosen before logging in is stored if the account has none."""
    if request is None:
        return
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    language = take_language_at_login(user=user, chosen=chosen if chosen in SUPPORTED else None)
    if language in SUPPORTED:
        translation.activate(language)
        request.LANGUAGE_CODE = language
