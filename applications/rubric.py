"""The rubric a reviewer scores by: per criterion a description and what each score from 1 to 5
means, as the programme has set it in the admin (German and English), else the portal's default."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from cohorts.models import Programme
from portal.web.i18n import in_active_language

from .models import RubricCriterion

CRITERIA = [c.value for c in RubricCriterion.Criterion]

DEFAULT_ANCHORS = [
    _("trifft nicht zu"),
    _("trifft kaum zu"),
    _("trifft teilweise zu"),
    _("trifft überwiegend zu"),
    _("trifft voll zu"),
]
DEFAULT_DESCRIPTIONS = {
    "motivation": _("Wie klar und überzeugend begründet die Person ihre Teilnahme?"),
    "relevance": _("Wie eng hängt die Teilnahme mit den Vorhaben der Kommune zusammen?"),
    "commitment": _("Wie verbindlich ist die Teilnahme, wie stark der Rückhalt der Dienststelle?"),
}


@dataclass(frozen=True)
class CriterionText:
    criterion: str
    label: str
    description: str
    anchors: list[tuple[int, str]]


def rubric_for(programme: Programme) -> dict[str, CriterionText]:
    """The programme's rubric in the active language (one query)."""
    entries = {entry.criterion: entry for entry in RubricCriterion.objects.filter(programme=programme)}
    rubric = {}
    for criterion in RubricCriterion.Criterion:
        entry = entries.get(criterion.value)
        if entry is None:
            description = str(DEFAULT_DESCRIPTIONS[criterion.value])
            anchors = [(n, str(text)) for n, text in enumerate(DEFAULT_ANCHORS, start=1)]
        else:
            description = in_active_language(entry.description, entry.description_en)
            anchors = [
                (n, in_active_language(getattr(entry, f"anchor_{n}"), getattr(entry, f"anchor_{n}_en")))
                for n in range(1, 6)
            ]
        rubric[criterion.value] = CriterionText(criterion.value, str(criterion.label), description, anchors)
    return rubric
