import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from applications.models import Application
from cohorts.models import Cohort, Enrollment
from modules.models import Module
from portal.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from portal.models import User

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts():
    return (
        User.objects.count(),
        Cohort.objects.count(),
        Enrollment.objects.count(),
        Module.objects.count(),
        Application.objects.count(),
    )


def test_seed_demo_is_idempotent_and_prints_the_logins():
    output = seed()
    first = counts()
    seed()
    assert counts() == first
    for email, *_rest in DEMO_ACCOUNTS:
        assert email in output
        assert User.objects.get(email=email).check_password(DEMO_PASSWORD)
    assert DEMO_PASSWORD in output


def test_seed_demo_has_three_past_cohorts_and_one_open_for_applications():
    seed()
    cohorts = {c.number: c for c in Cohort.objects.all()}
    assert cohorts[3].applications_close_on.strftime("%d.%m.%Y") == "04.10.2022"
    assert [cohorts[n].enrollments.confirmed().count() for n in (1, 2, 3)] == [15, 14, 15]
    assert cohorts[4].accepts_applications(timezone.now())
    assert Application.objects.filter(cohort=cohorts[4], status="submitted").count() == 6
    assert User.objects.get(email="pruefung@example.org").groups.filter(name="reviewers").exists()
