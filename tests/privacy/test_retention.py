"""Retention: what the nightly job anonymises or erases, what it keeps, and that it can run twice."""

import datetime as dt
import time

import pytest
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from applications.models import Application, DeadlineExtension, ReviewNote, Score, StatusChange
from certificates import selectors as certificate_selectors
from certificates.models import Certificate
from cohorts.models import Enrollment
from modules.models import Attendance, TaskSubmission
from portal.accounts.models import User
from portal.mail.models import OutboxMessage
from portal.privacy import registry as data_protection
from portal.privacy.tasks import apply_retention
from tests.factories import berlin

from .conftest import (
    db_rows_containing,
    ended_cohort,
    grant_extension,
    make_application,
    media_files,
    participate,
    person,
    review,
    with_letter,
)

pytestmark = pytest.mark.django_db

COHORT_END = dt.date(2022, 12, 16)
LAST_DAY = berlin(2023, 12, 16, 23, 59)  # 12 months after the end: still kept
AFTER = berlin(2024, 1, 10, 3, 15)
GONE = (
    "tok-rejected",
    "tok-withdrawn",
    "tok-waiting",
    "tok-draft",
    "tok-declined",
    "tok-leaver",
    "tok-dropout",
)
# Where a person who still has an account is named: the account, its addresses, its mails and
# the audit log of the account.
ACCOUNT_DATA = (
    "portal.User.",
    "account.EmailAddress.",
    "portal.OutboxMessage.",
    "auditlog.LogEntry[portal.user].",
)


@pytest.fixture
def world(reviewer, coordinator, django_capture_on_commit_callbacks):
    """Cohort 3 ended on 16.12.2022; cohort 9 ended recently and is still within retention."""
    old = ended_cohort(3, COHORT_END)
    recent = ended_cohort(9, dt.date(2023, 11, 30))
    people = {}

    def applicant(token, status, sequence, cohort=old, decision=None):
        someone = person(token)
        with_letter(
            someone, make_application(cohort, someone.user, status=status, token=token, sequence=sequence)
        )
        review(someone.application, reviewer, token, decision=decision)
        people[token] = someone
        return someone

    applicant("tok-rejected", Application.Status.REJECTED, 1, decision="rejected")
    grant_extension(people["tok-rejected"].application, reviewer, "tok-rejected")
    applicant("tok-withdrawn", Application.Status.WITHDRAWN, 2)
    applicant("tok-waiting", Application.Status.WAITLISTED, 3, decision="waitlisted")
    applicant("tok-recent", Application.Status.REJECTED, 1, cohort=recent, decision="rejected")
    draft = person("tok-draft")
    with_letter(draft, make_application(old, draft.user, status=Application.Status.DRAFT, token="tok-draft"))
    people["tok-draft"] = draft

    # A participant who keeps their account: nothing of theirs is touched.
    stays = applicant("tok-stays", Application.Status.ACCEPTED, 4, decision="accepted")
    participate(stays, old, coordinator, certificate_sequence=1)
    Application.objects.filter(pk=stays.application.pk).update(enrollment=stays.enrollment)

    # Participants who asked for deletion while their data had to be kept.
    for token, sequence, certificate in (("tok-leaver", 5, 2), ("tok-dropout", 6, None)):
        leaver = applicant(token, Application.Status.ACCEPTED, sequence, decision="accepted")
        participate(leaver, old, coordinator, certificate_sequence=certificate)
        Application.objects.filter(pk=leaver.application.pk).update(enrollment=leaver.enrollment)
        with django_capture_on_commit_callbacks(execute=True):
            plan = data_protection.erase_account(user=leaver.user, at=berlin(2023, 2, 1, 12))
        assert plan.restricted and plan.until == dt.date(2023, 12, 16)

    # Someone who declined a seat.
    decliner = applicant("tok-declined", Application.Status.WITHDRAWN, 7)
    decliner.enrollment = Enrollment.objects.create(
        cohort=old, user=decliner.user, state=Enrollment.State.DECLINED
    )
    Application.objects.filter(pk=decliner.application.pk).update(enrollment=decliner.enrollment)
    return people


def run(at, capture):
    with capture(execute=True):
        return data_protection.run_retention(at=at)


def test_nothing_changes_on_the_last_day_of_retention(world, settings, django_capture_on_commit_callbacks):
    files = media_files(settings)
    counts = run(LAST_DAY, django_capture_on_commit_callbacks)
    assert set(counts.values()) == {0}
    assert media_files(settings) == files
    assert Application.objects.filter(anonymised_at__isnull=False).count() == 0
    assert User.objects.filter(erasure_requested_at__isnull=False, erased_at__isnull=True).count() == 2


