"""Texts kept in two languages in the database (a German one, always given, and an English one)."""

from django.utils.translation import get_language


def in_active_language(german: str, english: str) -> str:
    """The English text on English pages and in English mails, where there is one; else the German."""
    return english if english and get_language() == "en" else german
