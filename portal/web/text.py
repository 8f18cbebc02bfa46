"""What text the portal accepts: NFC-normalised, without invisible characters that change how it prints.

A person could otherwise make a stored name print differently from how it reads in the admin:
a right-to-left override (U+202E) reverses what follows it, a zero-width space splits a word
invisibly, a control character may vanish in one place and show in another. The guarantee:

- Every text field of every portal form normalises its input to NFC before any validation, and
  refuses the characters below with a message that names them by code point (``TextFormMixin``).
- Every ``CharField`` and ``TextField`` of the portal's own models carries the same validator, so
  every ModelForm that validates its model (the admin included) refuses them too
  (``install_text_rules``), and every save of such a model stores NFC.

Refused are the bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069),
the direction marks U+200E, U+200F and U+061C, the zero-width characters U+200B–U+200D, U+2060
and U+FEFF, and every C0/C1 control character; TAB, LF and CR only in single-line fields.
Right-to-left scripts themselves (Arabic, Hebrew) are text like any other. A zero-width joiner
between two emoji is part of the emoji (👩‍💻) and is kept.
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

BIDI_CONTROLS = {*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C}
ZERO_WIDTH = {0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF}
LINE_BREAKS = {0x09, 0x0A, 0x0D}
ZERO_WIDTH_JOINER = "\u200d"
VARIATION_SELECTOR_EMOJI = "\ufe0f"

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


def refused_characters(value: str, *, multiline: bool = False) -> list[str]:
    """The code points (``U+202E``) of the refused characters in ``value``, each once, in order."""
    found = []
    for index, character in enumerate(value):
        point = ord(character)
        if point in LINE_BREAKS and multiline:
            continue
        if character == ZERO_WIDTH_JOINER and _joins_emoji(value, index):
            continue
        if point in BIDI_CONTROLS or point in ZERO_WIDTH or unicodedata.category(character) == "Cc":
            label = f"U+{point:04X}"
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
