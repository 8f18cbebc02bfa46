"""Returning a task mails the participant the feedback, in their language, through the outbox;
the course page shows the returned work as an alert at the top."""

import datetime as dt

import pytest
from django.urls import reverse

from modules import services
from modules.models import TaskSubmission
from portal.mail.models import OutboxMessage

from .test_coordination_home import submit

pytestmark = pytest.mark.django_db

AT = dt.datetime(2022, 11, 20, 9, tzinfo=dt.UTC)


def test_returning_mails_the_feedback_and_the_course_page_alerts(
    client, cohort, modules, coordinator, participant, django_capture_on_commit_callbacks
):
    submission = submit(participant, modules[2])
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("modules:review_submission", args=[submission.pk]),
            {"decision": "return", "comment": "Bitte ergänzen Sie die Zeitplanung.\nUnd die Quellen."},
        )
    (message,) = OutboxMessage.objects.filter(kind="task-returned")
    assert message.recipient == participant.user.email and message.subject == "Bitte überarbeiten: Modul 3"
    assert "Bitte ergänzen Sie die Zeitplanung.\nUnd die Quellen." in message.body_text
    assert "Bitte ergänzen Sie die Zeitplanung.<br>Und die Quellen." in message.body_html
    assert "/kurs/" in message.body_text
    client.force_login(participant.user)
    page = client.get(reverse("modules:dashboard")).content.decode()
    alert = page.index("kern-alert--warning returned-alert")
    assert alert < page.index('id="progress-title"')
    assert "Praxisaufgabe „Modul 3“: bitte überarbeiten" in page
    assert f'href="#module-{modules[2].pk}"' in page[alert:]


def test_the_mail_is_in_the_participants_language(cohort, modules, coordinator, participant):
    participant.user.language = "en"
    participant.user.save()
    modules[2].title_en = "Participation"
    modules[2].save()
    submission = submit(participant, modules[2])
    services.review_task(
        submission=submission, accept=False, comment="More detail, please.", by=coordinator, at=AT
    )
    message = OutboxMessage.objects.get(kind="task-returned")
    assert message.subject == "Please revise: Participation"
    assert "returned for revision" in message.body_text and "More detail, please." in message.body_text


def test_accepting_mails_nothing_and_each_returned_version_mails_once(
    cohort, modules, coordinator, participant
):
    submission = submit(participant, modules[0])
    services.review_task(submission=submission, accept=False, comment="Erstens", by=coordinator, at=AT)
    submission.refresh_from_db()
    services.review_task(submission=submission, accept=False, comment="Doppelt", by=coordinator, at=AT)
    TaskSubmission.objects.filter(pk=submission.pk).update(  # the revised version is handed in
        state="submitted", submitted_at=AT + dt.timedelta(days=1)
    )
    services.review_task(
        submission=submission, accept=False, comment="Zweitens", by=coordinator, at=AT + dt.timedelta(days=2)
    )
    other = submit(participant, modules[1])
    services.review_task(submission=other, accept=True, comment="", by=coordinator, at=AT)
    bodies = [m.body_text for m in OutboxMessage.objects.filter(kind="task-returned").order_by("pk")]
    assert len(bodies) == 2 and "Erstens" in bodies[0] and "Zweitens" in bodies[1]


def test_only_the_own_participant_sees_the_alert(client, cohort, modules, coordinator, participant):
    from tests.factories import EnrollmentFactory

    submission = submit(participant, modules[0])
    services.review_task(submission=submission, accept=False, comment="Vertraulich", by=coordinator, at=AT)
    other = EnrollmentFactory(cohort=cohort, state="confirmed")
    client.force_login(other.user)
    assert "Vertraulich" not in client.get(reverse("modules:dashboard")).content.decode()
