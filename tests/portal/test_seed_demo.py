import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from applications.models import Application
from cohorts.models import Cohort, Enrollment
from modules.models import Module
from portal.accounts.models import User
from portal.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

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
    cohorts = {c.number: c for c in Cohort.objects.filter(programme__slug="smart-city-manager")}
    assert cohorts[3].applications_close_on.strftime("%d.%m.%Y") == "04.10.2022"
    assert [cohorts[n].enrollments.confirmed().count() for n in (1, 2, 3)] == [15, 14, 15]
    assert cohorts[4].accepts_applications(timezone.now())
    assert Application.objects.filter(cohort=cohorts[4], status="submitted").count() == 6
    assert User.objects.get(email="pruefung@example.org").groups.filter(name="reviewers").exists()


def test_seed_demo_gives_every_cohort_an_english_title_also_in_an_older_demo_database():
    seed()
    Cohort.objects.filter(number=4).update(title_en="")  # as seeded before English titles existed
    seed()
    assert dict(
        Cohort.objects.filter(programme__slug="smart-city-manager").values_list("number", "title_en")
    ) == {
        1: "Cohort 1 (Q4 2021)",
        2: "Cohort 2 (Q2 2022)",
        3: "Cohort 3 (Q4 2022)",
        4: "Cohort 4",
    }
