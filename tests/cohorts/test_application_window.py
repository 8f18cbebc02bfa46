import datetime as dt

import pytest

from cohorts.models import Cohort
from tests.factories import CohortFactory, berlin

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("closes_on", "season"),
    [(dt.date(2022, 10, 4), "summer time (CEST)"), (dt.date(2022, 12, 5), "winter time (CET)")],
)
def test_deadline_is_inclusive_until_midnight_in_berlin(closes_on, season):
    cohort = CohortFactory(applications_open_at=berlin(2022, 8, 1, 9), applications_close_on=closes_on)
    last_moment = dt.datetime.combine(
        closes_on, dt.time(23, 59, 59, 999999), tzinfo=cohort.applications_close_at.tzinfo
    )
    assert cohort.accepts_applications(last_moment), season
    assert not cohort.accepts_applications(cohort.applications_close_at), season
    assert cohort.applications_close_at == berlin(closes_on.year, closes_on.month, closes_on.day + 1)


def test_cest_deadline_closes_at_22_utc():
    cohort = CohortFactory(
        applications_open_at=berlin(2022, 8, 1, 9), applications_close_on=dt.date(2022, 10, 4)
    )
    utc = dt.UTC
    assert cohort.accepts_applications(dt.datetime(2022, 10, 4, 21, 59, 59, tzinfo=utc))
    assert not cohort.accepts_applications(dt.datetime(2022, 10, 4, 22, 0, 0, tzinfo=utc))


def test_no_applications_before_opening():
    cohort = CohortFactory(
        applications_open_at=berlin(2022, 8, 1, 9), applications_close_on=dt.date(2022, 10, 4)
    )
    assert not cohort.accepts_applications(berlin(2022, 8, 1, 8, 59, 59))
    assert cohort.accepts_applications(berlin(2022, 8, 1, 9))


def test_queryset_agrees_with_the_rule_at_the_boundary():
    cohort = CohortFactory(
        applications_open_at=berlin(2022, 8, 1, 9), applications_close_on=dt.date(2022, 10, 4)
    )
    assert list(Cohort.objects.accepting_applications(berlin(2022, 10, 4, 23, 59, 59))) == [cohort]
    assert list(Cohort.objects.accepting_applications(berlin(2022, 10, 5, 0, 0, 0))) == []
    assert list(Cohort.objects.accepting_applications(berlin(2022, 8, 1, 8, 0))) == []
