import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from applications.decisions import Overflow, decide, preview_decision, respond_to_offer
from applications.models import Application, MailTemplate, ReviewNote, Score
from cohorts.models import Enrollment, ReviewPhase
from tests.factories import CohortFactory, UserFactory, berlin

from .conftest import make_draft, move_to

pytestmark = pytest.mark.django_db

NOW = berlin(2022, 10, 10, 9)


def submitted(cohort, user=None, **fields):
    application = make_draft(cohort, user or UserFactory(), **fields)
    last = Application.objects.filter(cohort=cohort).exclude(sequence=None).count()
    Application.objects.filter(pk=application.pk).update(
        status=Application.Status.SUBMITTED,
        sequence=last + 1,
        reference=f"SCM-{cohort.number}-{last + 1:04d}",
        submitted_at=berlin(2022, 9, 20, 12),
    )
    application.refresh_from_db()
    return application


@pytest.fixture
def reviewer(db):
    user = UserFactory(email="rita@example.org", first_name="Rita", last_name="Referat", is_staff=True)
    user.groups.add(Group.objects.get(name="reviewers"))
    return user


def score(application, reviewer, points):
    Score.objects.create(
        application=application, reviewer=reviewer, motivation=points, relevance=points, commitment=points
    )


def test_accepting_offers_a_seat_records_history_and_mails_once(
    cohort, reviewer, django_capture_on_commit_callbacks
):
    application = submitted(cohort)
    with django_capture_on_commit_callbacks(execute=True):
        decide(application_ids=[application.pk], decision="accepted", by=reviewer, at=NOW, reason="Passt gut")
    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTED
    assert application.enrollment.state == Enrollment.State.OFFERED
    assert application.enrollment.respond_by.isoformat() == "2022-10-17"
    change = application.status_changes.get(to_status="accepted")
    assert (change.from_status, change.changed_by, change.reason) == ("submitted", reviewer, "Passt gut")
    (message,) = mail.outbox
    assert message.subject == "Zusage: Ihr Platz im 3. Schulungsdurchgang (SCM-3-0001)"
    assert "bis einschließlich 17.10.2022" in message.body
    assert "http://127.0.0.1:8000/bewerbung/" in message.body


def test_decision_mail_in_english_for_english_applicants(
    cohort, reviewer, django_capture_on_commit_callbacks
):
    cohort.title_en = "Cohort 3 (Q4 2022)"
    cohort.save()
    application = submitted(cohort, UserFactory(language="en"))
    with django_capture_on_commit_callbacks(execute=True):
        decide(application_ids=[application.pk], decision="rejected", by=reviewer, at=NOW, reason="")
    assert mail.outbox[0].subject == "Your application SCM-3-0001"
    assert "Unfortunately" in mail.outbox[0].body
    # The cohort by its English title, whatever language the reviewer works in.
    assert "Cohort 3 (Q4 2022)" in mail.outbox[0].body
    assert cohort.title not in mail.outbox[0].body


def test_edited_template_is_used_and_html_in_names_stays_text(
    cohort, reviewer, django_capture_on_commit_callbacks
):
    MailTemplate.objects.filter(kind="rejected", language="de").update(
        subject="Absage {{ reference }}", body="Hallo {{ name }}! {{ reason }}"
    )
    application = submitted(cohort, UserFactory(first_name="<b>Eva</b>", last_name="Ölmann"))
    with django_capture_on_commit_callbacks(execute=True):
        decide(application_ids=[application.pk], decision="rejected", by=reviewer, at=NOW, reason="<i>x</i>")
    message = mail.outbox[0]
    assert message.subject == "Absage SCM-3-0001"
    assert message.body == "Hallo <b>Eva</b> Ölmann! <i>x</i>"
    assert "&lt;b&gt;Eva&lt;/b&gt;" in message.alternatives[0][0]


