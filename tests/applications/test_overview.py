"""The overview for the decision: per-criterion means with spread, the honestly labelled sum of
means, missing reviews and conflicts, seats per district and reviewer calibration; the phase
buttons for the review's admins only."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from applications.models import Conflict, ReviewAssignment
from applications.review_selectors import cohort_overview
from cohorts.models import ReviewPhase
from portal.models import Municipality

from .test_workspace import colleague, score, submitted_many

pytestmark = pytest.mark.django_db


def overview_url(cohort, order=""):
    return (
        reverse("admin:applications_application_overview")
        + f"?durchgang={cohort.pk}"
        + (f"&o={order}" if order else "")
    )


def test_means_spreads_and_the_sum_of_means_per_application(cohort, reviewer):
    strong, weak, unscored = submitted_many(cohort, 3)
    other = colleague()
    score(strong, reviewer, (5, 4, 4))
    score(strong, other, (4, 4, 2))
    score(weak, reviewer, (2, 2, 1))
    ReviewAssignment.objects.create(application=unscored, reviewer=reviewer)
    ReviewAssignment.objects.create(application=unscored, reviewer=other)
    Conflict.objects.create(application=unscored, reviewer=colleague())

    overview = cohort_overview(cohort=cohort)

    assert [row.application for row in overview.rows] == [strong, weak, unscored]
    first = overview.rows[0]
    assert (first.criteria["motivation"].mean, first.criteria["motivation"].spread) == (4.5, 0.5)
    assert first.criteria["commitment"].spread == 1.0
    assert first.sum_of_means == 4.5 + 4 + 3
    assert (overview.rows[2].sum_of_means, overview.rows[2].missing, overview.rows[2].conflicts) == (
        None,
        2,
        1,
    )
    ascending = cohort_overview(cohort=cohort, order="sum")
    assert [row.application for row in ascending.rows] == [weak, strong, unscored]  # unscored last either way


def test_calibration_shows_a_harsh_reviewer_against_the_others(cohort, reviewer):
    applications = submitted_many(cohort, 2)
    harsh = colleague(last_name="Streng")
    for application in applications:
        score(application, reviewer, (4, 4, 4))
        score(application, harsh, (2, 2, 2))
    calibration = {c.reviewer: c for c in cohort_overview(cohort=cohort).calibration}
    assert (calibration[harsh].mean, calibration[harsh].others_mean, calibration[harsh].difference) == (
        2,
        4,
        -2,
    )
    assert calibration[reviewer].difference == 2


def test_seats_per_district_of_the_ranking_flag_a_district_over_its_share(cohort, reviewer):
    cohort.seats = 2
    cohort.save()
    potsdam = Municipality.objects.get(ags="12054000")
    barnim = Municipality.objects.filter(district="Barnim").exclude(ags="").first()
    first, second, third = submitted_many(cohort, 3)
    for application, town, points in ((first, potsdam, 5), (second, potsdam, 4), (third, barnim, 3)):
        type(application).objects.filter(pk=application.pk).update(municipality=town)
        score(application, reviewer, (points, points, points))
    assert cohort_overview(cohort=cohort).seats_by_district == [("Potsdam", 2, True)]


def test_the_page_is_labelled_honestly_and_sorts_by_column(client, cohort, reviewer):
    strong, weak = submitted_many(cohort, 2)
    score(strong, reviewer, (5, 5, 4))
    score(weak, reviewer, (1, 2, 1))
    client.force_login(reviewer)
    page = client.get(overview_url(cohort)).content.decode()
    assert "Summe der Mittelwerte (3–15)" in page
    assert "14,0" in page and "5,0 ± 0,0" in page
    assert page.index("SCM-3-0001") < page.index("SCM-3-0002")
    assert 'aria-sort="descending"' in page
    page = client.get(overview_url(cohort, "sum")).content.decode()
    assert page.index("SCM-3-0002") < page.index("SCM-3-0001")
    assert "Weiter zur Phase" not in page  # reviewers do not move phases


def test_the_list_column_says_what_it_is(client, cohort, reviewer):
    (application,) = submitted_many(cohort, 1)
    score(application, reviewer, (5, 4, 4))
    client.force_login(reviewer)
    listing = client.get(reverse("admin:applications_application_changelist")).content.decode()
    assert "Summe der Mittelwerte (3–15)" in listing and "Punkte (Mittel)" not in listing


@pytest.mark.parametrize("count", [1, 15])
def test_the_overview_takes_the_same_queries_for_one_and_many(
    client, cohort, reviewer, count, django_assert_num_queries
):
    others = [colleague() for _ in range(2)]
    for application in submitted_many(cohort, count):
        for person in (reviewer, *others):
            score(application, person, (3, 4, 5))
            ReviewAssignment.objects.create(application=application, reviewer=person)
    client.force_login(reviewer)
    client.get(overview_url(cohort))
    with django_assert_num_queries(OVERVIEW_QUERIES):
        response = client.get(overview_url(cohort))
    assert response.content.decode().count("12,0") == count


def test_only_the_reviews_admins_move_the_phase_from_the_overview(client, cohort, reviewer):
    url = reverse("admin:applications_application_phase", args=[cohort.pk])
    client.force_login(reviewer)
    assert client.post(url, {"to": ReviewPhase.CLOSED}).status_code == 403
    coordinator = colleague()
    coordinator.groups.set([Group.objects.get(name="coordinators")])
    client.force_login(coordinator)
    assert client.post(url, {"to": ReviewPhase.CLOSED}).status_code == 403
    assert client.get(overview_url(cohort)).status_code == 403
    cohort.refresh_from_db()
    assert cohort.review_phase == ReviewPhase.DECISION
    boss = colleague()
    boss.user_permissions.add(Permission.objects.get(codename="manage_review"))
    client.force_login(boss)
    assert "Weiter zur Phase „abgeschlossen“" in client.get(overview_url(cohort)).content.decode()
    response = client.post(url, {"to": ReviewPhase.CLOSED}, follow=True)
    assert "ist jetzt in der Phase „abgeschlossen“" in response.content.decode()
    cohort.refresh_from_db()
    assert cohort.review_phase == ReviewPhase.CLOSED


OVERVIEW_QUERIES = 11
