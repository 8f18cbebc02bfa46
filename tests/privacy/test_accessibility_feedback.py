"""Reports of barriers (the form of the accessibility statement) in export, erasure and retention.

A report is tied to a person only by the address typed into the form, so the tests send reports
under the person's addresses in other letter cases, under someone else's address, under an
address the person added to the account but never confirmed, and without any address.
"""

import datetime as dt

import pytest
import time_machine
from allauth.account.models import EmailAddress

from applications.models import Application
from portal.accounts.models import User
from portal.mail.models import OutboxMessage
from portal.models import AccessibilityFeedback
from portal.privacy import registry as data_protection
from portal.services import submit_accessibility_feedback
from tests.factories import CohortFactory, berlin

from .conftest import db_rows_containing, make_application, person
from .test_export import download, read_json

pytestmark = pytest.mark.django_db

FEEDBACK_MAIL = "portal.accessibilityfeedback"


def report(email: str, token: str, *, name: str = "", at: dt.datetime | None = None) -> AccessibilityFeedback:
    """A report sent with the form at ``at`` (now if not given), with the mail to the operator."""
    at = at or berlin(2026, 11, 2, 10)
    with time_machine.travel(at, tick=False):
        return submit_accessibility_feedback(
            name=name, email=email, page=f"Seite {token}", message=f"Barriere {token}", at=at
        )


def mail_of(feedback: AccessibilityFeedback) -> OutboxMessage:
    return OutboxMessage.objects.get(related_model=FEEDBACK_MAIL, related_id=feedback.pk)


@pytest.fixture
def jana():
    """Jana with a second, confirmed address and a third she added but never confirmed."""
    jana = person("tok-jana")
    EmailAddress.objects.create(user=jana.user, email="Jana.Privat@example.org", verified=True)
    EmailAddress.objects.create(user=jana.user, email="fremd-tok-stranger@example.org", verified=False)
    return jana


@pytest.fixture
def reports(jana):
    return {
        "own": report("TOK-JANA@Example.org", "tok-jana-1", name="Jana tok-jana"),
        "second_address": report("jana.privat@EXAMPLE.org", "tok-jana-2"),
        "other": report("tok-other@example.org", "tok-other", name="Olga tok-other"),
        "anonymous": report("", "tok-anonymous"),
        # Typed by someone else; Jana only added this address to her account, unconfirmed.
        "unconfirmed": report("fremd-tok-stranger@example.org", "tok-stranger"),
    }


def test_the_export_holds_the_persons_reports_under_any_confirmed_address_and_no_one_elses(
    client, jana, reports
):
    archive = download(client, jana.user)

    feedback = read_json(archive, "konto.json")["accessibility_feedback"]
    assert [(f["page"], f["message"], f["name"], f["email"]) for f in feedback] == [
        ("Seite tok-jana-1", "Barriere tok-jana-1", "Jana tok-jana", "TOK-JANA@Example.org"),
        ("Seite tok-jana-2", "Barriere tok-jana-2", "", "jana.privat@EXAMPLE.org"),
    ]
    assert all(f["created_at"] for f in feedback)
    everything = "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    for token in ("tok-other", "tok-anonymous", "tok-stranger"):
        assert f"Barriere {token}" not in everything, token


def test_erasing_the_account_deletes_exactly_the_persons_reports_and_empties_their_mails(
    jana, reports, django_capture_on_commit_callbacks
):
    mails = {key: mail_of(feedback).pk for key, feedback in reports.items()}
    assert "Barriere tok-jana-1" in OutboxMessage.objects.get(pk=mails["own"]).body_text

    with django_capture_on_commit_callbacks(execute=True):
        plan = data_protection.erase_account(user=jana.user, at=berlin(2026, 11, 20, 12))

    assert not plan.restricted and not User.objects.filter(pk=jana.user.pk).exists()
    remaining = set(AccessibilityFeedback.objects.values_list("pk", flat=True))
    assert remaining == {reports[key].pk for key in ("other", "anonymous", "unconfirmed")}
    # The operator's copies of her reports keep only that they were sent; the others are whole.
    for key in ("own", "second_address"):
        mail = OutboxMessage.objects.get(pk=mails[key])
        assert (mail.recipient, mail.subject, mail.body_text) == ("", "", "")
    for key in ("other", "anonymous", "unconfirmed"):
        assert reports[key].message in OutboxMessage.objects.get(pk=mails[key]).body_text
    for token in ("tok-jana-1", "tok-jana-2"):
        assert db_rows_containing(token) == [], token
    assert AccessibilityFeedback.objects.get(pk=reports["other"].pk).name == "Olga tok-other"


def test_an_anonymous_report_survives_an_unrelated_erasure(django_capture_on_commit_callbacks):
    anonymous = report("", "tok-anon", name="")
    someone = person("tok-someone")

    with django_capture_on_commit_callbacks(execute=True):
        data_protection.erase_account(user=someone.user, at=berlin(2026, 11, 20, 12))

    kept = AccessibilityFeedback.objects.get(pk=anonymous.pk)
    assert (kept.email, kept.message, kept.page) == ("", "Barriere tok-anon", "Seite tok-anon")
    assert "Barriere tok-anon" in mail_of(kept).body_text


def test_a_locked_account_loses_its_reports_at_once(jana, reports, django_capture_on_commit_callbacks):
    """A submitted application must be kept, so the account is only locked; no obligation holds
    the reports, and after locking no address would find them any more."""
    cohort = CohortFactory()
    make_application(cohort, jana.user, status=Application.Status.SUBMITTED, token="tok-jana", sequence=1)

    with django_capture_on_commit_callbacks(execute=True):
        plan = data_protection.erase_account(user=jana.user, at=berlin(2026, 11, 20, 12))

    assert plan.restricted
    assert not AccessibilityFeedback.objects.filter(pk__in=[reports["own"].pk, reports["second_address"].pk])
    assert AccessibilityFeedback.objects.count() == 3


def test_retention_deletes_only_reports_past_the_period(settings, django_capture_on_commit_callbacks):
    """Twelve months by the calendar in Berlin: a report of 20.11.2025 is kept through 20.11.2026."""
    report("alt-tok-old@example.org", "tok-old", at=berlin(2025, 11, 19, 23, 59))
    last_day = report("", "tok-last-day", at=berlin(2025, 11, 20, 0, 30))
    recent = report("neu-tok-recent@example.org", "tok-recent", at=berlin(2026, 10, 1, 9))
    now = berlin(2026, 11, 20, 3, 15)

    with django_capture_on_commit_callbacks(execute=True):
        counts = data_protection.run_retention(at=now)

    assert counts["feedback_deleted"] == 1
    assert set(AccessibilityFeedback.objects.values_list("pk", flat=True)) == {last_day.pk, recent.pk}
    assert db_rows_containing("tok-old") == []
    assert "Barriere tok-recent" in mail_of(recent).body_text
    # A second run finds nothing more to do.
    with django_capture_on_commit_callbacks(execute=True):
        assert data_protection.run_retention(at=now)["feedback_deleted"] == 0
    # The period is a setting.
    settings.PORTAL_FEEDBACK_RETENTION_MONTHS = 2
    with django_capture_on_commit_callbacks(execute=True):
        assert data_protection.run_retention(at=now)["feedback_deleted"] == 1
    assert list(AccessibilityFeedback.objects.values_list("pk", flat=True)) == [recent.pk]
