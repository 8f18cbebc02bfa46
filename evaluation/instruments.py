"""Questionnaires as data: what an item offers, what an answer to it may be, and how a version is
frozen and succeeded.

A version that has answers never changes again (``is_frozen``); the admin and ``new_version``
make the next one. A form carries the ``fingerprint`` of the version it was shown with, so that an
answer is never stored against items that changed while the person was typing.
"""

import hashlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .models import Instrument, InstrumentVersion, Item, WaveResponse

TEXT_MAX = 1000
NUMBER_LIMIT = 1_000_000


@dataclass(frozen=True)
class Option:
    value: str
    label: str


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def options(item: Item, language: str | None = None) -> list[Option]:
    """The item's anchors (Likert: values 1–5) or choices (``value = label`` per line), labelled in
    ``language`` where the English text exists."""
    language = language or get_language() or "de"
    german = _lines(item.options)
    english = _lines(item.options_en)
    labels = english if language.startswith("en") and len(english) == len(german) else german
    if item.kind == Item.Kind.LIKERT:
        return [
            Option(str(value), label) for value, label in zip(range(1, 6), labels + [""] * 5, strict=False)
        ]
    result = []
    for raw, shown in zip(german, labels, strict=False):
        value, _sep, label = raw.partition("=")
        _value, _sep, shown_label = shown.partition("=")
        result.append(Option(value.strip(), (shown_label or label or value).strip()))
    return result


def item_text(item: Item, language: str | None = None) -> str:
    language = language or get_language() or "de"
    return item.text_en if language.startswith("en") and item.text_en else item.text


def item_label(item: Item, language: str | None = None) -> str:
    """The item's short name for a column head: its label, else its key."""
    language = language or get_language() or "de"
    if language.startswith("en") and item.label_en:
        return item.label_en
    return item.label or item.key


def text_max(item: Item) -> int:
    """How many characters a text answer may have: the item's ``maximum`` where set."""
    return item.maximum if item.maximum and item.maximum > 0 else TEXT_MAX


def clean_answer(item: Item, raw) -> dict | None:
    """The stored form of one answer (``number``, ``text`` or ``choices``), None for no answer.
    Raises ValidationError with a translated message for a value the item does not allow."""
    if raw in (None, "", []):
        return None
    if item.kind == Item.Kind.LIKERT:
        if str(raw) not in {"1", "2", "3", "4", "5"}:
            raise ValidationError(_("Bitte wählen Sie einen Wert von 1 bis 5."), code="scale")
        return {"number": int(raw)}
    if item.kind == Item.Kind.NUMBER:
        try:
            number = int(str(raw).strip())
        except ValueError:
            raise ValidationError(_("Bitte geben Sie eine ganze Zahl ein."), code="number") from None
        low = item.minimum if item.minimum is not None else -NUMBER_LIMIT
        high = item.maximum if item.maximum is not None else NUMBER_LIMIT
        if not low <= number <= high:
            raise ValidationError(
                _("Bitte geben Sie eine Zahl von %(low)s bis %(high)s ein.") % {"low": low, "high": high},
                code="range",
            )
        return {"number": number}
    if item.kind == Item.Kind.TEXT:
        text = str(raw).strip()
        if len(text) > text_max(item):
            raise ValidationError(
                _("Bitte schreiben Sie höchstens %(max)s Zeichen.") % {"max": text_max(item)}, code="too_long"
            )
        return {"text": text} if text else None
    allowed = {option.value for option in options(item, "de")}
    chosen = [str(value) for value in (raw if isinstance(raw, (list, tuple)) else [raw])]
    if any(value not in allowed for value in chosen) or (item.kind == Item.Kind.SINGLE and len(chosen) > 1):
        raise ValidationError(_("Bitte wählen Sie nur aus den angebotenen Möglichkeiten."), code="choice")
    return {"choices": sorted(set(chosen))}


def fingerprint(version: InstrumentVersion, items: list[Item]) -> str:
    """What the person saw: the version and every item's wording and options."""
    digest = hashlib.sha256(f"{version.pk}:{version.number}".encode())
    for item in items:
        for part in (
            item.pk,
            item.key,
            item.kind,
            item.text,
            item.text_en,
            item.options,
            item.options_en,
            item.minimum,
            item.maximum,
        ):
            digest.update(f"\x1f{part}".encode())
    return digest.hexdigest()[:32]


def current_version(instrument: Instrument) -> InstrumentVersion | None:
    return instrument.versions.order_by("-number").first()


def is_frozen(version: InstrumentVersion) -> bool:
    return WaveResponse.objects.filter(version=version).exists()


def new_version(*, instrument: Instrument, note: str = "") -> InstrumentVersion:
    """The next version of ``instrument``, with copies of the newest version's items to edit."""
    with transaction.atomic():
        instrument = Instrument.objects.select_for_update().get(pk=instrument.pk)
        latest = current_version(instrument)
        version = InstrumentVersion.objects.create(
            instrument=instrument, number=(latest.number + 1) if latest else 1, note=note
        )
        if latest is not None:
            Item.objects.bulk_create(
                [
                    Item(
                        version=version,
                        **{
                            field.attname: getattr(item, field.attname)
                            for field in Item._meta.concrete_fields
                            if field.attname not in {"id", "version_id"}
                        },
                    )
                    for item in latest.items.all()
                ]
            )
        return version


def refuse_change_when_frozen(version: InstrumentVersion | None) -> None:
    if version is not None and version.pk and is_frozen(version):
        raise ValidationError(
            _(
                "Diese Fassung hat schon Antworten und bleibt unverändert. "
                "Legen Sie eine neue Fassung an, um Fragen zu ändern."
            ),
            code="frozen",
        )


def clean_answers(items: list[Item], answers: dict, *, empty_message: str) -> list[tuple[Item, dict]]:
    """Every item's answer cleaned (``clean_answer``), or a ValidationError with each failing
    item's messages under its key; refused as well when nothing at all was answered."""
    errors, cleaned = {}, []
    for item in items:
        try:
            value = clean_answer(item, answers.get(item.key))
        except ValidationError as exc:
            errors[item.key] = exc.messages
            continue
        if value is not None:
            cleaned.append((item, value))
    if errors:
        raise ValidationError(errors)
    if not cleaned:
        raise ValidationError(empty_message, code="empty")
    return cleaned
