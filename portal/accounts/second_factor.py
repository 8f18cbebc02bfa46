"""Limits on signing in, and wrong codes lock the second factor as django-axes locks passwords.

allauth's limits (``ACCOUNT_RATE_LIMITS``; sliding windows in the cache; "ip" is the client
address as ``portal.web.ratelimit.client_address`` derives it behind the proxy, "key" the account):

- ``login`` ``300/10m/ip``: a municipality's whole office signs in through one NAT address at a
  deadline; 200 people in 10 minutes, with some typing errors, all get in.
- ``login_failed`` ``20/m/ip,10/30m/key``: guessing is stopped per account, from whatever
  addresses: ten wrong passwords (or second-factor codes) per account in 30 minutes. django-axes
  locks the account for one address after five first, with its page, so the owner at another
  address still signs in while one attacker is locked out. Per address, 20 a minute is enough for
  an office's typing errors.
- ``reset_password`` ``20/m/ip,5/m/key,20/d/key``: reset mails to one address at most 5 a
  minute and 20 a day.

On top of that the second-factor step locks:

- an **account** after ``PORTAL_MFA_FAILURE_LIMIT`` wrong codes (default: django-axes' limit,
  five), from whatever addresses they came: spreading guesses over many addresses gains nothing;
- an **address** after ``PORTAL_MFA_ADDRESS_FAILURE_LIMIT`` wrong codes for any accounts, so one
  client cannot try a few codes on each of many accounts whose passwords it holds.

A lock lasts django-axes' cool-off (``PORTAL_LOGIN_LOCKOUT_MINUTES``) from the last wrong code.
While locked, even the right code is refused. A right code clears the account's count, as
django-axes does on success. Only someone who already passed the password can reach this step,
so locking the account here cannot be used to keep its owner out of the password step.

The counts live in the cache as lists of timestamps, so they hold across web nodes (Redis) and
expire on their own.
"""

import hashlib
import math
import time

from allauth.core import context
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

from portal.web.ratelimit import client_address
from portal.web.text import TextFormMixin


def _cool_off() -> float:
    return settings.AXES_COOLOFF_TIME.total_seconds()


def _counters(request, user) -> list[tuple[str, int]]:
    """The cache keys that count this attempt, with the limit of each."""
    counters = [(f"portal:mfa-failures:account:{user.pk}", settings.PORTAL_MFA_FAILURE_LIMIT)]
    address = client_address(request) if request is not None else None
    if address:
        digest = hashlib.sha256(address.encode()).hexdigest()[:24]
        counters.append((f"portal:mfa-failures:address:{digest}", settings.PORTAL_MFA_ADDRESS_FAILURE_LIMIT))
    return counters


def _recent(key: str, now: float) -> list[float]:
    return [stamp for stamp in cache.get(key, []) if stamp > now - _cool_off()]


def locked_seconds(request, user) -> int:
    """Seconds until the second factor may be tried again by this client for this account; 0 if it may."""
    now = time.time()
    remaining = 0.0
    for key, limit in _counters(request, user):
        recent = _recent(key, now)
        if len(recent) >= limit:
            remaining = max(remaining, max(recent) + _cool_off() - now)
    return math.ceil(remaining)


def record_failure(request, user) -> None:
    now = time.time()
    for key, _limit in _counters(request, user):
        cache.set(key, [*_recent(key, now), now], timeout=math.ceil(_cool_off()))


def record_success(user) -> None:
    cache.delete(f"portal:mfa-failures:account:{user.pk}")


def locked_error(seconds: int) -> ValidationError:
    minutes = max(1, math.ceil(seconds / 60))
    return ValidationError(
        ngettext(
            "Nach zu vielen falschen Codes ist die Anmeldung mit dem zweiten Faktor für %(minutes)s "
            "Minute gesperrt. Bitte versuchen Sie es danach erneut.",
            "Nach zu vielen falschen Codes ist die Anmeldung mit dem zweiten Faktor für %(minutes)s "
            "Minuten gesperrt. Bitte versuchen Sie es danach erneut.",
            minutes,
        )
        % {"minutes": minutes},
        code="second_factor_locked",
    )


class SecondFactorLockMixin(TextFormMixin):
    """Put first among the bases of allauth's code forms (see the module docstring)."""

    def clean_code(self) -> str:
        request = context.request
        seconds = locked_seconds(request, self.user)
        if seconds:
            raise locked_error(seconds)
        try:
            code = super().clean_code()
        except ValidationError as error:
            if error.code == "incorrect_code":
                record_failure(request, self.user)
            raise
        record_success(self.user)
        return code


class LockingAuthenticateForm(SecondFactorLockMixin, AuthenticateForm):
    """The code at sign-in (``MFA_FORMS["authenticate"]``)."""


class LockingReauthenticateForm(SecondFactorLockMixin, ReauthenticateForm):
    """The code when allauth asks again before a sensitive change (``MFA_FORMS["reauthenticate"]``)."""
