"""How the evaluation keeps people unidentifiable.

- Pseudonyms: a keyed hash (HMAC-SHA256) of the account, with a key the evaluators never see.
  The same person has the same pseudonym in every export and every cohort; without the key
  nobody can compute it from a name, an e-mail address or an id.
- Dates become ISO weeks ("2022-W40").
- Small counts: a figure of 1 or 2 is shown as "< 3" in every table, chart and export. A zero
  identifies nobody and is shown as 0. Means and medians need at least three values.
- In the pseudonymised export the regional fields (district, kind of municipality) are
  suppressed where fewer than three people of a cohort share them (see ``protect_regions``).
"""

import datetime as dt
import hashlib
import hmac
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

THRESHOLD = 3
SUPPRESSED = "< 3"


def pseudonym(user_id: int, *, key: str | None = None) -> str:
    """The stable pseudonym of a person: 16 hex digits of HMAC-SHA256(key, person id)."""
    key = settings.EVALUATION_PSEUDONYM_KEY if key is None else key
    return hmac.new(key.encode(), f"person:{user_id}".encode(), hashlib.sha256).hexdigest()[:16]


def iso_week(instant: dt.datetime | None) -> str:
    """The ISO week of an instant in Europe/Berlin, e.g. "2022-W40"; empty for no date."""
    if instant is None:
        return ""
    year, week, _day = timezone.localtime(instant).isocalendar()
    return f"{year}-W{week:02d}"


def is_small(value: int) -> bool:
    return 0 < value < THRESHOLD


@dataclass(frozen=True)
class Count:
    """A number of people (or answers) as it may be shown: 1 and 2 become "< 3"."""

    value: int

    @property
    def suppressed(self) -> bool:
        return is_small(self.value)

    def __str__(self) -> str:
        return SUPPRESSED if self.suppressed else str(self.value)


@dataclass(frozen=True)
class Share:
    """``part`` of ``whole`` people, with the percentage only where the part may be shown."""

    part: Count
    whole: Count

    @property
    def percent(self) -> int | None:
        if self.part.suppressed or not self.whole.value:
            return None
        return round(100 * self.part.value / self.whole.value)


@dataclass(frozen=True)
class Median:
    """The median of at least three values, or nothing."""

    values: tuple

    @property
    def count(self) -> Count:
        return Count(len(self.values))

    @property
    def value(self) -> float | None:
        return float(statistics.median(self.values)) if len(self.values) >= THRESHOLD else None


@dataclass(frozen=True)
class Mean:
    """The mean of at least three answers, or nothing."""

    average: float | None
    count: int

    @property
    def value(self) -> float | None:
        return self.average if self.count >= THRESHOLD else None


def protect_regions(rows: list[dict], *, cohort: str, district: str, kind: str) -> None:
    """Suppress district and kind of municipality in export rows (in place) so that nobody can
    be singled out by them within a cohort.

    For every person the rows whose shown values are consistent with that person's true cohort,
    district and kind (a suppressed value is consistent with anything) number at least three:
    1. a combination of district and kind shared by fewer than three rows of the cohort loses the
       district;
    2. among those, a kind shared by fewer than three rows loses the kind as well;
    3. if fewer than three rows of the cohort then have neither, the smallest other group joins
       them, so that the rows without region cannot be told apart by elimination.
    A cohort with fewer than three rows in all keeps its region fields suppressed as far as possible.
    """
    by_cohort = defaultdict(list)
    for row in rows:
        by_cohort[row[cohort]].append(row)
    for members in by_cohort.values():
        combinations = Counter((row[district], row[kind]) for row in members)
        for row in members:
            if combinations[(row[district], row[kind])] < THRESHOLD:
                row[district] = SUPPRESSED
        kinds = Counter(row[kind] for row in members if row[district] == SUPPRESSED)
        for row in members:
            if row[district] == SUPPRESSED and kinds[row[kind]] < THRESHOLD:
                row[kind] = SUPPRESSED
        hidden = [row for row in members if row[district] == SUPPRESSED and row[kind] == SUPPRESSED]
        if 0 < len(hidden) < THRESHOLD:
            groups = defaultdict(list)
            for row in members:
                if row[kind] != SUPPRESSED:
                    groups[(row[district], row[kind])].append(row)
            if groups:
                for row in min(groups.values(), key=len):
                    row[district] = row[kind] = SUPPRESSED
