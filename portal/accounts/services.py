"""Writes to a person's own account."""

from portal.accounts.models import User


def choose_language(*, user: User, language: str) -> None:
    """Remember the language of the portal and of the mails for this account."""
    if user.language != language or not user.language_chosen:
        user.language = language
        user.language_chosen = True
        user.save(update_fields=["language", "language_chosen"])


def take_language_at_login(*, user: User, chosen: str | None) -> str:
    """The language of a person logging in: the one they stored; if they never chose one, the one
    chosen with the switch before logging in (``chosen``), which is stored then."""
    if not user.language_chosen and chosen and chosen != user.language:
        choose_language(user=user, language=chosen)
    return user.language
