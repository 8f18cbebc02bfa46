"""The questionnaire after each module as an instrument: which version participants answer now
and which of its items are rated statements.

Evaluators edit it like every instrument (a version with answers stays as it is; changes make
the next version). Answers of different versions are compared by the items' keys.
"""

from .default_instruments import MODULE_COMMENT
from .models import MODULE_INSTRUMENT, InstrumentVersion, Item

__all__ = ["MODULE_COMMENT", "current_items", "current_version", "scale_items"]


def current_version() -> InstrumentVersion | None:
    return (
        InstrumentVersion.objects.filter(instrument__key=MODULE_INSTRUMENT)
        .select_related("instrument")
        .order_by("-number")
        .first()
    )


def current_items() -> list[Item]:
    """The items of the newest version, in their order: one query."""
    items = list(
        Item.objects.filter(version__instrument__key=MODULE_INSTRUMENT)
        .select_related("version")
        .order_by("-version__number", "position", "pk")
    )
    newest = items[0].version_id if items else None
    return [item for item in items if item.version_id == newest]


def scale_items(items: list[Item]) -> list[Item]:
    """The rated statements (scale 1–5) among ``items``."""
    return [item for item in items if item.kind == Item.Kind.LIKERT]