def test_bulk_accept_beyond_free_seats_is_refused_as_a_whole(reviewer):
    cohort = CohortFactory(review_phase="decision", seats=15)
    applications = [submitted(cohort) for _ in range(20)]
    with pytest.raises(Exception, match="nur noch 15 Plätze frei, ausgewählt sind 20"):
        decide(application_ids=[a.pk for a in applications], decision="accepted", by=reviewer, at=NOW)
    assert not Application.objects.filter(status=Application.Status.ACCEPTED).exists()
    assert not Enrollment.objects.exists()


def test_bulk_accept_best_by_score_and_waitlist_the_rest(reviewer):
    cohort = CohortFactory(review_phase="decision", seats=2)
    low, high, middle, unscored = (submitted(cohort) for _ in range(4))
    score(low, reviewer, 1)
    score(high, reviewer, 5)
    score(middle, reviewer, 3)
    result = decide(
        application_ids=[low.pk, high.pk, middle.pk, unscored.pk],
        decision="accepted",
        by=reviewer,
        at=NOW,
        overflow=Overflow.WAITLIST_REST,
    )
    assert [a.pk for a in result["accepted"]] == [high.pk, middle.pk]
    assert [a.pk for a in result["waitlisted"]] == [low.pk, unscored.pk]
    assert cohort.free_seats() == 0


def test_decline_frees_the_seat_for_the_best_waitlisted(reviewer, django_capture_on_commit_callbacks):
    cohort = CohortFactory(
        review_phase="decision", seats=1, start_date=timezone.localdate(NOW) + timezone.timedelta(days=30)
    )
    first, second, third = (submitted(cohort) for _ in range(3))
    score(second, reviewer, 2)
    score(third, reviewer, 4)
    decide(application_ids=[first.pk], decision="accepted", by=reviewer, at=NOW)
    decide(application_ids=[second.pk, third.pk], decision="waitlisted", by=reviewer, at=NOW)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        respond_to_offer(application_id=first.pk, applicant=first.applicant, accept=False, at=NOW)
    first.refresh_from_db()
    third.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Application.Status.WITHDRAWN and first.enrollment.state == "declined"
    assert third.status == Application.Status.ACCEPTED and third.enrollment.state == "offered"
    assert second.status == Application.Status.WAITLISTED
    assert [m.to for m in mail.outbox] == [[third.applicant.email]]
    assert "Ein Platz ist frei geworden" in mail.outbox[0].subject
    assert third.status_changes.last().reason == "Nachrücken von der Warteliste"


def test_confirming_the_seat_makes_a_participant(client, cohort, reviewer):
    application = submitted(cohort)
    decide(application_ids=[application.pk], decision="accepted", by=reviewer, at=timezone.now())
    client.force_login(application.applicant)
    page = client.get(reverse("applications:dashboard")).content.decode()
    assert "Platz bestätigen oder ablehnen" in page
    client.post(reverse("applications:offer", args=[application.pk]), {"answer": "confirm"})
    application.refresh_from_db()
    assert application.enrollment.state == Enrollment.State.CONFIRMED
    assert application.applicant.groups.filter(name="participants").exists()
    page = client.get(reverse("applications:dashboard")).content.decode()
    assert "Sie sind Teilnehmer:in im 3. Schulungsdurchgang" in page


def test_late_confirmation_is_refused(cohort, reviewer):
    application = submitted(cohort)
    decide(application_ids=[application.pk], decision="accepted", by=reviewer, at=NOW)
    with pytest.raises(Exception, match="abgelaufen"):
        respond_to_offer(
            application_id=application.pk,
            applicant=application.applicant,
            accept=True,
            at=berlin(2022, 10, 18, 0, 0, 1),
        )


def test_decided_applications_cannot_be_decided_the_wrong_way(cohort, reviewer):
    application = submitted(cohort)
    decide(application_ids=[application.pk], decision="rejected", by=reviewer, at=NOW)
    with pytest.raises(Exception, match="Keine der ausgewählten Bewerbungen kann so entschieden werden"):
        decide(application_ids=[application.pk], decision="accepted", by=reviewer, at=NOW)
    plan = preview_decision(application_ids=[application.pk], decision="accepted", at=NOW)
    assert [(row.application, row.reason) for row in plan.skipped] == [
        (application, "bleibt „abgelehnt“: „angenommen“ ist von hier aus nicht möglich")
    ]
    application.refresh_from_db()
    assert application.status == Application.Status.REJECTED


