"""Numbers continue after the imported ones: cohorts and certificates, without gaps."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from certificates import services
from certificates.history.importer import run
from cohorts.models import Cohort
from tests.certificates.test_certificates import graduate
from tests.factories import UserFactory

from .conftest import COHORTS_CSV, GOOD_ROWS, participants_csv

pytestmark = pytest.mark.django_db


def _import(content, programme, by):
    return run(content, "f.csv", programme=programme, by=by, at=timezone.now(), dry_run=False)


def test_a_new_certificate_in_an_imported_cohort_continues_after_the_imported_numbers(
    programme, admin_user, django_capture_on_commit_callbacks
):
    _import(COHORTS_CSV, programme, admin_user)
    _import(participants_csv(*GOOD_ROWS), programme, admin_user)
    cohort = Cohort.objects.get(number=2)
    coordinator = UserFactory(is_staff=True)
    coordinator.groups.add(Group.objects.get(name="coordinators"))
    cohort.coordinators.add(coordinator)
    graduate(cohort, coordinator)
    with django_capture_on_commit_callbacks(execute=False):
        (certificate,) = services.issue_certificates(cohort=cohort, by=coordinator, at=timezone.now())
    assert (certificate.sequence, certificate.number) == (3, "SCM-2022-2-0003")


def test_a_cohort_number_that_leaves_a_gap_is_refused(programme, admin_user):
    content = "nummer,titel,beginn,ende\n1,Eins,11.10.2021,17.12.2021\n3,Drei,24.10.2022,16.12.2022\n"
    report = _import(content.encode(), programme, admin_user)
    [error] = report.errors
    assert (error.line, error.header) == (3, "nummer") and "fehlt der Durchgang 2" in error.message
    assert not Cohort.objects.exists()


def test_the_admin_proposes_the_next_cohort_number(client, programme, admin_user):
    _import(COHORTS_CSV, programme, admin_user)
    client.force_login(admin_user)
    response = client.get(reverse("admin:cohorts_cohort_add"))
    assert response.context["adminform"].form.initial["number"] == 3
