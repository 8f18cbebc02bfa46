from django import template

from portal.pdf.fonts import describe, unprintable_characters

register = template.Library()


@register.simple_tag
def unprintable(text: str) -> str:
    """The characters of ``text`` the certificate cannot print, described; empty where none."""
    missing = unprintable_characters(text or "")
    return describe(missing) if missing else ""
