"""The binding submit: what one costs, what it records, and the confirmation the worker renders."""

import datetime as dt
import time

import pytest
import time_machine
from auditlog.models import LogEntry
from celery.contrib.testing.worker import start_worker
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from applications.mails import SUBMITTED
from applications.models import Application, StatusChange
from applications.services import submit_application
from portal import mail as portal_mail
from portal.mail import send_batch
from portal.mail.models import OutboxMessage
from tests.factories import berlin

from .conftest import make_draft

pytestmark = pytest.mark.django_db

DURING = berlin(2022, 9, 15, 10)
AFTER = berlin(2022, 10, 5, 0)


@pytest.fixture
def logged_in(client, applicant):
    client.force_login(applicant)
    return client


@time_machine.travel(DURING, tick=False)
def test_a_submit_costs_eleven_queries(logged_in, cohort, applicant, django_assert_num_queries):
    draft = make_draft(cohort, applicant)
    # Session and user (2); the transaction (2); the draft locked with its cohort, programme and
    # extension (1); status history and the confirmation in the outbox (2); the cohort locked and
    # the next number (2); the status write and its audit log entry (2). No template is rendered.
    with django_assert_num_queries(11):
        response = logged_in.post(reverse("applications:review", args=[draft.pk]))
    assert response["Location"] == reverse("applications:submitted", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.reference == "SCM-3-0001" and draft.submitted_at == DURING


def test_a_refused_submit_reads_the_draft_again_only_to_show_it(
    logged_in, cohort, applicant, django_assert_num_queries
):
    draft = make_draft(cohort, applicant)
    with time_machine.travel(AFTER, tick=False):
        # Session and user (2); the transaction, given up (a savepoint here: 3, in production 2);
        # the draft locked with its cohort (1); the review page's draft (1).
        with django_assert_num_queries(7):
            response = logged_in.post(reverse("applications:review", args=[draft.pk]))
    assert response.status_code == 400
    assert "um 24:00 Uhr abgelaufen" in response.content.decode()
    assert not StatusChange.objects.exists() and not OutboxMessage.objects.exists()


@time_machine.travel(DURING, tick=False)
def test_a_submit_is_in_the_audit_log_as_django_auditlog_writes_it(logged_in, cohort, applicant):
    draft = make_draft(cohort, applicant)
    logged_in.post(reverse("applications:review", args=[draft.pk]))
    (entry,) = LogEntry.objects.get_for_object(draft).filter(action=LogEntry.Action.UPDATE)
    assert entry.actor == applicant
    assert entry.object_repr == "SCM-3-0001"
    assert entry.changes_dict == {
        "status": ["draft", "submitted"],
        "sequence": ["None", "1"],
        "reference": ["", "SCM-3-0001"],
        "submitted_at": ["None", "2022-09-15 08:00:00"],
    }


def test_submitting_again_changes_nothing_and_says_nothing_new(logged_in, cohort, applicant, time_machine):
    draft = make_draft(cohort, applicant)
    url = reverse("applications:review", args=[draft.pk])
    time_machine.move_to(DURING, tick=False)
    first = logged_in.post(url)
    assert first["Location"] == reverse("applications:submitted", args=[draft.pk])
    assert "Ihr Aktenzeichen lautet SCM-3-0001." in logged_in.get(first["Location"]).content.decode()
    time_machine.move_to(DURING + dt.timedelta(seconds=1), tick=False)  # the second click
    again = logged_in.post(url)
    assert again["Location"] == reverse("applications:detail", args=[draft.pk])
    assert list(get_messages(again.wsgi_request)) == []
    assert Application.objects.get().sequence == 1
    assert StatusChange.objects.count() == 1 and OutboxMessage.objects.count() == 1


@time_machine.travel(DURING, tick=False)
def test_the_confirmation_is_recorded_with_the_submit_and_rendered_by_the_worker(
    logged_in, cohort, applicant
):
    applicant.language = "en"
    applicant.save()
    draft = make_draft(cohort, applicant)
    logged_in.post(reverse("applications:review", args=[draft.pk]))  # commit hooks do not run here

    message = OutboxMessage.objects.get(kind="application-submitted")
    assert message.idempotency_key == f"application-submitted:{draft.pk}"
    assert (message.related_model, message.related_id) == ("applications.application", draft.pk)
    assert (message.recipient, message.user, message.language) == (applicant.email, applicant, "en")
    assert message.status == OutboxMessage.Status.QUEUED
    assert (message.subject, message.body_text) == ("", "")  # nothing rendered in the request

    assert send_batch([message.pk]) == {"sent": 1}
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert message.subject == "Your application SCM-3-0001 has been received"
    assert "SCM-3-0001" in message.body_text and "SCM-3-0001" in message.body_html
    (sent,) = mail.outbox
    assert sent.subject == message.subject and sent.body == message.body_text


@time_machine.travel(DURING, tick=False)
def test_a_confirmation_that_cannot_be_rendered_is_retried_not_sent_empty(
    logged_in, cohort, applicant, monkeypatch
):
    draft = make_draft(cohort, applicant)
    logged_in.post(reverse("applications:review", args=[draft.pk]))
    message = OutboxMessage.objects.get(kind="application-submitted")

    def broken(messages):
        raise RuntimeError("template missing")

    monkeypatch.setitem(portal_mail.registry._renderers, SUBMITTED, broken)
    assert send_batch([message.pk]) == {"deferred": 1}
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.QUEUED and message.attempts == 1
    assert "template missing" in message.error and message.subject == ""
    assert mail.outbox == []

    monkeypatch.undo()
    message.next_attempt_at = DURING
    message.save()
    assert send_batch([message.pk]) == {"sent": 1}
    assert mail.outbox[0].subject == "Ihre Bewerbung SCM-3-0001 ist eingegangen"


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_renders_and_sends_the_confirmation(settings, cohort, applicant):
    from config.celery import app

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    app.conf.task_always_eager = False
    draft = make_draft(cohort, applicant)
    with start_worker(app, perform_ping_check=False, pool="solo", concurrency=1, shutdown_timeout=10):
        submit_application(application_id=draft.pk, applicant=applicant, at=DURING)
        message = OutboxMessage.objects.get(kind=SUBMITTED)
        for _ in range(100):  # waits for the worker, measures nothing
            message.refresh_from_db()
            if message.status == OutboxMessage.Status.SENT:
                break
            time.sleep(0.1)
    assert message.status == OutboxMessage.Status.SENT
    assert [m.subject for m in mail.outbox] == ["Ihre Bewerbung SCM-3-0001 ist eingegangen"]
