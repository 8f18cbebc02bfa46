"""Reviewers working at the same moment, with real concurrent transactions on PostgreSQL."""

import pytest

from applications import review
from applications.assignment import assign_reviewers, declare_conflict
from applications.models import ReviewAssignment, Score
from cohorts.models import ReviewPhase

from .conftest import move_to
from .test_concurrency import run_at_once
from .test_workspace import colleague, submitted_many

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_reviewers_saving_scores_at_once_both_keep_their_own(cohort):
    move_to(cohort, ReviewPhase.REVIEW)
    (application,) = submitted_many(cohort, 1)
    first, second = colleague(), colleague()
    results, errors = run_at_once(
        [
            lambda: review.record_score(
                application=application, by=first, motivation=5, relevance=5, commitment=5
            ),
            lambda: review.record_score(
                application=application, by=second, motivation=1, relevance=2, commitment=1
            ),
        ]
    )
    assert errors == []
    assert {(s.reviewer_id, s.total) for s in Score.objects.all()} == {(first.pk, 15), (second.pk, 4)}


def test_conflicts_declared_at_once_never_leave_an_application_short_or_doubly_assigned(cohort):
    move_to(cohort, ReviewPhase.REVIEW)
    applications = submitted_many(cohort, 4)
    reviewers = [colleague() for _ in range(4)]
    assign_reviewers(cohort=cohort, by=None)
    calls = [
        (lambda a=a, r=r: declare_conflict(application=a, reviewer=r))
        for a in applications
        for r in reviewers
        if ReviewAssignment.objects.filter(application=a, reviewer=r).exists()
    ][:4]
    results, errors = run_at_once(calls)
    assert errors == []
    for application in applications:
        assigned = list(
            ReviewAssignment.objects.filter(application=application).values_list("reviewer", flat=True)
        )
        assert len(assigned) == len(set(assigned)) == 2
    assert reviewers
