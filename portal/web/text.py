"""What text the portal accepts: NFC-normalised, without invisible characters that change how it prints.

A person could otherwise make a stored name print differently from how it reads in the admin:
a right-to-left override (U+202E) reverses what follows it, a zero-width space splits a word
invisibly, a control character may vanish in one place and show in another. The guarantee:

- Every text field of every portal form normalises its input to NFC before any validation, and
  refuses the characters below with a message that names them by code point (``TextFormMixin``).
- Every ``CharField`` and ``TextField`` of the portal's own models carries the same validator, so
  every ModelForm that validates its model (the admin included) refuses them too
  (``install_text_rules``), and every save of such a model stores NFC.

Refused are characters by their Unicode category, not by a list that a new invisible character
would slip past:

- every format character (Cf): the bidirectional embeddings, overrides, isolates and marks, the
  zero-width characters, the soft hyphen U+00AD, the invisible operators U+2061–U+2064, the
  deprecated format characters U+206A–U+206F, U+180E, the interlinear annotations U+FFF9–U+FFFB
  and the tag characters U+E0000–U+E007F;
- private-use characters (Co) and lone surrogates (Cs);
- the line and paragraph separators U+2028 and U+2029 (Zl, Zp), in every field;
- every control character (Cc), except TAB, LF and CR in multi-line fields;
- characters that are letters or marks to Unicode but print as nothing: the Hangul fillers
  U+3164, U+115F, U+1160, U+FFA0 and the combining grapheme joiner U+034F.

The exceptions, each where a script or an emoji needs it:

- ZERO WIDTH NON-JOINER (U+200C) and ZERO WIDTH JOINER (U+200D) between two letters (or marks) of
  one script that needs them for correct spelling: the Arabic script (Persian "زرین‌کوب", Pashto,
  Urdu) and the Indic scripts (Devanagari, Bengali, Gurmukhi, Gujarati, Oriya, Tamil, Telugu,
  Kannada, Malayalam, Sinhala). Between Latin letters, at the start or the end they are refused.
- A zero-width joiner between two emoji is part of the emoji (👩‍💻) and is kept, and so are the
  tag characters of a subdivision flag (🏴 followed by tags and the cancel tag U+E007F).

Right-to-left scripts themselves (Arabic, Hebrew) are text like any other.
"""

import unicodedata
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import pre_save
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

REFUSED_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Zl", "Zp"}
# Letters and marks to Unicode that print as nothing (Hangul fillers, combining grapheme joiner).
INVISIBLE_LETTERS = {0x3164, 0x115F, 0x1160, 0xFFA0, 0x034F}
TAGS = range(0xE0000, 0xE0080)
CANCEL_TAG = "\U000e007f"
BLACK_FLAG = "\U0001f3f4"
LINE_BREAKS = {0x09, 0x0A, 0x0D}
ZERO_WIDTH_NON_JOINER = "\u200c"
ZERO_WIDTH_JOINER = "\u200d"
VARIATION_SELECTOR_EMOJI = "\ufe0f"
# Scripts whose spelling needs ZWNJ/ZWJ between letters: (name, first, last code point).
JOINING_SCRIPTS = [
    ("arabic", 0x0600, 0x06FF),
    ("arabic", 0x0750, 0x077F),
    ("arabic", 0x0870, 0x08FF),
    ("arabic", 0xFB50, 0xFDFF),
    ("arabic", 0xFE70, 0xFEFE),
    ("devanagari", 0x0900, 0x097F),
    ("devanagari", 0xA8E0, 0xA8FF),
    ("bengali", 0x0980, 0x09FF),
    ("gurmukhi", 0x0A00, 0x0A7F),
    ("gujarati", 0x0A80, 0x0AFF),
    ("oriya", 0x0B00, 0x0B7F),
    ("tamil", 0x0B80, 0x0BFF),
    ("telugu", 0x0C00, 0x0C7F),
    ("kannada", 0x0C80, 0x0CFF),
    ("malayalam", 0x0D00, 0x0D7F),
    ("sinhala", 0x0D80, 0x0DFF),
]

MESSAGE = _(
    "Dieses Feld enthält unsichtbare Steuerzeichen, die die Darstellung des Textes verändern "
    "können: %(characters)s. Bitte entfernen Sie sie, z. B. indem Sie den Text neu eintippen."
)


def normalise(value: str) -> str:
    """The canonical composed form (NFC): "é" is one character however it was typed."""
    return unicodedata.normalize("NFC", value)


def _is_emoji(character: str) -> bool:
    return unicodedata.category(character) == "So" or 0x1F3FB <= ord(character) <= 0x1F3FF


def _joins_emoji(value: str, index: int) -> bool:
    """A zero-width joiner inside an emoji sequence (after an emoji, optionally with its variation
    selector or skin tone, and before another emoji)."""
    before = value[:index].rstrip(VARIATION_SELECTOR_EMOJI)
    after = value[index + 1 :]
    return bool(before) and bool(after) and _is_emoji(before[-1]) and _is_emoji(after[0])


def _joining_script(character: str) -> str | None:
    """The script of a letter or mark that may be joined with ZWNJ/ZWJ, else None."""
    if unicodedata.category(character)[0] not in "LM":
        return None
    point = ord(character)
    for name, first, last in JOINING_SCRIPTS:
        if first <= point <= last:
            return name
    return None


