"""The evaluators' reads of the waves: response rates per wave and cohort, and the pre/post
comparison of the competency items (T0 → T1 → T2), with the disclosure rules of the dashboard.

Answers of one person in different waves are paired by the person, never shown per person. A
mean needs three answers, a change three pairs; smaller counts are shown as "< 3".
"""

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count as DbCount
from django.utils import timezone

from cohorts.models import Cohort

from .disclosure import THRESHOLD, Count, Mean, Share
from .models import Answer, Invitation, Item, Wave

WAVES = [Wave.Kind.T0, Wave.Kind.T1, Wave.Kind.T2]


@dataclass(frozen=True)
class RateRow:
    cohort: Cohort
    wave: str
    invited: Count
    answered: Share


@dataclass(frozen=True)
class Change:
    """The mean change from T0 to a later wave among people who answered both."""

    pairs: Count
    average: float | None

    @property
    def value(self) -> float | None:
        return self.average if not self.pairs.suppressed and self.pairs.value else None


@dataclass
class Trend:
    key: str
    question: str
    module: str
    means: dict = field(default_factory=dict)  # wave -> Mean
    changes: dict = field(default_factory=dict)  # wave (t1, t2) -> Change

    @property
    def label(self) -> str:
        """Short enough for a chart: the module's topic, or the variable."""
        return self.module or self.key

    def mean(self, wave: str) -> Mean:
        return self.means.get(wave, Mean(None, 0))

    @property
    def wave_means(self) -> list[Mean]:
        return [self.mean(wave) for wave in WAVES]

    @property
    def later_changes(self) -> list[Change]:
        return [self.changes.get(wave, Change(Count(0), None)) for wave in (Wave.Kind.T1, Wave.Kind.T2)]


def response_rates(*, cohort_id: int | None = None) -> list[RateRow]:
    """Invited and answered per cohort and wave: one query."""
    invitations = Invitation.objects.all()
    if cohort_id is not None:
        invitations = invitations.filter(enrollment__cohort_id=cohort_id)
    # The answers joined by their invitation (one each, by its unique index), not looked up in
    # a subquery: PostgreSQL then reads only the responses of the invitations in scope.
    rows = (
        invitations.values("enrollment__cohort_id", "wave__kind")
        .annotate(n=DbCount("pk"), done=DbCount("response"))
        .order_by()
    )
    totals = {(row["enrollment__cohort_id"], row["wave__kind"]): [row["n"], row["done"]] for row in rows}
    cohorts = Cohort.objects.in_bulk({cohort for cohort, _wave in totals})
    return [
        RateRow(
            cohort=cohorts[cohort],
            wave=wave,
            invited=Count(invited),
            answered=Share(Count(done), Count(invited)),
        )
        for (cohort, wave), (invited, done) in sorted(
            totals.items(), key=lambda entry: (cohorts[entry[0][0]].start_date, WAVES.index(entry[0][1]))
        )
    ]


def competency_answers(*, cohort_id: int | None = None, district: str | None = None):
    """(person, wave, item key, value) of every answer to a competency item: one query."""
    answers = Answer.objects.filter(item__competency=True, item__kind=Item.Kind.LIKERT, number__isnull=False)
    if cohort_id is not None:
        answers = answers.filter(response__invitation__enrollment__cohort_id=cohort_id)
    if district:
        answers = answers.filter(response__invitation__enrollment__municipality__district=district)
    return answers.values_list(
        "response__invitation__enrollment__user_id", "response__invitation__wave__kind", "item__key", "number"
    )


def trends(*, cohort_id: int | None = None, district: str | None = None) -> list[Trend]:
    """Per competency item: the mean in each wave and the paired change from T0. Two queries."""
    values = defaultdict(lambda: defaultdict(dict))  # key -> wave -> person -> value
    for person, wave, key, number in competency_answers(cohort_id=cohort_id, district=district).iterator(
        chunk_size=5000
    ):
        values[key][wave][person] = number
    labels = {}
    for key, text, module in (
        Item.objects.filter(competency=True, key__in=list(values))
        .order_by("key", "-version__number")
        .values_list("key", "text", "module__title")
    ):
        labels.setdefault(key, (text, module or ""))
    result = []
    for key in sorted(values, key=lambda k: (labels.get(k, ("", ""))[1], k)):
        text, module = labels.get(key, (key, ""))
        trend = Trend(key=key, question=text, module=module)
        by_wave = values[key]
        for wave in WAVES:
            answers = list(by_wave.get(wave, {}).values())
            trend.means[wave] = Mean(statistics.fmean(answers) if answers else None, len(answers))
        before = by_wave.get(Wave.Kind.T0, {})
        for wave in (Wave.Kind.T1, Wave.Kind.T2):
            later = by_wave.get(wave, {})
            differences = [later[person] - before[person] for person in before.keys() & later.keys()]
            trend.changes[wave] = Change(
                pairs=Count(len(differences)),
                average=statistics.fmean(differences) if len(differences) >= THRESHOLD else None,
            )
        result.append(trend)
    return result


# The whole programme's rates and trends read every invitation and answer of its history (by
# design: they are its aggregates), so the unfiltered page shows a snapshot, as the dashboard does:
# computed on first use, kept in the cache and computed afresh by the same beat task
# (``evaluation.tasks.refresh_statistics``). A cohort or a district is read live.
PANEL_KEY = "evaluation:waves:all"
PANEL_MAX_AGE = 60 * 60


def programme_panel() -> tuple[list[RateRow], list[Trend], dt.datetime]:
    """The unfiltered rates and trends and when they were computed, from the cache where it has them."""
    snapshot = cache.get(PANEL_KEY)
    if snapshot is None:
        snapshot = refresh_programme_panel()
    return snapshot


def refresh_programme_panel() -> tuple[list[RateRow], list[Trend], dt.datetime]:
    snapshot = (response_rates(), trends(), timezone.now())
    cache.set(PANEL_KEY, snapshot, PANEL_MAX_AGE)
    return snapshot
