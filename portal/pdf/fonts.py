"""The fonts the portal's PDFs print with, and which characters they can print.

The PDFs never use the host's fonts: a renderer sees only the fonts shipped in ``static/pdf/fonts``
(``fontconfig_file``), so a character none of them draws would print as an empty box (``.notdef``)
and break PDF/A. Names are therefore checked against the shipped fonts' character maps when they
are typed (``validate_printable``, on the sign-up and profile forms) and again before a
certificate is rendered.

The fonts cover the scripts of names in German administrations: Latin with every European
alphabet and Vietnamese, Greek and Cyrillic (SCM Sans, from Fira Sans), Arabic (also Persian, Dari,
Pashto, Urdu and Kurdish letters), Hebrew, Armenian and Georgian (Noto Sans). Not covered: CJK
(a font for it alone is several megabytes) and emoji; such names are refused with the characters
named, so a person can type their name in Latin letters as in their passport.
"""

import functools
import tempfile
import threading
import unicodedata
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

FONT_DIR = Path(settings.BASE_DIR) / "static" / "pdf" / "fonts"

# Families in fallback order, as certificate.css names them; each in a regular and a bold cut.
CERTIFICATE_FAMILIES = ("SCMSans", "NotoSansArabic", "NotoSansHebrew", "NotoSansArmenian", "NotoSansGeorgian")

# Characters that draw nothing and need no glyph: joiners and direction marks (Arabic, Persian and
# Hebrew names use them), variation selectors are not among them.
IGNORABLE = frozenset("\u200c\u200d\u200e\u200f")


@functools.cache
def printable_codepoints(families: tuple[str, ...] = CERTIFICATE_FAMILIES) -> frozenset[int]:
    """Every character that one of the families draws in both its regular and bold cut."""
    from fontTools.ttLib import TTFont

    covered: set[int] = set()
    for family in families:
        cuts = [
            set(TTFont(FONT_DIR / f"{family}-{cut}.ttf", lazy=True).getBestCmap())
            for cut in ("Regular", "Bold")
        ]
        covered |= cuts[0] & cuts[1]
    return frozenset(covered)


def unprintable_characters(text: str) -> list[str]:
    """The distinct characters of ``text`` that the shipped fonts cannot print, in order."""
    covered = printable_codepoints()
    seen: dict[str, None] = {}
    for character in unicodedata.normalize("NFC", text):
        if ord(character) not in covered and character not in IGNORABLE and character not in seen:
            seen[character] = None
    return list(seen)


def describe(characters: list[str]) -> str:
    """Characters as a person can recognise them and a helper can look them up: „😀“ (U+1F600)."""
    return ", ".join(f"„{character}“ (U+{ord(character):04X})" for character in characters)


def unprintable_message(characters: list[str]) -> str:
    return ngettext(
        "Dieses Zeichen kann im Zertifikat nicht gedruckt werden: %(characters)s. Bitte schreiben "
        "Sie Ihren Namen ohne dieses Zeichen, zum Beispiel in lateinischen Buchstaben wie im Pass.",
        "Diese Zeichen können im Zertifikat nicht gedruckt werden: %(characters)s. Bitte schreiben "
        "Sie Ihren Namen ohne diese Zeichen, zum Beispiel in lateinischen Buchstaben wie im Pass.",
        len(characters),
    ) % {"characters": describe(characters)}


def validate_printable(value: str) -> None:
    """Form validator: the value prints on a certificate with the shipped fonts."""
    characters = unprintable_characters(value or "")
    if characters:
        raise ValidationError(unprintable_message(characters), code="unprintable")


_config_lock = threading.Lock()


@functools.cache
def fontconfig_file() -> str:
    """A fontconfig configuration without any font folder: a renderer that loads it knows only the
    fonts its stylesheets declare with @font-face, never the host's."""
    folder = Path(tempfile.mkdtemp(prefix="portal-fontconfig-"))
    (folder / "cache").mkdir()
    path = folder / "fonts.conf"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        f"<fontconfig><cachedir>{folder / 'cache'}</cachedir></fontconfig>\n",
        encoding="utf-8",
    )
    return str(path)


def shipped_fonts_only(create):
    """Run ``create`` (which loads a fontconfig configuration) with ``fontconfig_file`` in place of
    the host's configuration. Fontconfig reads the variable when it loads a configuration."""
    import os

    with _config_lock:
        previous = os.environ.get("FONTCONFIG_FILE")
        os.environ["FONTCONFIG_FILE"] = fontconfig_file()
        try:
            return create()
        finally:
            if previous is None:
                os.environ.pop("FONTCONFIG_FILE", None)
            else:
                os.environ["FONTCONFIG_FILE"] = previous
