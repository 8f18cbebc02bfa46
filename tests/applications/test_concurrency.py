"""Double clicks, two tabs and the deadline rush, with real concurrent transactions on PostgreSQL."""

import threading

import pytest
from django.db import connection

from applications.models import Application
from applications.services import submit_application
from tests.factories import UserFactory, berlin

from .conftest import make_draft

DURING = berlin(2022, 9, 15, 10)


def run_at_once(calls):
    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def worker(call):
        try:
            barrier.wait(timeout=30)
            results.append(call())
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_submits_of_one_draft_give_one_number(cohort, applicant):
    draft = make_draft(cohort, applicant)
    results, errors = run_at_once(
        [lambda: submit_application(application_id=draft.pk, applicant=applicant, at=DURING)] * 20
    )
    assert errors == []
    assert {application.reference for application in results} == {"SCM-3-0001"}
    assert Application.objects.filter(status=Application.Status.SUBMITTED).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_applicants_at_once_get_fifty_gapless_numbers(cohort):
    drafts = [make_draft(cohort, UserFactory()) for _ in range(50)]
    results, errors = run_at_once(
        [
            (lambda d=d: submit_application(application_id=d.pk, applicant=d.applicant, at=DURING))
            for d in drafts
        ]
    )
    assert errors == []
    numbers = sorted(Application.objects.values_list("sequence", flat=True))
    assert numbers == list(range(1, 51))
    assert len({a.reference for a in results}) == 50


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_accepting_into_the_last_seat_never_overbook(cohort):
    from django.core.exceptions import ValidationError

    from applications.decisions import decide
    from cohorts.models import Enrollment
    from tests.applications.test_review import submitted

    cohort.seats = 1
    cohort.save()
    first, second = submitted(cohort), submitted(cohort)
    reviewers = [UserFactory(is_staff=True), UserFactory(is_staff=True)]
    results, errors = run_at_once(
        [
            (lambda a=a, r=r: decide(application_ids=[a.pk], decision="accepted", by=r, at=DURING))
            for a, r in zip((first, second), reviewers, strict=True)
        ]
    )
    assert len(results) == 1
    assert len(errors) == 1 and isinstance(errors[0], ValidationError)
    assert "nur noch 0 Plätze frei" in errors[0].messages[0]
    assert Enrollment.objects.holding_seats().filter(cohort=cohort).count() == 1
    assert Application.objects.filter(status=Application.Status.ACCEPTED).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_saving_a_draft_while_it_is_being_submitted_never_turns_the_submission_back(cohort, applicant):
    """Two tabs: one submits, the other saves the draft at the same moment. The save waits for the
    submit and then finds the application submitted; it must not write the draft over it."""
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from applications.services import save_draft

    draft = make_draft(cohort, applicant)
    locked, release = threading.Event(), threading.Event()
    outcome = {}

    def submitting_tab():  # a submit that holds the row until it is told to commit
        try:
            with transaction.atomic():
                Application.objects.select_for_update().get(pk=draft.pk)
                Application.objects.filter(pk=draft.pk).update(
                    status=Application.Status.SUBMITTED,
                    sequence=1,
                    reference="SCM-3-0001",
                    submitted_at=DURING,
                )
                locked.set()
                release.wait(timeout=30)
        except Exception as exc:  # asserted below
            outcome["submit failed"] = exc
        finally:
            locked.set()
            connection.close()

    def saving_tab():
        try:
            locked.wait(timeout=30)
            save_draft(applicant=applicant, cohort=cohort, data={"department": "Bauamt"}, at=DURING)
            outcome["saved"] = True
        except ValidationError as exc:
            outcome["refused"] = exc.code
        finally:
            connection.close()

    threads = [threading.Thread(target=submitting_tab), threading.Thread(target=saving_tab)]
    for thread in threads:
        thread.start()
    with connection.cursor() as cursor:  # until the saving tab waits for the submit's row lock
        for _attempt in range(3000):
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0]:
                break
            threading.Event().wait(0.01)
    release.set()
    for thread in threads:
        thread.join(timeout=60)
    draft.refresh_from_db()
    assert draft.status == Application.Status.SUBMITTED and draft.reference == "SCM-3-0001"
    assert draft.department == "Stadtplanung"
    assert outcome == {"refused": "not_draft"}
