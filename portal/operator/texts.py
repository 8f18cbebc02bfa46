"""Reading the operator's texts: the edits of one state over the defaults, in the active language.

Each process keeps a state's edits (one statement to read them) and asks the cache, shared by every
process of the portal, for the version of that state's texts on each read: saving or deleting one
gives them a new version, and every process reads them again. After ``MEMO_SECONDS`` a process reads them again
regardless, in case the cache lost the version.
"""

import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import translation

from portal.operator.defaults import BY_KEY
from portal.operator.models import OperatorText

VERSION_KEY = "operator-texts:version:{state}"
MEMO_SECONDS = 300

# state -> (version, read at (monotonic seconds), edits)
_memo: dict[str, tuple[str | None, float, dict[str, tuple[str, str]]]] = {}
# A database fresh from its migrations holds no edits: the states saved since (``forget``).
_none_yet = False
_saved: set[str] = set()


def edits(state: str) -> dict[str, tuple[str, str]]:
    """The state's edited texts, by key: (German, English)."""
    if _none_yet and state not in _saved:
        return {}
    version = cache.get(VERSION_KEY.format(state=state))
    now = time.monotonic()
    memo = _memo.get(state)
    if memo is not None and memo[0] == version and now - memo[1] < MEMO_SECONDS:
        return memo[2]
    found = {
        row["key"]: (row["text_de"], row["text_en"])
        for row in OperatorText.objects.filter(state=state).values("key", "text_de", "text_en")
    }
    _memo[state] = (version, now, found)
    return found


def forget(*, none_saved: bool = False) -> None:
    """Drop what this process keeps. ``none_saved``: the database is known to hold no edits until
    one is saved (a database fresh from its migrations), so none is read until then."""
    global _none_yet
    _memo.clear()
    _saved.clear()
    _none_yet = none_saved


@receiver(post_save, sender=OperatorText)
@receiver(post_delete, sender=OperatorText)
def _new_version(sender, instance: OperatorText, **kwargs) -> None:
    _saved.add(instance.state)
    _memo.pop(instance.state, None)
    cache.set(VERSION_KEY.format(state=instance.state), uuid.uuid4().hex, None)


@dataclass(frozen=True)
class Texts:
    """The texts of one state's operator; ``texts["start.intro"]`` is the text in the active
    language (English falls back to German where an edit leaves English empty)."""

    state: str
    edited: dict[str, tuple[str, str]]

    def get(self, key: str, language: str | None = None) -> str:
        default = BY_KEY[key]  # an unknown key is a programming error, not a missing text
        german, english = self.edited.get(key, (default.de, default.en))
        if (language or translation.get_language() or "de").startswith("en"):
            return english or german
        return german

    def __getitem__(self, key: str) -> str:
        return self.get(key)


def texts(state: str | None = None) -> Texts:
    """The texts of the operator of ``state`` (the portal's own, ``PORTAL_STATE``, by default)."""
    state = state or settings.PORTAL_STATE
    return Texts(state=state, edited=edits(state))


def text(key: str, state: str | None = None, language: str | None = None) -> str:
    return texts(state).get(key, language)


def paragraphs(value: str) -> list[str]:
    """A text's paragraphs: a blank line separates them."""
    return [" ".join(part.split()) for part in value.replace("\r\n", "\n").split("\n\n") if part.strip()]


def signatories(state: str | None = None) -> list[dict]:
    """The certificate's signatories in the active language: one per line,
    "office | organisation | person"."""
    rows = []
    for line in text("certificate.signatories", state).splitlines():
        fields = [field.strip() for field in line.split("|")] + ["", ""]
        if fields[0]:
            rows.append({"name": fields[0], "function": fields[1], "person": fields[2]})
    return rows


# The operator's names and contacts that come from its texts; each may still be set in the
# environment (config/legal.py), which wins over the text.
NAMED = {
    "name": "operator.name",
    "unit": "operator.unit",
    "responsible": "operator.responsible",
    "partner": "partner.name",
    "evaluator": "evaluator.name",
    "course_contact": "contact.course",
}


def accessibility_details(*, own: Texts | None = None) -> dict:
    """The accessibility statement's settings, the enforcement body from the operator's texts
    where the environment leaves it empty."""
    configured = settings.PORTAL_ACCESSIBILITY
    own = own or texts()
    return {
        **configured,
        "enforcement_name": configured.get("enforcement_name") or own["accessibility.enforcement_name"],
        "enforcement_address": configured.get("enforcement_address")
        or own["accessibility.enforcement_address"],
    }


def operator_details(state: str | None = None, *, own: Texts | None = None) -> dict:
    """The operator as the pages, mails and certificates print it: its contacts from the settings,
    its names from its texts in the active language."""
    configured = settings.PORTAL_OPERATOR
    own = own or texts(state)
    return {**configured, **{field: configured.get(field) or own[key] for field, key in NAMED.items()}}
