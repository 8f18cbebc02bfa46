"""Reads for the reviewers' workspace: their queue, what an application's page may show them, and
the cohort overview with its means, spreads, regional balance and reviewer calibration. Each is
a fixed number of queries, however many rows."""

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef

from cohorts.models import Cohort, ReviewPhase
from portal.accounts.models import User

from .models import Application, Conflict, ReviewAssignment, Score

CRITERIA = ["motivation", "relevance", "commitment"]
OPEN_FOR_REVIEW = [Application.Status.SUBMITTED, Application.Status.IN_REVIEW]


@dataclass(frozen=True)
class QueueRow:
    application: Application
    scored: bool


@dataclass(frozen=True)
class Queue:
    """A reviewer's assigned applications in cohorts under review, unscored first."""

    rows: list[QueueRow]
    cohorts: list[Cohort]

    @property
    def scored(self) -> int:
        return sum(row.scored for row in self.rows)

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def next_unscored(self) -> Application | None:
        return next((row.application for row in self.rows if not row.scored), None)


def review_queue(*, reviewer: User) -> Queue:
    """One query: the reviewer's assignments in cohorts in the phase "Prüfung", with whether they
    scored each, unscored first, then by cohort and number."""
    mine = Score.objects.filter(application=OuterRef("application"), reviewer=reviewer)
    assignments = (
        ReviewAssignment.objects.filter(
            reviewer=reviewer,
            application__cohort__review_phase=ReviewPhase.REVIEW,
            application__status__in=OPEN_FOR_REVIEW,
        )
        .select_related("application__cohort", "application__municipality", "application__applicant")
        .annotate(scored=Exists(mine))
        .order_by("scored", "application__cohort__number", "application__sequence")
    )
    rows = [QueueRow(a.application, a.scored) for a in assignments]
    cohorts = list({row.application.cohort_id: row.application.cohort for row in rows}.values())
    return Queue(rows=rows, cohorts=cohorts)


def next_in_queue(*, reviewer: User, after: Application) -> Application | None:
    """The next unscored assigned application after ``after`` (else the first unscored one)."""
    unscored = [row.application for row in review_queue(reviewer=reviewer).rows if not row.scored]
    unscored = [a for a in unscored if a.pk != after.pk]
    later = [a for a in unscored if (a.cohort_id, a.sequence or 0) > (after.cohort_id, after.sequence or 0)]
    return (later or unscored or [None])[0]


def sees_all_reviews(user: User, application: Application) -> bool:
    """Whether the user sees the other reviewers' scores and notes: always an admin of the review,
    and everyone unless the programme reviews blind; then only after scoring it themselves."""
    if user.has_perm("cohorts.manage_review") or not application.cohort.programme.blind_review:
        return True
    return Score.objects.filter(application=application, reviewer=user).exists()


@dataclass
class CriterionStat:
    mean: float | None
    spread: float | None  # population standard deviation of the reviewers' scores


@dataclass
class OverviewRow:
    application: Application
    criteria: dict[str, CriterionStat]
    sum_of_means: float | None  # 3 to 15
    score_count: int
    assigned: int
    conflicts: int

    @property
    def missing(self) -> int:
        return max(self.assigned - self.score_count, 0)

    @property
    def district(self) -> str:
        return self.application.municipality.district if self.application.municipality_id else ""


@dataclass
class Calibration:
    reviewer: User
    count: int
    mean: float  # of their criterion scores, 1 to 5
    spread: float
    others_mean: float | None  # the other reviewers on the same applications

    @property
    def difference(self) -> float | None:
        return None if self.others_mean is None else self.mean - self.others_mean


@dataclass
class Overview:
    cohort: Cohort
    rows: list[OverviewRow]
    seats_by_district: list[tuple[str, int, bool]] = field(default_factory=list)  # name, seats, over share
    calibration: list[Calibration] = field(default_factory=list)


def _stat(values: list[int]) -> CriterionStat:
    if not values:
        return CriterionStat(None, None)
    return CriterionStat(statistics.fmean(values), statistics.pstdev(values))


SORT_KEYS = {
    "reference": lambda r: r.application.sequence or 0,
    "district": lambda r: r.district or None,
    "sum": lambda r: r.sum_of_means,
    "count": lambda r: r.score_count,
    "missing": lambda r: r.missing,
    **{c: (lambda r, c=c: r.criteria[c].mean) for c in CRITERIA},
}