# --- the admin ------------------------------------------------------------------------------


def test_reviewer_filters_reads_notes_scores_and_decides_in_the_admin(
    client, cohort, reviewer, django_capture_on_commit_callbacks
):
    application = submitted(cohort, department="Bauamt <script>")
    other = submitted(cohort, municipality=None, other_employer="Landkreis Uckermark")
    client.force_login(reviewer)
    listing = client.get(
        reverse("admin:applications_application_changelist"), {"municipality__district": "Potsdam"}
    ).content.decode()
    assert "SCM-3-0001" in listing and "SCM-3-0002" not in listing

    url = reverse("admin:applications_application_change", args=[application.pk])
    page = client.get(url).content.decode()
    assert "Bauamt &lt;script&gt;" in page
    assert 'name="department"' not in page  # reviewers never edit what the applicant wrote
    move_to(cohort, ReviewPhase.REVIEW)
    response = client.post(
        url,
        {
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
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert ReviewNote.objects.get().author == reviewer
    assert Score.objects.get().total == 13

    listing = client.get(reverse("admin:applications_application_changelist")).content.decode()
    assert "13,0" in listing and "13.0" not in listing
    move_to(cohort, ReviewPhase.DECISION)

    decide_url = reverse("admin:applications_application_decide", args=[application.pk])
    preview = client.post(decide_url, {"decision": "accepted", "reason": ""})
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED and not mail.outbox  # nothing yet
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            decide_url,
            {"decision": "accepted", "reason": "", "confirmed": preview.context_data["plan"].fingerprint},
        )
    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTED
    assert mail.outbox[0].to == [application.applicant.email]
    page = client.get(url).content.decode()
    assert "Zusage: Ihr Platz im 3. Schulungsdurchgang (SCM-3-0001) · versendet" in page
    other.refresh_from_db()
    assert other.status == Application.Status.SUBMITTED


def test_reviewer_without_decide_permission_cannot_decide_even_by_url(client, cohort):
    application = submitted(cohort)
    reader = UserFactory(is_staff=True)
    reader.user_permissions.add(
        *Group.objects.get(name="reviewers").permissions.exclude(codename="decide_application")
    )
    client.force_login(reader)
    changelist = reverse("admin:applications_application_changelist")
    page = client.get(changelist).content.decode()
    assert "Ablehnen" not in page
    client.post(changelist, {"action": "reject", "_selected_action": [application.pk]})
    response = client.post(
        reverse("admin:applications_application_decide", args=[application.pk]), {"decision": "rejected"}
    )
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED


def test_reviewers_do_not_see_other_admin_areas_and_coordinators_no_applications(client, cohort, reviewer):
    submitted(cohort)
    client.force_login(reviewer)
    assert client.get(reverse("admin:portal_user_changelist")).status_code == 403
    assert client.get(reverse("admin:django_celery_beat_periodictask_changelist")).status_code == 403
    coordinator = UserFactory(is_staff=True)
    coordinator.groups.add(Group.objects.get(name="coordinators"))
    client.force_login(coordinator)
    assert client.get(reverse("admin:applications_application_changelist")).status_code == 403
    assert client.get(reverse("admin:cohorts_enrollment_changelist")).status_code == 200


def test_drafts_are_not_shown_to_reviewers(client, cohort, reviewer):
    draft = make_draft(cohort, UserFactory())
    client.force_login(reviewer)
    assert client.get(reverse("admin:applications_application_change", args=[draft.pk])).status_code == 404


def test_export_of_the_filtered_list_without_files(client, cohort, reviewer):
    submitted(cohort, motivation="geheim")
    submitted(cohort, municipality=None, other_employer="Landkreis Barnim")
    client.force_login(reviewer)
    response = client.post(
        reverse("admin:applications_application_export") + "?municipality__district=Potsdam",
        {
            "format": "0",
            "applicationresource_reference": "on",
            "applicationresource_name": "on",
            "applicationresource_district": "on",
            "applicationresource_status": "on",
            "resource": "0",
        },
    )
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "SCM-3-0001" in content and "SCM-3-0002" not in content
    assert "endorsement" not in content and "private/" not in content


def test_template_preview_with_a_real_application(client, cohort, reviewer):
    application = submitted(cohort)
    template = MailTemplate.objects.get(kind="accepted", language="de")
    client.force_login(reviewer)
    page = client.get(
        reverse("admin:applications_mailtemplate_preview", args=[template.pk]),
        {"application": application.pk},
    ).content.decode()
    assert "Zusage: Ihr Platz im 3. Schulungsdurchgang (SCM-3-0001)" in page
    assert len(mail.outbox) == 0


def test_broken_template_is_refused_in_the_admin(client, reviewer):
    template = MailTemplate.objects.get(kind="accepted", language="de")
    client.force_login(reviewer)
    response = client.post(
        reverse("admin:applications_mailtemplate_change", args=[template.pk]),
        {"kind": "accepted", "language": "de", "subject": "x", "body": "{% if %}"},
    )
    assert "Die Vorlage ist fehlerhaft" in response.content.decode()
    template.refresh_from_db()
    assert template.body != "{% if %}"


def test_admin_list_query_count_is_constant_for_ten_or_a_thousand(
    client, reviewer, django_assert_num_queries
):
    from portal.accounts.models import User
    from portal.models import Municipality

    cohort = CohortFactory(review_phase="decision")
    potsdam = Municipality.objects.get(ags="12054000")

    def add(count, start):
        users = User.objects.bulk_create(
            User(email=f"massen{start + i}@example.org", first_name="M", last_name=str(i))
            for i in range(count)
        )
        applications = Application.objects.bulk_create(
            Application(
                cohort=cohort,
                applicant=u,
                status="submitted",
                sequence=start + i,
                reference=f"SCM-{cohort.number}-{start + i:04d}",
                submitted_at=NOW,
                municipality=potsdam,
            )
            for i, u in enumerate(users)
        )
        Score.objects.bulk_create(
            Score(application=a, reviewer=reviewer, motivation=3, relevance=3, commitment=3)
            for a in applications
        )

    add(10, 1)
    client.force_login(reviewer)
    url = reverse("admin:applications_application_changelist")
    with django_assert_num_queries(9):
        client.get(url)
    add(990, 11)
    with django_assert_num_queries(9):
        response = client.get(url)
    assert "1000 Bewerbungen" in response.content.decode()


def test_export_streams_with_a_fixed_number_of_queries(
    client, cohort, reviewer, django_assert_max_num_queries
):
    """The export reads the rows in chunks with their applicant and municipality joined, so a
    thousand rows cost the same statements as ten, and the file is sent while it is written."""
    from portal.accounts.models import User
    from portal.models import Municipality

    potsdam = Municipality.objects.get(ags="12054000")

    def add(count, start):
        users = User.objects.bulk_create(
            User(email=f"export{start + i}@example.org", first_name="E", last_name=str(i))
            for i in range(count)
        )
        Application.objects.bulk_create(
            Application(
                cohort=cohort,
                applicant=u,
                status="submitted",
                sequence=start + i,
                reference=f"SCM-{cohort.number}-{start + i:04d}",
                submitted_at=NOW,
                municipality=potsdam,
            )
            for i, u in enumerate(users)
        )

    client.force_login(reviewer)
    form = {
        "format": "0",
        "resource": "0",
        "applicationresource_reference": "on",
        "applicationresource_name": "on",
    }
    url = reverse("admin:applications_application_export")
    add(10, 1)
    with django_assert_max_num_queries(12) as small:
        lines = b"".join(client.post(url, form).streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == 11
    add(2990, 11)
    with django_assert_max_num_queries(12) as large:
        response = client.post(url, form)
        lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == 3001 and lines[-1].startswith(f"SCM-{cohort.number}-3000;")
    # One more statement per chunk of 2,000 rows on the server-side cursor, nothing per row.
    assert len(large.captured_queries) <= len(small.captured_queries) + 1