def test_after_retention_unsuccessful_applications_and_leavers_are_gone_and_certificates_stay_verifiable(
    world, settings, client, django_capture_on_commit_callbacks
):
    people = world
    leaver_certificate = people["tok-leaver"].certificate
    # The scan finds the data, in the tables and in the audit log, before the job runs.
    before = db_rows_containing("tok-rejected")
    assert any(r.startswith("applications.Application.motivation#") for r in before)
    assert any(r.startswith("applications.ReviewNote.text#") for r in before)
    assert any(r.startswith("auditlog.LogEntry[applications.application].changes#") for r in before)
    assert any(
        r.startswith("auditlog.LogEntry[modules.tasksubmission]") for r in db_rows_containing("tok-leaver")
    )

    counts = run(AFTER, django_capture_on_commit_callbacks)

    expected = {
        "mails_scrubbed": 0,  # the test mails were sent recently
        "seats_deleted": 1,  # the declined one
        "drafts_deleted": 1,
        "applications_anonymised": 4,  # rejected, withdrawn, waitlisted, declined the seat
        "accounts_erased": 2,  # the two leavers, with their accepted applications
    }
    assert {key: counts.get(key) for key in expected} == expected

    # --- What is gone: every trace of these people, in every table and in the media folder.
    for token in GONE:
        rows = db_rows_containing(token)
        if token in {"tok-rejected", "tok-withdrawn", "tok-waiting", "tok-draft", "tok-declined"}:
            # Their accounts still exist (they asked for nothing): the account and its mails remain,
            # but nothing of the application.
            assert all(r.startswith(ACCOUNT_DATA) for r in rows), rows
        elif token == "tok-leaver":
            # Only the certificate's record: number, name, date, for verification.
            assert rows == [f"certificates.Certificate.holder_name#{leaver_certificate.pk}"]
        else:
            assert rows == [], rows
    for token in GONE:
        for name in people[token].files:
            assert name not in media_files(settings), (token, name)
    assert not Application.objects.filter(applicant=people["tok-draft"].user).exists()
    assert (
        not ReviewNote.objects.filter(application__cohort__number=3)
        .exclude(application=people["tok-stays"].application)
        .exists()
    )
    assert not DeadlineExtension.objects.exists()
    assert not Enrollment.objects.filter(state=Enrollment.State.DECLINED).exists()

    anonymised = Application.objects.filter(anonymised_at__isnull=False).order_by("sequence")
    assert [(a.reference, a.status) for a in anonymised] == [
        ("SCM-3-0001", "rejected"),
        ("SCM-3-0002", "withdrawn"),
        ("SCM-3-0003", "waitlisted"),
        ("SCM-3-0005", "accepted"),
        ("SCM-3-0006", "accepted"),
        ("SCM-3-0007", "withdrawn"),
    ]
    for application in anonymised:
        assert application.applicant_id is None and application.enrollment_id is None
        assert application.municipality_id is None and not application.endorsement
        assert application.motivation == application.phone == application.supervisor_email == ""
        # What remains is statistics: strategy answer, dates and the scores' numbers.
        assert application.strategy == "yes" and application.submitted_at is not None
        assert [s.total for s in Score.objects.filter(application=application)] == [12]
        assert not StatusChange.objects.filter(application=application).exclude(reason="").exists()

    # The leaver with a certificate is an empty, locked shell the certificate's seat points to;
    # the one without a certificate is deleted, seat, attendance and task included.
    shell = User.objects.get(pk=people["tok-leaver"].user.pk)
    assert shell.erased_at == AFTER and not shell.is_active
    assert (shell.first_name, shell.last_name, shell.email) == ("", "", f"geloescht-{shell.pk}@konto.invalid")
    assert not User.objects.filter(pk=people["tok-dropout"].user.pk).exists()
    assert not Attendance.objects.filter(enrollment__user=shell).exists()
    assert not TaskSubmission.objects.filter(enrollment__user=shell).exists()

    # --- What remains: the participant who kept their account, and the recent cohort.
    stays = people["tok-stays"]
    assert Application.objects.get(pk=stays.application.pk).motivation == "Motivation tok-stays"
    assert set(stays.files) <= media_files(settings)
    recent = people["tok-recent"]
    assert Application.objects.get(pk=recent.application.pk).motivation == "Motivation tok-recent"
    assert set(recent.files) <= media_files(settings)
    assert ReviewNote.objects.filter(application=recent.application).exists()

    # --- Certificate verification still works, by number and code and by the PDF itself.
    certificate = Certificate.objects.get(pk=leaver_certificate.pk)
    assert certificate.holder_name == "Erika Name-tok-leaver" and not certificate.pdf
    assert certificate_selectors.find(certificate.number, certificate.verification_code) == certificate
    assert certificate_selectors.find_by_pdf(leaver_certificate.content) == certificate
    page = client.get(
        reverse("certificates:verify"), {"nummer": certificate.number, "code": certificate.verification_code}
    )
    assert "Erika Name-tok-leaver" in page.content.decode()


