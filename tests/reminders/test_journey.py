"""A cohort from the opening of applications to the certificates, with beat running every schedule
as configured (twice each time, as if it fired double). Asserts exactly which mails each person
receives, in which language, and that the double runs sent nothing more."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from applications import decisions as application_decisions
from applications import services as application_services
from applications.models import Application
from certificates import services as certificate_services
from cohorts.models import Enrollment
from config.celery import app
from modules.models import Attendance, Module, TaskDeadline, TaskSubmission
from portal.mail.models import OutboxMessage
from tests.applications.conftest import make_draft
from tests.factories import UserFactory, berlin

from .conftest import session

pytestmark = pytest.mark.django_db

FIRST_DAY = dt.date(2022, 9, 1)
LAST_DAY = dt.date(2022, 12, 20)


def beat_moments(day: dt.date):
    """When beat starts which task on this day, read from the schedules in the database."""
    moments = []
    for task in PeriodicTask.objects.filter(enabled=True, crontab__isnull=False).select_related("crontab"):
        cron = task.crontab
        if cron.day_of_week != "*" and int(cron.day_of_week) != day.isoweekday() % 7:
            continue
        moment = berlin(day.year, day.month, day.day, int(cron.hour), int(cron.minute))
        moments.append((moment, task.task))
    return moments


def test_from_the_opening_to_the_certificate_everyone_gets_exactly_their_mails(
    cohort, run, time_machine, django_capture_on_commit_callbacks
):
    reviewer = UserFactory(email="pruefung@example.org", is_staff=True)
    reviewer.groups.add(Group.objects.get(name="reviewers"))
    coordinator = UserFactory(email="koordination@example.org", is_staff=True)
    coordinator.groups.add(Group.objects.get(name="coordinators"))
    cohort.coordinators.add(coordinator)
    joerdis = UserFactory(email="joerdis@example.org", first_name="Jördis", last_name="Groß")
    ada = UserFactory(email="ada@example.org", first_name="Ada", last_name="Lovelace", language="en")
    clara = UserFactory(email="clara@example.org", first_name="Clara")
    bernd = UserFactory(email="bernd@example.org", first_name="Bernd", reminders_opt_out=True)

    sessions = [
        session(cohort, position, berlin(2022, 10, 19, 13) + dt.timedelta(days=7 * position))
        for position in range(1, 6)
    ]
    for item in sessions:
        TaskDeadline.objects.create(
            cohort=cohort,
            module=item.module,
            due_at=item.starts_at + dt.timedelta(days=7, hours=10, minutes=59),
        )
    drafts = {}

    def start_drafts():
        for user in (joerdis, ada, clara, bernd):
            drafts[user.email] = make_draft(cohort, user)

    def submit(user):
        def action():
            application_services.submit_application(
                application_id=drafts[user.email].pk, applicant=user, at=timezone.now()
            )

        return action

    def accept():
        # MIL has moved the cohort on to the phase in which decisions are taken.
        type(cohort).objects.filter(pk=cohort.pk).update(review_phase="decision")
        ids = [drafts[user.email].pk for user in (joerdis, ada)]
        application_decisions.decide(application_ids=ids, decision="accepted", by=reviewer, at=timezone.now())

    def confirm(user):
        def action():
            application_decisions.respond_to_offer(
                application_id=drafts[user.email].pk, applicant=user, accept=True, at=timezone.now()
            )

        return action

    def attend(index):
        def action():
            for user in (joerdis, ada):
                enrollment = Enrollment.objects.get(user=user, cohort=cohort)
                absent = user == joerdis and index == 1
                Attendance.objects.create(
                    session=sessions[index],
                    enrollment=enrollment,
                    status=Attendance.Status.ABSENT if absent else Attendance.Status.PRESENT,
                    recorded_by=coordinator,
                )
                if absent:
                    continue  # and Jördis never hands in the task of module 2
                TaskSubmission.objects.create(
                    enrollment=enrollment,
                    module=sessions[index].module,
                    file="x.pdf",
                    file_name="x.pdf",
                    submitted_at=timezone.now(),
                    state=TaskSubmission.State.ACCEPTED if user == ada else TaskSubmission.State.SUBMITTED,
                )

        return action

    def issue():
        certificate_services.issue_certificates(cohort=cohort, by=coordinator, at=timezone.now())

    events = [
        (berlin(2022, 9, 1, 12), start_drafts),
        (berlin(2022, 9, 1, 13), submit(ada)),
        (berlin(2022, 9, 28, 12), submit(joerdis)),
        (berlin(2022, 10, 10, 11), accept),
        (berlin(2022, 10, 11, 11), confirm(ada)),
        (berlin(2022, 10, 15, 11), confirm(joerdis)),
        *[(item.ends_at, attend(index)) for index, item in enumerate(sessions)],
        (berlin(2022, 12, 12, 11), issue),
    ]
    day = FIRST_DAY
    while day <= LAST_DAY:
        for moment, name in beat_moments(day):
            events.append((moment, name))
        day += dt.timedelta(days=1)
    events.sort(key=lambda event: event[0])

    app.loader.import_default_modules()  # every app's tasks, as a worker has them at start
    sent_before_repeat = 0
    for moment, action in events:
        time_machine.move_to(moment, tick=False)
        if isinstance(action, str):
            task = app.tasks[action]
            run(task)
            sent_before_repeat = len(mail.outbox)
            run(task)  # beat fires twice
            assert len(mail.outbox) == sent_before_repeat
        else:
            with django_capture_on_commit_callbacks(execute=True):
                action()
        # The minute after: flush_outbox has nothing left to do.
        time_machine.move_to(moment + dt.timedelta(minutes=1), tick=False)
        run(app.tasks["portal.tasks.flush_outbox"])

    def received(user):
        return list(
            OutboxMessage.objects.filter(recipient=user.email, status="sent")
            .order_by("sent_at", "pk")
            .values_list("kind", "language", "sent_at__date")
        )

    de = "de"
    assert [(kind, day.isoformat()) for kind, _language, day in received(clara)] == [
        ("reminder-draft-7d", "2022-09-27"),
        ("reminder-draft-1d", "2022-10-03"),
    ]
    assert received(bernd) == []  # opted out, and never submitted
    assert received(joerdis) == [
        (kind, de, dt.date.fromisoformat(date))
        for kind, date in [
            ("reminder-draft-7d", "2022-09-27"),
            ("application-submitted", "2022-09-28"),
            ("decision-accepted", "2022-10-10"),
            ("reminder-offer-3d", "2022-10-14"),
            ("reminder-session-1d", "2022-10-25"),
            ("reminder-session-1d", "2022-11-01"),
            ("reminder-task-3d", "2022-11-06"),
            ("reminder-session-1d", "2022-11-08"),
            ("reminder-session-1d", "2022-11-15"),
            ("reminder-session-1d", "2022-11-22"),
        ]
    ]
    assert received(ada) == [
        (kind, "en", dt.date.fromisoformat(date))
        for kind, date in [
            ("application-submitted", "2022-09-01"),
            ("decision-accepted", "2022-10-10"),
            ("reminder-session-1d", "2022-10-25"),
            ("reminder-session-1d", "2022-11-01"),
            ("reminder-session-1d", "2022-11-08"),
            ("reminder-session-1d", "2022-11-15"),
            ("reminder-session-1d", "2022-11-22"),
            ("certificate-ready", "2022-12-12"),
        ]
    ]
    digests = OutboxMessage.objects.filter(recipient=coordinator.email, status="sent").order_by("sent_at")
    assert [m.subject for m in digests] == [
        f"Wochenübersicht Ihrer Schulungsdurchgänge (KW {week})" for week in range(45, 52)
    ]
    assert "- Jördis Groß: Modul 2 (Sitzung am 02.11.2022)" in digests[0].body_text
    assert "Fehlende Praxisaufgaben" not in digests[0].body_text
    assert "- Jördis Groß: Modul 2 (fällig am 09.11.2022)" in digests[1].body_text
    assert "- Ada Lovelace" in digests[3].body_text  # 28.11.: ready for the certificate
    assert "Bereit für das Zertifikat" not in digests[6].body_text  # 19.12.: issued on 12.12.
    assert OutboxMessage.objects.filter(recipient=reviewer.email).count() == 0
    # Nothing was sent twice: every delivered mail has its own outbox row.
    keys = [m.extra_headers["X-Portal-Message"] for m in mail.outbox]
    assert len(keys) == len(set(keys)) == OutboxMessage.objects.filter(status="sent").count()
    assert not OutboxMessage.objects.exclude(status="sent").exists()
    assert Application.objects.get(applicant=clara).status == Application.Status.DRAFT
    assert Module.objects.filter(programme=cohort.programme).count() == 5
