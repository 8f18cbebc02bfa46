"""Decisions are shown before they are made, and the reviewers' list reads as German administration."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from applications.decisions import Overflow, decide, plan_decision, preview_decision
from applications.models import Application, ReviewNote
from cohorts.models import Enrollment
from portal.mail import kind_label
from portal.mail.models import OutboxMessage
from tests.factories import CohortFactory, UserFactory, berlin

from .test_review import score, submitted

pytestmark = pytest.mark.django_db

AFTER_DEADLINE = berlin(2022, 10, 10, 9)
BEFORE_DEADLINE = berlin(2022, 10, 1, 9)
CHANGELIST = "admin:applications_application_changelist"


@pytest.fixture
def small_cohort(cohort):
    cohort.seats = 2
    cohort.save()
    return cohort


@pytest.fixture
def four(small_cohort, reviewer):
    """Four applications: two scored high, one scored low, one unscored."""
    people = [
        UserFactory(first_name="Anna", last_name="Acker"),
        UserFactory(first_name="Bert", last_name="Brandt"),
        UserFactory(first_name="Cem", last_name="Cakir"),
        UserFactory(first_name="Dana", last_name="Dorn"),
    ]
    applications = [submitted(small_cohort, person) for person in people]
    score(applications[0], reviewer, 3)
    score(applications[1], reviewer, 5)
    score(applications[2], reviewer, 4)
    return applications


def test_the_plan_is_a_pure_function_of_scores_and_seats(four, small_cohort):
    first, second, third, unscored = four
    plan = plan_decision(
        applications=four,
        decision=Application.Status.ACCEPTED,
        overflow=Overflow.WAITLIST_REST,
        free_seats={small_cohort.pk: 2},
        means={first.pk: 9.0, second.pk: 15.0, third.pk: 12.0},
        at=AFTER_DEADLINE,
    )
    assert [s.application for s in plan.accepted] == [second, third]
    assert [s.application for s in plan.waitlisted] == [first, unscored]
    assert plan.unscored == [unscored]
    assert plan.mail_count == 4 and not plan.errors and not plan.open_cohorts

    refused = plan_decision(
        applications=four,
        decision=Application.Status.ACCEPTED,
        overflow=Overflow.REFUSE,
        free_seats={small_cohort.pk: 2},
        means={},
        at=AFTER_DEADLINE,
    )
    assert refused.errors == [
        "Im 3. Schulungsdurchgang sind nur noch 2 Plätze frei, ausgewählt sind 4 Bewerbungen. "
        "Es wurde nichts entschieden."
    ]


def test_already_waitlisted_applications_stay_without_a_second_mail(four, small_cohort, reviewer):
    decide(application_ids=[four[3].pk], decision="waitlisted", by=reviewer, at=AFTER_DEADLINE)
    plan = preview_decision(
        application_ids=[a.pk for a in four],
        decision="accepted",
        overflow=Overflow.WAITLIST_REST,
        at=AFTER_DEADLINE,
    )
    assert [s.application.pk for s in plan.waitlisted] == [four[0].pk, four[3].pk]
    assert [s.unchanged for s in plan.waitlisted] == [False, True]
    assert plan.mail_count == 3


def test_bulk_accept_best_shows_the_outcome_first_and_acts_only_on_confirmation(
    client,
    four,
    reviewer,
    django_capture_on_commit_callbacks,
):
    client.force_login(reviewer)
    ids = [a.pk for a in four]
    with time_machine.travel(AFTER_DEADLINE, tick=False):
        response = client.post(
            reverse(CHANGELIST), {"action": "accept_best_waitlist_rest", "_selected_action": ids}
        )
    page = response.content.decode()
    assert "Entscheidung prüfen und bestätigen" in page
    assert "angenommen: <strong>2</strong>" in page
    assert "Warteliste: <strong>2</strong>" in page
    assert "E-Mails, die versendet werden: <strong>4</strong>" in page
    assert "Noch ohne Bewertung (1):" in page and four[3].reference in page
    assert "Bewerbungsfrist" not in page  # the deadline has passed
    assert "15,0" in page and "ohne Bewertung" in page
    assert 'value="Bestätigen und 4 E-Mails senden"' in page
    assert not mail.outbox
    assert set(Application.objects.values_list("status", flat=True)) == {"submitted"}

    fingerprint = response.context_data["plan"].fingerprint
    with time_machine.travel(AFTER_DEADLINE, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(CHANGELIST),
            {"action": "accept_best_waitlist_rest", "_selected_action": ids, "confirmed": fingerprint},
            follow=True,
        )
    statuses = dict(Application.objects.values_list("pk", "status"))
    assert [statuses[a.pk] for a in four] == ["waitlisted", "accepted", "accepted", "waitlisted"]
    assert len(mail.outbox) == 4
    assert "Die E-Mails werden versendet." in response.content.decode()


def test_a_changed_outcome_since_the_preview_decides_nothing_and_shows_the_new_preview(
    client,
    four,
    reviewer,
):
    client.force_login(reviewer)
    ids = [a.pk for a in four]
    with time_machine.travel(AFTER_DEADLINE, tick=False):
        preview = client.post(
            reverse(CHANGELIST), {"action": "accept_best_waitlist_rest", "_selected_action": ids}
        )
        # Meanwhile a colleague gives a seat away to someone else.
        other = submitted(four[0].cohort, UserFactory())
        decide(application_ids=[other.pk], decision="accepted", by=reviewer, at=AFTER_DEADLINE)
        response = client.post(
            reverse(CHANGELIST),
            {
                "action": "accept_best_waitlist_rest",
                "_selected_action": ids,
                "confirmed": preview.context_data["plan"].fingerprint,
            },
        )
    page = response.content.decode()
    assert "Seit Ihrer Vorschau hat sich etwas geändert" in page
    assert "angenommen: <strong>1</strong>" in page and "Warteliste: <strong>3</strong>" in page
    assert Application.objects.filter(pk__in=ids, status="submitted").count() == 4


def test_a_refused_decision_offers_no_confirmation(client, four, reviewer):
    client.force_login(reviewer)
    with time_machine.travel(AFTER_DEADLINE, tick=False):
        response = client.post(
            reverse(CHANGELIST), {"action": "accept", "_selected_action": [a.pk for a in four]}
        )
    page = response.content.decode()
    assert "Diese Entscheidung ist so nicht möglich" in page
    assert "nur noch 2 Plätze frei" in page
    assert 'name="confirmed"' not in page


def test_single_decision_warns_while_the_deadline_is_open_and_mails_after_confirmation(
    client,
    four,
    reviewer,
    django_capture_on_commit_callbacks,
):
    client.force_login(reviewer)
    url = reverse("admin:applications_application_decide", args=[four[1].pk])
    with time_machine.travel(BEFORE_DEADLINE, tick=False):
        response = client.post(url, {"decision": "rejected", "reason": "Zu wenig Bezug"})
        page = response.content.decode()
        assert (
            "Achtung: Die Bewerbungsfrist für den 3. Schulungsdurchgang läuft noch bis einschließlich 04.10.2022"
            in page
        )
        assert (
            "abgelehnt: <strong>1</strong>" in page
            and "E-Mails, die versendet werden: <strong>1</strong>" in page
        )
        assert 'name="reason" value="Zu wenig Bezug"' in page
        four[1].refresh_from_db()
        assert four[1].status == "submitted" and not mail.outbox

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                url,
                {
                    "decision": "rejected",
                    "reason": "Zu wenig Bezug",
                    "confirmed": response.context_data["plan"].fingerprint,
                },
            )
    assert response.status_code == 302
    four[1].refresh_from_db()
    assert four[1].status == "rejected"
    assert four[1].status_changes.get(to_status="rejected").reason == "Zu wenig Bezug"
    (message,) = mail.outbox
    assert message.to == [four[1].applicant.email]


def test_mark_in_review_sends_no_mail_and_says_so(client, four, reviewer):
    client.force_login(reviewer)
    with time_machine.travel(AFTER_DEADLINE, tick=False):
        response = client.post(
            reverse(CHANGELIST), {"action": "mark_in_review", "_selected_action": [four[0].pk]}
        )
    page = response.content.decode()
    assert "in Prüfung: <strong>1</strong>" in page
    assert "E-Mails, die versendet werden: <strong>0</strong>" in page


# --- the list and the change page ----------------------------------------------------------


def test_the_list_defaults_to_the_cohort_in_review_and_can_show_all(client, cohort, reviewer):
    current = submitted(cohort)
    older_cohort = CohortFactory(
        number=2,
        title="2. Schulungsdurchgang",
        applications_open_at=berlin(2021, 8, 1, 9),
        applications_close_on=dt.date(2021, 10, 4),
        start_date=dt.date(2021, 10, 24),
        end_date=dt.date(2021, 12, 16),
    )
    older = submitted(older_cohort)
    older.reference = "SCM-2-0001"
    older.save()
    client.force_login(reviewer)
    listing = client.get(reverse(CHANGELIST)).content.decode()
    assert current.reference in listing and "SCM-2-0001" not in listing
    assert "1 Bewerbung" in listing
    everything = client.get(reverse(CHANGELIST), {"durchgang": "alle"}).content.decode()
    assert current.reference in everything and "SCM-2-0001" in everything
    chosen = client.get(reverse(CHANGELIST), {"durchgang": older_cohort.pk}).content.decode()
    assert current.reference not in chosen and "SCM-2-0001" in chosen
    # A guessed value falls back to the cohort in review instead of an error.
    assert current.reference in client.get(reverse(CHANGELIST), {"durchgang": "x"}).content.decode()


def test_the_list_keeps_date_mean_and_count_in_narrow_columns(client, four, reviewer):
    client.force_login(reviewer)
    listing = client.get(reverse(CHANGELIST)).content.decode()
    assert "column-district" not in listing  # the district is a filter, not a column
    assert 'id="nav-sidebar"' not in listing  # the width goes to the columns
    assert '<td class="field-submitted_on">20.09.2022</td>' in listing
    assert '<td class="field-score">15,0</td>' in listing
    assert '<td class="field-score_count">1</td>' in listing


def test_the_change_page_names_the_applicant_without_linking_to_the_account_admin(
    client,
    four,
    reviewer,
):
    ReviewNote.objects.create(application=four[0], author=reviewer, text="Gut")
    client.force_login(reviewer)
    page = client.get(reverse("admin:applications_application_change", args=[four[0].pk])).content.decode()
    assert "/admin/portal/user/" not in page
    assert f'Anna Acker &lt;<a href="mailto:{four[0].applicant.email}">' in page
    assert "Interne Notizen" in page or "interne Notizen" in page
    assert "Notizs" not in page


def test_export_columns_and_choices_are_german(client, four, reviewer):
    client.force_login(reviewer)
    page = client.get(reverse("admin:applications_application_export")).content.decode()
    for label in ["Aktenzeichen", "E-Mail", "Eingereicht am", "Organisationseinheit"]:
        assert f">{label}</label>" in page
    assert "Alle auswählen" in page
    for english in ["Reference", "Submitted At", "Select all", "Email (E-Mail)"]:
        assert english not in page
    response = client.post(
        reverse("admin:applications_application_export"),
        {
            "format": "0",
            "resource": "0",
            "applicationresource_reference": "on",
            "applicationresource_submitted_at": "on",
            "applicationresource_score_mean": "on",
            "applicationresource_reviewers": "on",
            "applicationresource_conflicts": "on",
            "applicationresource_requests": "on",
        },
    )
    header = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()[0]
    assert header == (
        "Aktenzeichen;Eingereicht am;Summe der Mittelwerte (3–15);Zugewiesene Gutachter:innen;"
        "Interessenkonflikte;Rückfragen (offen)"
    )


def test_the_outbox_names_each_kind_of_mail(client, four, reviewer, django_capture_on_commit_callbacks):
    assert kind_label("decision-accepted") == "Entscheidung: Zusage"
    assert kind_label("decision-promoted") == "Entscheidung: Nachrücken von der Warteliste"
    assert kind_label("reminder-draft-7d") == "Erinnerung: Bewerbungsentwurf noch nicht eingereicht"
    assert kind_label("account:email_confirmation_signup") == "Konto: E-Mail-Adresse bestätigen"
    assert kind_label("certificate-ready") == "Zertifikat ausgestellt"
    assert kind_label("something-new") == "something-new"
    with django_capture_on_commit_callbacks(execute=True):
        decide(application_ids=[four[1].pk], decision="accepted", by=reviewer, at=AFTER_DEADLINE)
    assert OutboxMessage.objects.filter(kind="decision-accepted").exists()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:portal_outboxmessage_changelist")).content.decode()
    assert "Entscheidung: Zusage" in page
    assert ">decision-accepted<" not in page
    assert Enrollment.objects.count() == 1
