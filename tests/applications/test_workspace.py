"""The reviewers' workspace in the admin: the queue on the start page, "save and next", the
conflict button, the endorsement beside the answers, blind review and the error summary."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from applications.assignment import assign_reviewers
from applications.models import Application, Conflict, ReviewAssignment, ReviewNote, Score
from cohorts.models import ReviewPhase
from tests.factories import UserFactory, berlin

from .conftest import make_draft, move_to
from .test_review_writes import ADMIN_FORM

pytestmark = pytest.mark.django_db


def colleague(**kwargs):
    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(Group.objects.get(name="reviewers"))
    return user


def submitted_many(cohort, count):
    applications = []
    for number in range(1, count + 1):
        application = make_draft(cohort, UserFactory())
        Application.objects.filter(pk=application.pk).update(
            status=Application.Status.SUBMITTED,
            sequence=number,
            reference=f"SCM-3-{number:04d}",
            submitted_at=berlin(2022, 9, 20, 12),
        )
        applications.append(Application.objects.get(pk=application.pk))
    return applications


def score(application, reviewer, points=(4, 4, 4)):
    return Score.objects.create(
        application=application,
        reviewer=reviewer,
        motivation=points[0],
        relevance=points[1],
        commitment=points[2],
    )


@pytest.fixture
def in_review(cohort, time_machine):
    time_machine.move_to(berlin(2022, 10, 10, 9))
    return move_to(cohort, ReviewPhase.REVIEW, review_ends_on=dt.date(2022, 10, 20))


def test_the_start_page_shows_the_queue_unscored_first_with_progress_and_end_date(
    client, in_review, reviewer
):
    first, second, third = submitted_many(in_review, 3)
    assign_reviewers(cohort=in_review, by=None)
    score(first, reviewer)
    client.force_login(reviewer)
    page = client.get(reverse("admin:index")).content.decode()
    assert "1 von 3 bewertet" in page
    assert "Prüfung bis einschließlich 20.10.2022" in page
    assert page.index("SCM-3-0002") < page.index("SCM-3-0003") < page.index("SCM-3-0001")
    assert reverse("admin:applications_application_change", args=[second.pk]) in page


def test_a_colleagues_queue_is_not_shown_and_coordinators_have_none(client, in_review, reviewer):
    submitted_many(in_review, 2)
    other = colleague()
    in_review.reviewers.add(other)
    assign_reviewers(cohort=in_review, by=None)
    client.force_login(reviewer)
    page = client.get(reverse("admin:index")).content.decode()
    assert "Ihnen sind zurzeit keine Bewerbungen zur Prüfung zugewiesen." in page
    coordinator = UserFactory(is_staff=True)
    coordinator.groups.add(Group.objects.get(name="coordinators"))
    client.force_login(coordinator)
    assert "Meine Bewerbungen zur Prüfung" not in client.get(reverse("admin:index")).content.decode()


@pytest.mark.parametrize("count", [1, 12])
def test_the_queue_takes_the_same_queries_for_one_and_many(
    client, in_review, reviewer, count, django_assert_num_queries
):
    submitted_many(in_review, count)
    assign_reviewers(cohort=in_review, by=None)
    client.force_login(reviewer)
    client.get(reverse("admin:index"))
    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(reverse("admin:index"))
    assert response.content.decode().count("SCM-3-") >= count


def test_save_and_next_goes_to_the_next_unscored_application(client, in_review, reviewer):
    first, second, third = submitted_many(in_review, 3)
    assign_reviewers(cohort=in_review, by=None)
    score(second, reviewer)
    client.force_login(reviewer)
    url = reverse("admin:applications_application_change", args=[first.pk])
    response = client.post(url, {**ADMIN_FORM, "_save_next": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:applications_application_change", args=[third.pk])
    assert Score.objects.get(application=first, reviewer=reviewer).total == 13
    response = client.post(
        reverse("admin:applications_application_change", args=[third.pk]), {**ADMIN_FORM, "_save_next": "1"}
    )
    assert response["Location"] == reverse("admin:index")


def test_the_conflict_button_hands_the_application_on_and_opens_the_next(client, in_review, reviewer):
    first, second = submitted_many(in_review, 2)
    other = colleague()
    in_review.reviewers.add(reviewer, other)
    in_review.reviewers_per_application = 1
    in_review.save()
    assign_reviewers(cohort=in_review, by=None)
    mine = ReviewAssignment.objects.get(reviewer=reviewer).application
    client.force_login(reviewer)
    response = client.post(
        reverse("admin:applications_application_conflict", args=[mine.pk]), {"reason": "Nachbar"}
    )
    assert response.status_code == 302
    assert Conflict.objects.get().reviewer == reviewer
    assert set(mine.assignments.values_list("reviewer", flat=True)) == {other.pk}
    assert client.get(reverse("admin:applications_application_conflict", args=[mine.pk])).status_code == 405


def test_the_endorsement_is_shown_inline_to_reviewers_only(client, in_review, reviewer):
    (application,) = submitted_many(in_review, 1)
    url = reverse("admin:applications_application_endorsement", args=[application.pk])
    client.force_login(reviewer)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    policy = [part.strip() for part in response["Content-Security-Policy"].split(";")]
    assert "frame-ancestors 'self'" in policy and "sandbox" in policy  # no scripts, no same origin
    assert 'src="data:image/jpeg;base64,' in response.content.decode()  # the page, as a picture
    page = client.get(
        reverse("admin:applications_application_change", args=[application.pk])
    ).content.decode()
    assert f'<iframe sandbox src="{url}"' in page
    assert f'href="{reverse("applications:endorsement", args=[application.pk])}"' in page  # the PDF
    coordinator = UserFactory(is_staff=True)
    coordinator.groups.add(Group.objects.get(name="coordinators"))
    for outsider in (coordinator, application.applicant, UserFactory(is_staff=True)):
        client.force_login(outsider)
        # Outside the reviewers' scope the application does not exist for them (404), or they
        # are sent to the login (302) or refused (403).
        assert client.get(url).status_code in {302, 403, 404}
    client.logout()
    assert client.get(url).status_code == 302  # to the login


def test_blind_review_hides_the_others_until_one_has_scored_admins_see_all(client, in_review, reviewer):
    in_review.programme.blind_review = True
    in_review.programme.save()
    (application,) = submitted_many(in_review, 1)
    other = colleague(first_name="Otto", last_name="Vorbewerter")
    score(application, other, (1, 2, 1))
    ReviewNote.objects.create(application=application, author=other, text="Geheime Einschätzung")
    url = reverse("admin:applications_application_change", args=[application.pk])
    client.force_login(reviewer)
    page = client.get(url).content.decode()
    assert "Vorbewerter" not in page and "Geheime Einschätzung" not in page
    score(application, reviewer)
    page = client.get(url).content.decode()
    assert "Vorbewerter" in page and "Geheime Einschätzung" in page
    boss = colleague()
    boss.user_permissions.add(Permission.objects.get(codename="manage_review"))
    client.force_login(boss)
    assert "Geheime Einschätzung" in client.get(url).content.decode()


def test_a_score_of_seven_is_listed_at_the_top_with_a_link_to_the_field_and_nothing_is_lost(
    client, in_review, reviewer
):
    (application,) = submitted_many(in_review, 1)
    client.force_login(reviewer)
    url = reverse("admin:applications_application_change", args=[application.pk])
    response = client.post(url, {**ADMIN_FORM, "scores-0-motivation": "7", "notes-0-text": "Mein Gedanke"})
    page = response.content.decode()
    assert response.status_code == 200
    assert (
        '<a href="#id_scores-0-motivation">Motivation: Bitte wählen Sie 1 bis 5 Punkte; 7 ist nicht möglich.</a>'
        in page
    )
    assert 'id="id_scores-0-motivation"' in page
    assert "Mein Gedanke" in page
    assert not Score.objects.exists()


@pytest.mark.parametrize("count", [1, 10])
def test_the_review_page_takes_the_same_queries_for_few_and_many_scores(
    client, in_review, reviewer, count, django_assert_num_queries
):
    (application,) = submitted_many(in_review, 1)
    for _ in range(count):
        other = colleague()
        score(application, other)
        ReviewNote.objects.create(application=application, author=other, text="Notiz")
        ReviewAssignment.objects.create(application=application, reviewer=other)
    client.force_login(reviewer)
    url = reverse("admin:applications_application_change", args=[application.pk])
    client.get(url)
    with django_assert_num_queries(REVIEW_PAGE_QUERIES):
        response = client.get(url)
    assert response.content.decode().count('class="field-reviewer_name"') == count


QUEUE_QUERIES = 6
REVIEW_PAGE_QUERIES = 20  # one of them: the Rückfragen
