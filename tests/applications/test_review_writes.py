"""The reviewers' notes, scores and extensions are written by applications.review, which checks
who may write them; the admin's forms hand their data to it and write nothing themselves."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from applications import review
from applications.models import Application, DeadlineExtension, ReviewNote, Score
from cohorts.models import ReviewPhase
from tests.factories import UserFactory, berlin

from .conftest import make_draft, move_to

pytestmark = pytest.mark.django_db


def submitted(cohort):
    move_to(cohort, ReviewPhase.REVIEW)
    application = make_draft(cohort, UserFactory())
    Application.objects.filter(pk=application.pk).update(
        status=Application.Status.SUBMITTED,
        sequence=1,
        reference=f"SCM-{cohort.number}-0001",
        submitted_at=berlin(2022, 9, 20, 12),
    )
    application.refresh_from_db()
    return application


def reviewer_without(codename: str):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(*Group.objects.get(name="reviewers").permissions.exclude(codename=codename))
    return user


ADMIN_FORM = {
    "notes-TOTAL_FORMS": "1",
    "notes-INITIAL_FORMS": "0",
    "notes-0-text": "Sehr überzeugend.",
    "scores-TOTAL_FORMS": "1",
    "scores-INITIAL_FORMS": "0",
    "scores-0-motivation": "5",
    "scores-0-relevance": "4",
    "scores-0-commitment": "4",
    "status_changes-TOTAL_FORMS": "0",
    "status_changes-INITIAL_FORMS": "0",
    "extension-TOTAL_FORMS": "0",
    "extension-INITIAL_FORMS": "0",
    "assignments-TOTAL_FORMS": "0",
    "assignments-INITIAL_FORMS": "0",
    "conflicts-TOTAL_FORMS": "0",
    "conflicts-INITIAL_FORMS": "0",
    "requests-TOTAL_FORMS": "0",
    "requests-INITIAL_FORMS": "0",
    "scores-2-TOTAL_FORMS": "0",
    "scores-2-INITIAL_FORMS": "0",
}


def test_the_admin_form_writes_notes_and_scores_through_the_services(client, cohort, reviewer, monkeypatch):
    application = submitted(cohort)
    calls = []
    for name in ("add_note", "record_score"):
        service = getattr(review, name)
        monkeypatch.setattr(
            review, name, lambda service=service, name=name, **kwargs: calls.append(name) or service(**kwargs)
        )
    client.force_login(reviewer)
    url = reverse("admin:applications_application_change", args=[application.pk])
    response = client.post(url, ADMIN_FORM)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert sorted(calls) == ["add_note", "record_score"]
    assert ReviewNote.objects.get().author == reviewer
    score = Score.objects.get()
    assert (score.reviewer, score.total) == (reviewer, 13)


def test_without_the_score_service_the_admin_writes_no_score(client, cohort, reviewer, monkeypatch):
    application = submitted(cohort)
    monkeypatch.setattr(
        review, "record_score", lambda *, application, by, score_id, **values: Score(reviewer=by, **values)
    )
    client.force_login(reviewer)
    url = reverse("admin:applications_application_change", args=[application.pk])
    assert client.post(url, ADMIN_FORM).status_code == 302
    assert not Score.objects.exists()
    assert ReviewNote.objects.count() == 1


def test_a_score_is_the_reviewers_own_and_changing_it_keeps_one(cohort, reviewer):
    application = submitted(cohort)
    first = review.record_score(application=application, by=reviewer, motivation=2, relevance=2, commitment=2)
    again = review.record_score(
        application=application, by=reviewer, motivation=5, relevance=4, commitment=3, score_id=first.pk
    )
    assert again.pk == first.pk
    assert [(s.reviewer, s.total) for s in Score.objects.all()] == [(reviewer, 12)]


def test_nobody_changes_another_reviewers_score(cohort, reviewer):
    application = submitted(cohort)
    theirs = review.record_score(
        application=application, by=reviewer, motivation=2, relevance=2, commitment=2
    )
    colleague = UserFactory(is_staff=True)
    colleague.groups.add(Group.objects.get(name="reviewers"))
    with pytest.raises(PermissionDenied):
        review.record_score(
            application=application, by=colleague, motivation=5, relevance=5, commitment=5, score_id=theirs.pk
        )
    theirs.refresh_from_db()
    assert (Score.objects.count(), theirs.total) == (1, 6)


def test_a_reviewer_without_the_permission_cannot_score_or_note(cohort):
    application = submitted(cohort)
    with pytest.raises(PermissionDenied):
        review.record_score(
            application=application,
            by=reviewer_without("add_score"),
            motivation=3,
            relevance=3,
            commitment=3,
        )
    with pytest.raises(PermissionDenied):
        review.add_note(application=application, by=reviewer_without("add_reviewnote"), text="Notiz")
    assert not Score.objects.exists() and not ReviewNote.objects.exists()


def test_a_score_outside_the_rubric_is_refused(cohort, reviewer):
    application = submitted(cohort)
    with pytest.raises(ValidationError):
        review.record_score(application=application, by=reviewer, motivation=6, relevance=3, commitment=3)
    assert not Score.objects.exists()


def test_a_changed_extension_keeps_the_colleague_who_granted_it(cohort, reviewer):
    application = submitted(cohort)
    until = berlin(2022, 10, 7, 12)
    review.record_extension(application=application, by=reviewer, until=until, reason="Krankheit")
    colleague = UserFactory(is_staff=True)
    colleague.groups.add(Group.objects.get(name="reviewers"))
    review.record_extension(
        application=application, by=colleague, until=until + dt.timedelta(days=1), reason="Krankheit, länger"
    )
    extension = DeadlineExtension.objects.get()
    assert (extension.granted_by, extension.until, extension.reason) == (
        reviewer,
        until + dt.timedelta(days=1),
        "Krankheit, länger",
    )
    with pytest.raises(PermissionDenied):
        review.record_extension(
            application=application, by=reviewer_without("change_deadlineextension"), until=until, reason="x"
        )
