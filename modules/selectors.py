"""Reads for the public pages: what the landing page and the cohort archive show.

The landing page is what every visitor loads, so its cost must not grow with the programme's
history: it lists the cohorts that are open, running or coming and the most recent past ones
(the archive has the rest, a page at a time), and the programme's running totals (participants,
municipalities) are computed once and kept in the cache until an enrollment changes.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from cohorts.models import Cohort, Enrollment, Programme
from cohorts.selectors import PROGRAMME_SLUG
from portal.models import Municipality

from .models import Module

# Past cohorts the landing page lists; the archive lists them all.
RECENT_PAST = 5
TOTALS_TIMEOUT = 60 * 60


@dataclass
class Totals:
    participants: int
    # (name, district) of each municipality that has sent participants; the district is empty
    # where it is the town itself (Cottbus). Plain text: cached and shown on every landing page.
    municipalities: list[tuple[str, str]]


@dataclass
class Landing:
    programme: Programme | None
    modules: list[Module]
    cohorts: list[Cohort]
    more_past: bool
    open_cohort: Cohort | None
    upcoming_cohort: Cohort | None
    days_left: int | None
    totals: Totals


def _confirmed_count():
    """The cohort's confirmed participants as a subquery per row: PostgreSQL counts them only for
    the cohorts a page shows (after ORDER BY … LIMIT), not for every cohort the programme ran,
    as a join with GROUP BY would."""
    confirmed = (
        Enrollment.objects.filter(cohort=OuterRef("pk"), state=Enrollment.State.CONFIRMED)
        .order_by()
        .values("cohort")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(confirmed), 0)


def _totals_key(programme_id: int) -> str:
    return f"landing:totals:v2:{programme_id}"


def programme_totals(programme: Programme | None) -> Totals:
    """Participants and their municipalities over the programme's whole history, cached."""
    if programme is None:
        return Totals(participants=0, municipalities=[])

    def compute() -> Totals:
        confirmed = Enrollment.objects.filter(cohort__programme=programme, state=Enrollment.State.CONFIRMED)
        municipalities = [
            (name, "" if district == name else district)
            for name, district in Municipality.objects.filter(pk__in=confirmed.values("municipality_id"))
            .order_by("name", "district")
            .values_list("name", "district")
        ]
        return Totals(participants=confirmed.count(), municipalities=municipalities)

    return cache.get_or_set(_totals_key(programme.pk), compute, TOTALS_TIMEOUT)


@receiver([post_save, post_delete], sender=Enrollment)
def _forget_totals(sender, instance: Enrollment, **kwargs) -> None:
    programme_id = Cohort.objects.filter(pk=instance.cohort_id).values_list("programme_id", flat=True).first()
    if programme_id is not None:
        cache.delete(_totals_key(programme_id))


def _mark_past(cohorts: list[Cohort], today: dt.date) -> list[Cohort]:
    for cohort in cohorts:
        cohort.is_past = cohort.end_date < today
    return cohorts


def landing(*, now: dt.datetime | None = None) -> Landing:
    now = now or timezone.now()
    today = timezone.localdate(now)
    programme = Programme.objects.filter(slug=PROGRAMME_SLUG).first()
    cohorts = Cohort.objects.filter(programme=programme).annotate(participant_count=_confirmed_count())
    current = list(cohorts.filter(end_date__gte=today).order_by("number"))
    past = list(cohorts.filter(end_date__lt=today).order_by("-number")[: RECENT_PAST + 1])
    more_past = len(past) > RECENT_PAST
    shown = _mark_past(sorted(past[:RECENT_PAST], key=lambda c: c.number) + current, today)
    open_cohort = next((c for c in current if c.accepts_applications(now)), None)
    upcoming = next((c for c in current if c.applications_open_at > now), None)
    return Landing(
        programme=programme,
        modules=list(Module.objects.filter(programme=programme).order_by("position")),
        cohorts=shown,
        more_past=more_past,
        open_cohort=open_cohort,
        upcoming_cohort=upcoming,
        days_left=(open_cohort.applications_close_on - today).days if open_cohort else None,
        totals=programme_totals(programme),
    )


def cohort_archive(*, now: dt.datetime | None = None):
    """Every cohort of the programme, newest first, for the paginated archive."""
    today = timezone.localdate(now or timezone.now())
    programme = Programme.objects.filter(slug=PROGRAMME_SLUG).first()
    return (
        Cohort.objects.filter(programme=programme)
        .annotate(participant_count=_confirmed_count())
        .order_by("-number"),
        today,
    )
