"""A small cohort among big ones is planned as small on PostgreSQL (migration applications 0009):
its pages join its rows by key instead of hashing every municipality of the country."""

import pytest
from django.db import connection

from applications.models import Application
from cohorts.models import Cohort
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _estimate(cohort_id: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN (FORMAT JSON) SELECT * FROM applications_application WHERE cohort_id = %s", [cohort_id]
        )
        return cursor.fetchone()[0][0]["Plan"]["Plan Rows"]


def test_the_cohort_column_keeps_a_large_sample():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstattarget FROM pg_attribute WHERE attrelid = 'applications_application'::regclass "
            "AND attname = 'cohort_id'"
        )
        assert cursor.fetchone()[0] == 1000


def test_a_small_cohort_among_many_big_ones_is_estimated_small(cohort):
    applicants = UserFactory.create_batch(3)
    big = [
        Cohort.objects.create(
            programme=cohort.programme,
            number=100 + index,
            title=f"Durchgang {index}",
            start_date=cohort.start_date,
            end_date=cohort.end_date,
            applications_open_at=cohort.applications_open_at,
            applications_close_on=cohort.applications_close_on,
            seats=15,
        )
        for index in range(150)
    ]
    people = UserFactory.create_batch(60)
    Application.objects.bulk_create(
        Application(cohort=other, applicant=person) for other in big for person in people
    )
    Application.objects.bulk_create(Application(cohort=cohort, applicant=person) for person in applicants)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE applications_application")
    assert _estimate(cohort.pk) <= 10  # three rows; the average cohort holds 60
