"""Rückfragen: a reviewer asks for named fields by a date; the application opens for exactly those
fields; the applicant is mailed, sees it on the dashboard, answers, and the application is back
in review with the history kept."""

import datetime as dt

import pytest
from django.urls import reverse

from applications.models import Application, InformationRequest, StatusChange
from applications.requests import ask_applicant
from cohorts.models import ReviewPhase
from portal.mail.models import OutboxMessage
from tests.factories import UserFactory, berlin

from .conftest import move_to
from .test_workspace import submitted_many

pytestmark = pytest.mark.django_db

ASKED = berlin(2022, 10, 10, 9)


@pytest.fixture
def in_review(cohort, time_machine):
    time_machine.move_to(ASKED, tick=False)
    return move_to(cohort, ReviewPhase.REVIEW)


def ask(application, reviewer, **overrides):
    values = {
        "fields": ["motivation", "plans"],
        "message": "Bitte beschreiben Sie Ihre Vorhaben genauer.",
        "due_on": dt.date(2022, 10, 17),
    }
    values.update(overrides)
    return ask_applicant(application=application, by=reviewer, at=ASKED, **values)


def test_a_reviewer_asks_in_the_admin_and_the_applicant_is_mailed(
    client, in_review, reviewer, django_capture_on_commit_callbacks
):
    (application,) = submitted_many(in_review, 1)
    client.force_login(reviewer)
    url = reverse("admin:applications_application_request", args=[application.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"fields": ["motivation", "plans"], "message": "Bitte genauer.", "due_on": "17.10.2022"}
        )
    assert response.status_code == 302
    request = InformationRequest.objects.get()
    assert (request.fields, request.asked_by, request.due_on) == (
        ["motivation", "plans"],
        reviewer,
        dt.date(2022, 10, 17),
    )
    message = OutboxMessage.objects.get(kind="application-information-request")
    assert message.recipient == application.applicant.email
    assert "17.10.2022" in message.body_text and "Motivation" in message.body_text


def test_bad_input_keeps_what_was_typed(client, in_review, reviewer):
    (application,) = submitted_many(in_review, 1)
    client.force_login(reviewer)
    url = reverse("admin:applications_application_request", args=[application.pk])
    page = client.post(
        url, {"fields": ["plans"], "message": "Mein Text", "due_on": "01.01.2020"}
    ).content.decode()
    assert "Die Antwortfrist darf nicht in der Vergangenheit liegen." in page and "Mein Text" in page
    assert not InformationRequest.objects.exists()


def test_requests_only_in_review(in_review, reviewer):
    (application,) = submitted_many(in_review, 1)
    move_to(in_review, ReviewPhase.DECISION)
    application.refresh_from_db()
    with pytest.raises(Exception, match="Die Prüfung ist beendet"):
        ask(application, reviewer)


def test_the_applicant_sees_it_answers_exactly_those_fields_and_it_returns_to_review(
    client, in_review, reviewer
):
    (application,) = submitted_many(in_review, 1)
    request = ask(application, reviewer)
    client.force_login(application.applicant)
    dashboard = client.get(reverse("applications:dashboard")).content.decode()
    assert "bitte bis einschließlich 17.10.2022 beantworten" in dashboard
    url = reverse("applications:answer_request", args=[request.pk])
    page = client.get(url).content.decode()
    assert 'name="motivation"' in page and 'name="plans"' in page and 'name="department"' not in page
    response = client.post(
        url, {"motivation": "Neu begründet.", "plans": "Ein Datenportal.", "department": "Gehackt"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.motivation, application.plans, application.department) == (
        "Neu begründet.",
        "Ein Datenportal.",
        "Stadtplanung",
    )
    assert application.status == Application.Status.IN_REVIEW
    request.refresh_from_db()
    assert request.answered_at == ASKED and set(request.changes) == {"motivation", "plans"}
    assert StatusChange.objects.filter(reason="Rückfrage beantwortet").exists()
    assert client.get(url).status_code == 404  # answered: closed again
    assert "beantworten" not in client.get(reverse("applications:dashboard")).content.decode()


def test_nobody_else_answers_and_a_late_answer_is_refused_keeping_the_text(
    client, in_review, reviewer, time_machine
):
    (application,) = submitted_many(in_review, 1)
    request = ask(application, reviewer)
    url = reverse("applications:answer_request", args=[request.pk])
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(application.applicant)
    time_machine.move_to(berlin(2022, 10, 18, 0, 0, 1))
    page = client.post(url, {"motivation": "Zu spät, aber ausführlich.", "plans": "x"}).content.decode()
    assert "Die Frist für diese Rückfrage endete am 17.10.2022" in page
    assert "Zu spät, aber ausführlich." in page
    request.refresh_from_db()
    assert request.answered_at is None


def test_the_review_page_shows_the_history_of_requests(client, in_review, reviewer):
    (application,) = submitted_many(in_review, 1)
    ask(application, reviewer)
    client.force_login(reviewer)
    page = client.get(
        reverse("admin:applications_application_change", args=[application.pk])
    ).content.decode()
    assert "Rückfragen an die Bewerber:in" in page and "Bitte beschreiben Sie Ihre Vorhaben genauer." in page