def sort_rows(rows: list["OverviewRow"], order: str) -> list["OverviewRow"]:
    """Sorted by a key of SORT_KEYS ("-" for descending); rows without a value (no score, no
    district) come last either way, ties in the order of submission."""
    key = SORT_KEYS.get(order.lstrip("-"), SORT_KEYS["sum"])
    present = sorted((r for r in rows if key(r) is not None), key=key, reverse=order.startswith("-"))
    return present + [r for r in rows if key(r) is None]


def cohort_overview(*, cohort: Cohort, order: str = "-sum") -> Overview:
    """The cohort's submitted applications with per-criterion mean and spread, the sum of the
    means, scores, assignments and conflicts, sorted by ``order`` (a key of SORT_KEYS, "-" for
    descending); the seats per district that the ranking by sum would give; and each reviewer's
    mean and spread against their colleagues'. Five queries."""
    applications = list(
        Application.objects.filter(cohort=cohort)
        .exclude(status__in=[Application.Status.DRAFT, Application.Status.WITHDRAWN])
        .select_related("municipality", "applicant")
        .order_by("sequence")
    )
    # Unordered: the rows are grouped here, and the models' default order would join the cohort
    # and steer PostgreSQL into walking every application by key to find this cohort's.
    scores = list(
        Score.objects.filter(application__cohort=cohort)
        .order_by()
        .values_list("application_id", "reviewer_id", *CRITERIA)
    )
    assigned = Counter(
        ReviewAssignment.objects.filter(application__cohort=cohort)
        .order_by()
        .values_list("application_id", flat=True)
    )
    conflicts = Counter(
        Conflict.objects.filter(application__cohort=cohort)
        .order_by()
        .values_list("application_id", flat=True)
    )
    by_application = defaultdict(list)
    for row in scores:
        by_application[row[0]].append(row)
    rows = []
    for application in applications:
        mine = by_application[application.pk]
        criteria = {c: _stat([s[2 + i] for s in mine]) for i, c in enumerate(CRITERIA)}
        total = sum(s.mean for s in criteria.values()) if mine else None
        rows.append(
            OverviewRow(
                application, criteria, total, len(mine), assigned[application.pk], conflicts[application.pk]
            )
        )
    overview = Overview(cohort=cohort, rows=sort_rows(rows, order))
    overview.seats_by_district = _seats_by_district(cohort, rows)
    overview.calibration = _calibration(scores)
    return overview


def _seats_by_district(cohort: Cohort, rows: list[OverviewRow]) -> list[tuple[str, int, bool]]:
    """Seats per district if the cohort's seats went to the best sums of means now."""
    ranked = sorted(
        (r for r in rows if r.sum_of_means is not None),
        key=lambda r: (-r.sum_of_means, r.application.sequence or 0),
    )[: cohort.seats]
    counts = Counter(r.district or "–" for r in ranked)
    share = cohort.programme.max_district_share
    return [
        (d, n, n * 100 > share * cohort.seats) for d, n in sorted(counts.items(), key=lambda i: (-i[1], i[0]))
    ]


def _calibration(scores: list[tuple]) -> list[Calibration]:
    """Each reviewer's criterion scores (mean, spread) against the other reviewers' scores of the
    same applications; the raw scores stay as they are."""
    per_reviewer = defaultdict(list)
    per_application = defaultdict(list)
    for application_id, reviewer_id, *values in scores:
        per_reviewer[reviewer_id].append((application_id, values))
        per_application[application_id].append((reviewer_id, values))
    reviewers = User.objects.in_bulk(list(per_reviewer))
    result = []
    for reviewer_id, rows in per_reviewer.items():
        own = [v for _a, values in rows for v in values]
        others = [
            v
            for application_id, _values in rows
            for other_id, values in per_application[application_id]
            if other_id != reviewer_id
            for v in values
        ]
        result.append(
            Calibration(
                reviewer=reviewers[reviewer_id],
                count=len(rows),
                mean=statistics.fmean(own),
                spread=statistics.pstdev(own),
                others_mean=statistics.fmean(others) if others else None,
            )
        )
    return sorted(result, key=lambda c: (c.reviewer.last_name, c.reviewer.pk))
