"""The checks of a token's parts before and after its signature: bounded JSON, and the time in
which a credential counts (``exp``, ``nbf``, ``validFrom``, ``validUntil``, a minute's leeway
for clocks). Used by ``openbadges.verify_token``."""

import base64
import datetime as dt
import json

from django.utils.translation import gettext_lazy

from . import bounds

LEEWAY = dt.timedelta(seconds=60)


class CredentialError(ValueError):
    """A credential that is malformed, not signed by this portal, or fails the schema."""


class CredentialNotNow(CredentialError):
    """Signed by this portal, but expired or not yet valid; ``message`` says which, for the page."""

    def __init__(self, message, credential_id: str | None):
        super().__init__(str(message))
        self.message = message
        self.credential_id = credential_id


def json_part(part: str):
    """A base64url JSON part of a compact JWS, parsed only when it nests within the bound."""
    try:
        text = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)).decode()
    except (ValueError, TypeError) as exc:
        raise CredentialError("not base64url JSON") from exc
    if not bounds.json_nesting_within(text):
        raise CredentialError("nested too deeply")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise CredentialError("not JSON") from exc


def _moment(value, *, claim: str) -> dt.datetime | None:
    """A time claim: seconds since the epoch (exp, nbf) or an XML Schema dateTime (validFrom,
    validUntil); a malformed one is an error, not a claim to ignore."""
    if value is None:
        return None
    try:
        if claim in ("exp", "nbf"):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise TypeError(claim)
            return dt.datetime.fromtimestamp(value, dt.UTC)
        moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except (TypeError, ValueError, OverflowError, OSError) as exc:
        raise CredentialError(f"{claim} malformed") from exc
    if moment.tzinfo is None:
        raise CredentialError(f"{claim} without a time zone")
    return moment


def check_time(payload: dict, *, at: dt.datetime) -> None:
    """Raise ``CredentialNotNow`` unless ``at`` lies within every time the payload states."""
    ends = [_moment(payload.get(claim), claim=claim) for claim in ("exp", "validUntil")]
    starts = [_moment(payload.get(claim), claim=claim) for claim in ("nbf", "validFrom")]
    credential_id = payload.get("id") if isinstance(payload.get("id"), str) else None
    if any(end is not None and at > end + LEEWAY for end in ends):
        raise CredentialNotNow(
            gettext_lazy("Der Nachweis stammt von diesem Portal, ist aber abgelaufen."), credential_id
        )
    if any(start is not None and at < start - LEEWAY for start in starts):
        raise CredentialNotNow(
            gettext_lazy("Der Nachweis stammt von diesem Portal, ist aber noch nicht gültig."), credential_id
        )
