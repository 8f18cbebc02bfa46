"""The application form offers the municipalities of the state the cohort's programme belongs to."""

import pytest
import time_machine
from django.urls import reverse

from applications.forms import municipality_choices
from applications.models import Application
from portal.models import Municipality
from tests.factories import CohortFactory, ProgrammeFactory, berlin

from .conftest import form_data

pytestmark = pytest.mark.django_db

DURING = berlin(2022, 9, 15, 10)


@pytest.fixture
def bavarian():
    return Municipality.objects.create(
        key="09162000", ags="09162000", name="München", district="München", kind="stadt", state="09"
    )


def offered(choices) -> dict[int, str]:
    return {pk: label for _district, members in choices[1:] for pk, label in members}


def test_the_official_list_is_brandenburgs():
    assert set(Municipality.objects.values_list("state", flat=True)) == {"12"}
    assert Municipality.objects.get(ags="12054000").get_state_display() == "Brandenburg"


def test_a_cohort_offers_only_its_states_municipalities(cohort, bavarian, django_assert_num_queries):
    potsdam = Municipality.objects.get(ags="12054000")
    with django_assert_num_queries(1):
        brandenburg = offered(municipality_choices(cohort.pk))
    assert potsdam.pk in brandenburg and bavarian.pk not in brandenburg
    assert len(brandenburg) == Municipality.objects.filter(state="12").count()

    elsewhere = CohortFactory(programme=ProgrammeFactory(slug="bayern", state="09"), number=1)
    assert offered(municipality_choices(elsewhere.pk)) == {bavarian.pk: "München (Stadt)"}


@time_machine.travel(DURING, tick=False)
def test_a_municipality_of_another_state_is_refused_and_the_rest_kept(client, cohort, applicant, bavarian):
    client.force_login(applicant)
    page = client.get(reverse("applications:start")).content.decode()
    assert "Potsdam" in page and "München" not in page

    response = client.post(
        reverse("applications:start"),
        form_data(municipality=str(bavarian.pk), motivation="Mein Antrieb: Daten für alle. 🚲"),
    )
    text = client.get(response.url).content.decode()
    assert "Diese Kommune steht nicht in der Liste des Programms." in text
    assert "Mein Antrieb: Daten für alle. 🚲" in text
    assert not Application.objects.filter(municipality=bavarian).exists()
    assert Application.objects.get(applicant=applicant).invalid_input == {"municipality": str(bavarian.pk)}


def test_the_evaluation_shows_the_programmes_districts_only(bavarian):
    from evaluation.selectors import dashboard_statistics
    from tests.factories import CohortFactory as Cohorts

    programme = ProgrammeFactory(slug="smart-city-manager")
    Cohorts(programme=programme, number=1)
    labels = [bar.label for bar in dashboard_statistics().by_district]
    assert "Potsdam" in labels and "Oberhavel" in labels
    assert "München" not in labels


def test_the_reviewers_filters_list_the_programmes_cohorts_and_districts(client, cohort, bavarian):
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    CohortFactory(
        programme=ProgrammeFactory(slug="bayern", state="09"), number=1, title="Durchgang in Bayern"
    )
    reviewer = UserFactory(is_staff=True)
    reviewer.groups.add(Group.objects.get(name="reviewers"))
    client.force_login(reviewer)
    page = client.get(reverse("admin:applications_application_changelist")).content.decode()
    filters = page.split('id="changelist-filter"', 1)[1]
    assert "3. Schulungsdurchgang" in filters and "Durchgang in Bayern" not in filters
    assert "Oberhavel" in filters and "München" not in filters
    # The list itself still reaches every programme's applications under "alle Durchgänge".
    assert "alle Durchgänge" in filters


def test_the_cohort_in_review_is_the_portals_programmes(cohort):
    from applications.selectors import cohort_in_review
    from tests.applications.test_review import submitted

    later = CohortFactory(
        programme=ProgrammeFactory(slug="bayern", state="09"),
        number=1,
        applications_open_at=berlin(2022, 9, 1, 9),
    )
    submitted(later)
    submitted(cohort)
    # Another state's cohort opened later and has a submitted application: still not the default.
    assert cohort_in_review(at=berlin(2022, 9, 15, 10)) == cohort
