"""Writes to a person's own account."""

from portal.accounts.models import User


def choose_language(*, user: User, language: str) -> None:
    """Remember the language of the portal and of the mails for this account."""
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