def _joins_letters(value: str, index: int) -> bool:
    """A ZWNJ or ZWJ between two letters (or marks) of one script that needs it."""
    if index == 0 or index + 1 >= len(value):
        return False
    before, after = _joining_script(value[index - 1]), _joining_script(value[index + 1])
    return before is not None and before == after


def _in_flag_tag_sequence(value: str, index: int) -> bool:
    """A tag character of a subdivision flag: 🏴, then tag letters or digits, then the cancel tag."""
    start = index
    while start > 0 and ord(value[start - 1]) in TAGS:
        start -= 1
    end = index
    while end + 1 < len(value) and ord(value[end + 1]) in TAGS:
        end += 1
    tags = value[start : end + 1]
    return (
        start > 0
        and value[start - 1] == BLACK_FLAG
        and len(tags) >= 2
        and tags[-1] == CANCEL_TAG
        and all(chr(0xE0030) <= t <= chr(0xE0039) or chr(0xE0061) <= t <= chr(0xE007A) for t in tags[:-1])
    )


def _is_refused(value: str, index: int, *, multiline: bool) -> bool:
    character = value[index]
    point = ord(character)
    if point in LINE_BREAKS:
        return not multiline
    if character in (ZERO_WIDTH_NON_JOINER, ZERO_WIDTH_JOINER) and _joins_letters(value, index):
        return False
    if character == ZERO_WIDTH_JOINER and _joins_emoji(value, index):
        return False
    if point in TAGS:
        return not _in_flag_tag_sequence(value, index)
    return point in INVISIBLE_LETTERS or unicodedata.category(character) in REFUSED_CATEGORIES


def refused_characters(value: str, *, multiline: bool = False) -> list[str]:
    """The code points (``U+202E``) of the refused characters in ``value``, each once, in order."""
    found = []
    for index, character in enumerate(value):
        if _is_refused(value, index, multiline=multiline):
            label = f"U+{ord(character):04X}"
            if label not in found:
                found.append(label)
    return found


@deconstructible
class TextValidator:
    """Refuses invisible control characters (see the module docstring)."""

    code = "invisible_characters"

    def __init__(self, *, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, value) -> None:
        if not isinstance(value, str):
            return
        found = refused_characters(value, multiline=self.multiline)
        if found:
            raise ValidationError(MESSAGE, code=self.code, params={"characters": ", ".join(found)})

    def __eq__(self, other) -> bool:
        return isinstance(other, TextValidator) and other.multiline == self.multiline


SINGLE_LINE = TextValidator()
MULTILINE = TextValidator(multiline=True)


# --- forms ------------------------------------------------------------------------------------


def is_text_field(field: forms.Field) -> bool:
    """Text a person types: every CharField (e-mail, URL and slug fields too), except passwords,
    which are compared byte for byte and never shown."""
    return isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput)


def is_multiline(field: forms.Field) -> bool:
    return isinstance(field.widget, forms.Textarea)


class TextFormMixin:
    """Put first among a form's bases: every text field's input is normalised to NFC before it
    is validated, and invisible control characters are refused by the field's own validation, so
    the error is shown at the field and the form is re-shown with everything typed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        text_fields = {name: field for name, field in self.fields.items() if is_text_field(field)}
        for field in text_fields.values():
            validator = MULTILINE if is_multiline(field) else SINGLE_LINE
            if validator not in field.validators:
                field.validators.append(validator)
        if self.is_bound:
            self.data = _normalised_data(self.data, [self.add_prefix(name) for name in text_fields])


def _normalised_data(data, keys: list[str]):
    data = data.copy()
    for key in keys:
        if hasattr(data, "getlist"):
            if key in data:
                data.setlist(key, [normalise(v) if isinstance(v, str) else v for v in data.getlist(key)])
        elif isinstance(data.get(key), str):
            data[key] = normalise(data[key])
    return data


# --- models -----------------------------------------------------------------------------------


def is_portal_app(app_config) -> bool:
    """The project's own apps, not Django's or an installed package's."""
    path = Path(app_config.path).resolve()
    return path.is_relative_to(Path(settings.BASE_DIR).resolve()) and not (
        {"site-packages", "dist-packages"} & set(path.parts)
    )


def text_model_fields(model) -> list[models.Field]:
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, (models.CharField, models.TextField))
    ]


def portal_models(app_configs) -> list[type[models.Model]]:
    return [model for app in app_configs if is_portal_app(app) for model in app.get_models()]


def install_text_rules(app_configs) -> None:
    """Give every CharField and TextField of the portal's models the text validator, and make
    every save of those models store NFC.

    Added at start-up rather than declared on each field: nothing can forget it, and migrations
    (which record declared validators) stay unchanged.
    """
    for model in portal_models(app_configs):
        for field in text_model_fields(model):
            validator = MULTILINE if isinstance(field, models.TextField) else SINGLE_LINE
            if validator not in field.validators:
                field.validators.append(validator)
        pre_save.connect(
            normalise_before_save, sender=model, dispatch_uid=f"portal.web.text.nfc:{model._meta.label}"
        )


def normalise_before_save(sender, instance, raw=False, **kwargs) -> None:
    """``pre_save``: whatever path a value took, a portal model stores its text in NFC."""
    if raw:
        return
    for field in text_model_fields(sender):
        value = getattr(instance, field.attname)
        if isinstance(value, str) and not unicodedata.is_normalized("NFC", value):
            setattr(instance, field.attname, normalise(value))
