"""Regional balance: the programme wants to reach towns across the state, so the overview shows
the seats per district and a decision's preview warns when one district would hold more than the
programme's share of a cohort's seats."""

from collections import Counter

from django.db.models import Count
from django.utils.translation import gettext as _

from cohorts.models import Cohort, Enrollment

from .models import Application


def district_warnings(
    cohorts: dict[int, Cohort], accepted: list[Application], held: dict[int, dict[str, int]]
) -> list[str]:
    """A warning for each district that would hold more than the programme's share of a cohort's
    seats after this acceptance (seats already held plus the ones offered now)."""
    warnings = []
    for cohort_id, cohort in sorted(cohorts.items()):
        counts = Counter(held.get(cohort_id, {}))
        counts.update(
            a.municipality.district for a in accepted if a.cohort_id == cohort_id and a.municipality_id
        )
        share = cohort.programme.max_district_share
        for district, seats in sorted(counts.items()):
            if seats * 100 > share * cohort.seats:
                warnings.append(
                    _(
                        "Regionale Ausgewogenheit: %(district)s hätte %(seats)s von %(total)s Plätzen im "
                        "%(cohort)s, mehr als %(share)s %%."
                    )
                    % {
                        "district": district,
                        "seats": seats,
                        "total": cohort.seats,
                        "cohort": cohort.localized_title,
                        "share": share,
                    }
                )
    return warnings


def seat_districts(cohort_ids) -> dict[int, dict[str, int]]:
    """Seats held (offered or confirmed) per cohort and district."""
    held: dict[int, dict[str, int]] = {}
    rows = (
        Enrollment.objects.holding_seats()
        .filter(cohort_id__in=cohort_ids, municipality__isnull=False)
        .values_list("cohort_id", "municipality__district")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for cohort_id, district, n in rows:
        held.setdefault(cohort_id, {})[district] = n
    return held