def test_the_job_can_run_twice(world, settings, django_capture_on_commit_callbacks):
    run(AFTER, django_capture_on_commit_callbacks)
    files = media_files(settings)
    snapshot = {
        "applications": list(Application.objects.order_by("pk").values()),
        "users": list(User.objects.order_by("pk").values()),
        "certificates": list(Certificate.objects.order_by("pk").values()),
    }
    counts = run(AFTER + dt.timedelta(days=1), django_capture_on_commit_callbacks)
    assert set(counts.values()) == {0}
    assert media_files(settings) == files
    assert snapshot == {
        "applications": list(Application.objects.order_by("pk").values()),
        "users": list(User.objects.order_by("pk").values()),
        "certificates": list(Certificate.objects.order_by("pk").values()),
    }


def test_the_period_is_a_setting(world, settings, django_capture_on_commit_callbacks):
    settings.PORTAL_RETENTION_MONTHS = 24
    assert set(run(AFTER, django_capture_on_commit_callbacks).values()) == {0}
    assert set(run(berlin(2024, 12, 17, 3), django_capture_on_commit_callbacks).values()) != {0}


def test_old_mails_keep_only_that_they_were_sent(db, django_capture_on_commit_callbacks):
    someone = person("tok-mail")
    OutboxMessage.objects.filter(user=someone.user).update(created_at=berlin(2022, 1, 1))
    waiting = OutboxMessage.objects.create(
        idempotency_key="waiting", kind="x", recipient="tok-mail@example.org", subject="s", body_text="b"
    )
    OutboxMessage.objects.filter(pk=waiting.pk).update(created_at=berlin(2022, 1, 1))
    assert run(berlin(2023, 1, 2), django_capture_on_commit_callbacks)["mails_scrubbed"] == 1
    old = OutboxMessage.objects.get(idempotency_key=f"test-mail:{someone.user.pk}")
    assert (old.recipient, old.subject, old.body_text, old.kind, old.status) == (
        "",
        "",
        "",
        "application-submitted",
        "sent",
    )
    # A mail still waiting to be sent is left alone.
    assert OutboxMessage.objects.get(pk=waiting.pk).recipient == "tok-mail@example.org"


def test_the_job_is_scheduled_every_night_and_runs_as_a_task(
    world, time_machine, django_capture_on_commit_callbacks
):
    task = PeriodicTask.objects.get(task="portal.tasks.apply_retention")
    assert task.enabled and task.crontab.hour == "3" and str(task.crontab.timezone) == "Europe/Berlin"
    time_machine.move_to(AFTER)
    with django_capture_on_commit_callbacks(execute=True):
        result = apply_retention.delay().get()
    assert result["accounts_erased"] == 2 and result["applications_anonymised"] == 4


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_retention_job():
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    someone = person("tok-worker")
    cohort = ended_cohort(3, COHORT_END)
    application = make_application(
        cohort, someone.user, status=Application.Status.REJECTED, token="tok-worker", sequence=1
    )
    app.conf.task_always_eager = False
    with start_worker(app, perform_ping_check=False, pool="solo", concurrency=1, shutdown_timeout=10):
        result = apply_retention.delay()
        for _ in range(100):
            if result.ready():
                break
            time.sleep(0.1)
    assert result.get(timeout=1)["applications_anonymised"] == 1
    application.refresh_from_db()
    assert application.anonymised_at is not None and application.applicant_id is None
    assert application.endorsement.name == ""


def test_reviewers_see_anonymised_applications_and_cannot_decide_them(
    world, client, reviewer, django_capture_on_commit_callbacks
):
    from django.contrib.auth.models import Group
    from django.core.exceptions import ValidationError

    from applications.decisions import decide

    run(AFTER, django_capture_on_commit_callbacks)
    waiting = Application.objects.get(reference="SCM-3-0003")
    with pytest.raises(ValidationError):
        decide(application_ids=[waiting.pk], decision=Application.Status.ACCEPTED, by=reviewer, at=AFTER)
    assert Application.objects.get(pk=waiting.pk).status == Application.Status.WAITLISTED

    reviewer.groups.add(Group.objects.get(name="reviewers"))
    client.force_login(reviewer)
    listing = client.get(reverse("admin:applications_application_changelist"), {"durchgang": "alle"})
    assert listing.status_code == 200 and "(anonymisiert)" in listing.content.decode()
    detail = client.get(reverse("admin:applications_application_change", args=[waiting.pk]))
    assert detail.status_code == 200 and "tok-waiting" not in detail.content.decode()


def test_the_retention_index_covers_exactly_what_retention_anonymises():
    """The partial index serves the nightly run only while its statuses are the run's."""
    from applications.privacy import UNSUCCESSFUL

    index = next(i for i in Application._meta.indexes if i.name == "application_to_anonymise_idx")
    statuses = dict(index.condition.children)["status__in"]
    assert sorted(statuses) == sorted(str(s) for s in UNSUCCESSFUL)
