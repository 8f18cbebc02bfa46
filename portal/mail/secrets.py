"""One-time links and codes in mails: only the recipient ever reads them.

A message that carries a secret (a password reset link, an address confirmation link, a login
code) is stored twice in the outbox row:

- ``subject``, ``body_text`` and ``body_html`` hold a redacted copy in which each secret is
  replaced by a placeholder. This copy is all that the admin, an application's mail list, the
  data export, the audit log and error reports can ever show.
- ``sealed_content`` holds the message as delivered, encrypted with a key derived from
  ``SECRET_KEY`` (Fernet: AES-128-CBC with HMAC-SHA256). It is read only by the send path and
  wiped in the same transaction that records the message as sent, bounced, failed or skipped.

So a database dump, a backup or a person with every permission of the admin never sees a
usable link; a retry after a crash still has the sealed text and sends the same message.
"""

import base64
import hashlib
import json
import re
from collections.abc import Iterable
from urllib.parse import quote

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import override

# The context names under which django-allauth hands a secret to its mail templates.
SECRET_CONTEXT_KEYS = ("password_reset_url", "activate_url", "key", "code", "token")
# Shorter values are not secrets worth the name and could match ordinary words.
MIN_SECRET_LENGTH = 4
# One-time links in mails stored before secrets were sealed (see the migration that redacts them).
ONE_TIME_LINK = re.compile(r"https?://[^\s<>\"']+/(?:password/reset/key|confirm-email)/[^\s<>\"']+")


class SealBroken(Exception):
    """The sealed text cannot be read (the key changed, or the data was altered)."""


def secrets_in(context: dict) -> list[str]:
    """The secrets among the values a mail template is rendered with."""
    values = (context.get(name) for name in SECRET_CONTEXT_KEYS)
    return [str(value) for value in values if value and len(str(value)) >= MIN_SECRET_LENGTH]


def placeholder(secret: str, language: str) -> str:
    with override(language):
        if secret.startswith(("http://", "https://", "/")):
            return _("[Link nur in der zugestellten E-Mail]")
        return _("[Code nur in der zugestellten E-Mail]")


def redact(text: str, secrets: Iterable[str], language: str) -> str:
    """``text`` with every secret replaced by a placeholder, also where HTML escaped it.
    The longest secrets first, so a link is replaced whole before the key inside it."""
    for secret in sorted(set(secrets), key=len, reverse=True):
        replacement = placeholder(secret, language)
        for form in sorted({secret, str(escape(secret)), quote(secret, safe=":/@")}, key=len, reverse=True):
            text = text.replace(form, replacement)
    return redact_one_time_links(text, language)


def redact_one_time_links(text: str, language: str) -> str:
    """Replace the portal's reset and confirmation links found in ``text`` (where the secrets
    themselves are no longer known)."""
    return ONE_TIME_LINK.sub(placeholder("https://", language), text)


def _fernet() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet(
        [
            Fernet(base64.urlsafe_b64encode(hashlib.sha256(f"portal.outbox-seal:{key}".encode()).digest()))
            for key in keys
        ]
    )


def seal(*, subject: str, body_text: str, body_html: str) -> str:
    """The delivered message, encrypted."""
    payload = json.dumps({"subject": subject, "body_text": body_text, "body_html": body_html})
    return _fernet().encrypt(payload.encode()).decode("ascii")


def unseal(token: str) -> dict[str, str]:
    """The delivered message back from ``seal``; raises ``SealBroken`` if it cannot be read."""
    try:
        return json.loads(_fernet().decrypt(token.encode("ascii")))
    except (InvalidToken, ValueError) as exc:
        raise SealBroken(str(exc) or type(exc).__name__) from None
