"""A cohort's review runs through its phases: scores and notes only in "Prüfung" (and not after
its end date), decisions only in "Entscheidung"; only an admin of the review moves a cohort."""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from applications import review
from applications.decisions import decide, preview_decision
from applications.models import Application, ReviewAssignment, Score
from applications.phases import move_review_phase
from cohorts.models import ReviewPhase
from tests.factories import UserFactory, berlin

from .conftest import make_draft, move_to
from .test_review_writes import ADMIN_FORM, submitted

pytestmark = pytest.mark.django_db

AFTER_CLOSE = berlin(2022, 10, 5, 9)


def review_admin():
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="reviewers"))
    user.user_permissions.add(Permission.objects.get(codename="manage_review"))
    return user


def test_an_admin_moves_the_cohort_one_phase_at_a_time_and_entering_review_assigns(cohort, reviewer):
    move_to(cohort, ReviewPhase.OPEN)
    application = make_draft(cohort, UserFactory())
    Application.objects.filter(pk=application.pk).update(
        status="submitted", sequence=1, reference="SCM-3-0001", submitted_at=berlin(2022, 9, 1, 9)
    )
    boss = review_admin()
    with pytest.raises(ValidationError, match="nur zur nächsten oder vorigen Phase"):
        move_review_phase(cohort=cohort, to=ReviewPhase.DECISION, by=boss, at=AFTER_CLOSE)

    cohort = move_review_phase(cohort=cohort, to=ReviewPhase.REVIEW, by=boss, at=AFTER_CLOSE)

    assert (cohort.review_phase, cohort.review_phase_since) == (ReviewPhase.REVIEW, AFTER_CLOSE)
    assert set(ReviewAssignment.objects.values_list("reviewer", flat=True)) == {reviewer.pk, boss.pk}
    cohort = move_review_phase(cohort=cohort, to=ReviewPhase.DECISION, by=boss, at=AFTER_CLOSE)
    assert cohort.review_phase == ReviewPhase.DECISION


def test_reviewers_and_coordinators_never_move_a_phase(cohort, reviewer):
    coordinator = UserFactory(is_staff=True)
    coordinator.groups.add(Group.objects.get(name="coordinators"))
    cohort.coordinators.add(coordinator)
    for person in (reviewer, coordinator):
        with pytest.raises(PermissionDenied):
            move_review_phase(cohort=cohort, to=ReviewPhase.CLOSED, by=person, at=AFTER_CLOSE)
    cohort.refresh_from_db()
    assert cohort.review_phase == ReviewPhase.DECISION


@pytest.mark.parametrize(
    ("phase", "message"),
    [
        (ReviewPhase.OPEN, "Die Prüfung hat noch nicht begonnen"),
        (ReviewPhase.DECISION, "Die Prüfung ist beendet (Phase „Entscheidung“)"),
        (ReviewPhase.CLOSED, "Die Prüfung ist beendet (Phase „abgeschlossen“)"),
    ],
)
def test_scores_and_notes_only_in_review(cohort, reviewer, phase, message):
    application = submitted(cohort)
    move_to(cohort, phase)
    application.refresh_from_db()
    with pytest.raises(ValidationError, match=re.escape(message)):
        review.record_score(application=application, by=reviewer, motivation=3, relevance=3, commitment=3)
    with pytest.raises(ValidationError, match=re.escape(message)):
        review.add_note(application=application, by=reviewer, text="Notiz")
    assert not Score.objects.exists() and not application.notes.exists()


def test_a_score_after_the_review_end_date_is_refused_and_on_the_last_day_taken(cohort, reviewer):
    application = submitted(cohort)
    move_to(cohort, ReviewPhase.REVIEW, review_ends_on=dt.date(2022, 10, 20))
    application.refresh_from_db()
    last_second = berlin(2022, 10, 20, 23, 59, 59)
    review.record_score(
        application=application, by=reviewer, motivation=4, relevance=4, commitment=4, at=last_second
    )
    with pytest.raises(ValidationError, match="Die Prüfung endete am 20.10.2022"):
        review.record_score(
            application=application,
            by=reviewer,
            motivation=1,
            relevance=1,
            commitment=1,
            at=berlin(2022, 10, 21),
        )
    assert Score.objects.get().total == 12


def test_the_review_page_refuses_a_late_score_and_keeps_what_was_typed(client, cohort, reviewer):
    application = submitted(cohort)
    move_to(cohort, ReviewPhase.DECISION)
    client.force_login(reviewer)
    url = reverse("admin:applications_application_change", args=[application.pk])
    data = {**ADMIN_FORM, "notes-0-text": "Mein langer Gedanke", "scores-0-motivation": "5"}
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Die Prüfung ist beendet (Phase „Entscheidung“)" in page
    assert "Mein langer Gedanke" in page and 'value="5"' in page
    assert not Score.objects.exists()


def test_decisions_only_in_the_decision_phase_each_row_says_why(cohort, reviewer):
    application = submitted(cohort)  # the cohort is in review now
    plan = preview_decision(application_ids=[application.pk], decision="rejected", at=AFTER_CLOSE)
    assert [row.reason for row in plan.skipped] == [
        "Der Durchgang ist in der Phase „Prüfung“; entschieden wird in der Phase „Entscheidung“."
    ]
    with pytest.raises(ValidationError):
        decide(application_ids=[application.pk], decision="rejected", by=reviewer, at=AFTER_CLOSE)
    move_to(cohort, ReviewPhase.DECISION)
    decide(application_ids=[application.pk], decision="rejected", by=reviewer, at=AFTER_CLOSE)
    application.refresh_from_db()
    assert application.status == Application.Status.REJECTED
