import io

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from applications.models import Application
from portal.mail.models import OutboxMessage
from tests.factories import CohortFactory, UserFactory, berlin

from .conftest import form_data, make_draft, pdf_upload

pytestmark = pytest.mark.django_db

DURING = berlin(2022, 9, 15, 10)


@pytest.fixture
def logged_in(client, applicant):
    client.force_login(applicant)
    return client


@time_machine.travel(DURING, tick=False)
def test_draft_is_saved_resumed_reviewed_and_submitted(
    logged_in, cohort, applicant, django_capture_on_commit_callbacks
):
    response = logged_in.get(reverse("applications:start"))
    html = response.content.decode()
    assert "Bewerbung für den 3. Schulungsdurchgang" in html
    assert "Potsdam (Stadt)" in html and "Golzow (Märkisch-Oderland, Gemeinde)" in html

    response = logged_in.post(
        reverse("applications:start"), {**form_data(), "endorsement_upload": pdf_upload()}
    )
    application = Application.objects.get(applicant=applicant)
    assert response["Location"] == reverse("applications:edit", args=[application.pk])
    assert application.status == Application.Status.DRAFT and application.reference == ""
    assert application.motivation.endswith("🌆")
    assert application.endorsement_name == "Schreiben der Bürgermeisterin.pdf"
    assert application.endorsement.name.startswith("private/endorsements/")
    assert "Bürgermeisterin" not in application.endorsement.name
    assert application.privacy_consent_version == "2026-11"

    resumed = logged_in.get(reverse("applications:edit", args=[application.pk])).content.decode()
    assert "Ich möchte die Smart-City-Strategie voranbringen. 🌆" in resumed
    assert "Schreiben der Bürgermeisterin.pdf" in resumed

    review = logged_in.get(reverse("applications:review", args=[application.pk])).content.decode()
    assert "Verbindlich absenden" in review and "Dr. Hanna Schulze" in review

    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in.post(reverse("applications:review", args=[application.pk]))
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.reference == "SCM-3-0001"
    assert application.submitted_at == DURING
    assert response["Location"] == reverse("applications:submitted", args=[application.pk])

    (message,) = mail.outbox
    assert message.subject == "Ihre Bewerbung SCM-3-0001 ist eingegangen"
    assert (
        "Potsdam" in message.body
        and "Potsdam (Potsdam)" not in message.body
        and "15.09.2022, 10:00 Uhr" in message.body
    )
    assert OutboxMessage.objects.get(kind="application-submitted").idempotency_key == (
        f"application-submitted:{application.pk}"
    )

    dashboard = logged_in.get(reverse("applications:dashboard")).content.decode()
    assert "SCM-3-0001" in dashboard and "eingereicht" in dashboard


@time_machine.travel(DURING, tick=False)
def test_submission_pdf_holds_the_reference_and_the_applicants_text(logged_in, cohort, applicant):
    application = make_draft(cohort, applicant, motivation="<b>Grüße</b> aus Cottbus/Chóśebuz")
    logged_in.post(reverse("applications:review", args=[application.pk]))
    response = logged_in.get(reverse("applications:pdf", args=[application.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert 'attachment; filename="SCM-3-0001.pdf"' == response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "SCM-3-0001" in text
    assert "<b>Grüße</b> aus Cottbus/Chóśebuz" in text
    assert reader.metadata.title == "Bewerbung SCM-3-0001"


@time_machine.travel(DURING, tick=False)
def test_review_lists_what_is_missing_and_refuses_submission(logged_in, cohort, applicant):
    logged_in.post(reverse("applications:start"), form_data(motivation="", privacy_consent=""))
    application = Application.objects.get(applicant=applicant)
    review = logged_in.get(reverse("applications:review", args=[application.pk])).content.decode()
    assert "Zum Absenden fehlt noch" in review
    assert "Motivation</a>" in review and "Unterstützungsschreiben von Vorgesetzte:r (PDF)</a>" in review
    response = logged_in.post(reverse("applications:review", args=[application.pk]))
    assert response.status_code == 400
    assert "Bitte ergänzen Sie noch" in response.content.decode()
    application.refresh_from_db()
    assert application.is_draft


@time_machine.travel(DURING, tick=False)
def test_html_in_fields_is_shown_as_text(logged_in, cohort, applicant, django_capture_on_commit_callbacks):
    application = make_draft(cohort, applicant, department="<script>alert(1)</script>")
    review = logged_in.get(reverse("applications:review", args=[application.pk])).content.decode()
    assert "<script>alert(1)</script>" not in review
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in review
    with django_capture_on_commit_callbacks(execute=True):
        logged_in.post(reverse("applications:review", args=[application.pk]))
    html_body = mail.outbox[0].alternatives[0][0]
    assert "&lt;script&gt;" in html_body and "<script>" not in html_body
    assert "<script>alert(1)</script>" in mail.outbox[0].body  # plain text shows it literally


@time_machine.travel(DURING, tick=False)
def test_control_characters_are_flagged_and_umlauts_and_emoji_kept(logged_in, cohort, applicant):
    response = logged_in.post(
        reverse("applications:start"),
        form_data(position="Leiterin\x07 Stabsstelle 🚀 Größe", motivation="a" * 2000),
        follow=True,
    )
    assert "unsichtbare Steuerzeichen" in response.content.decode() and "U+0007" in response.content.decode()
    application = Application.objects.get(applicant=applicant)
    assert application.position == "" and application.invalid_input == {
        "position": "Leiterin\x07 Stabsstelle 🚀 Größe"
    }
    logged_in.post(
        reverse("applications:edit", args=[application.pk]),
        form_data(position="Leiterin Stabsstelle 🚀 Größe", motivation="a" * 2000),
    )
    application.refresh_from_db()
    assert application.position == "Leiterin Stabsstelle 🚀 Größe" and application.invalid_input == {}
    assert len(application.motivation) == 2000


@time_machine.travel(DURING, tick=False)
def test_overlong_text_is_kept_flagged_and_shown_again(logged_in, cohort, applicant):
    response = logged_in.post(
        reverse("applications:start"), form_data(motivation="ü" * 2001, phone="abc"), follow=True
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "höchstens 2000 Zeichen" in html or "maximal 2000 Zeichen" in html
    assert "Bitte geben Sie eine Telefonnummer an" in html
    assert "Dr. Hanna Schulze" in html and "ü" * 2001 in html
    assert 'aria-invalid="true"' in html
    application = Application.objects.get(applicant=applicant)
    assert application.invalid_input == {"motivation": "ü" * 2001, "phone": "abc"}
    assert application.supervisor_name == "Dr. Hanna Schulze"


@time_machine.travel(DURING, tick=False)
def test_municipality_or_other_public_body(logged_in, cohort, applicant):
    logged_in.post(
        reverse("applications:start"), form_data(municipality="", other_employer="Landkreis Barnim")
    )
    application = Application.objects.get(applicant=applicant)
    assert application.municipality is None and application.employer_display == "Landkreis Barnim"
    response = logged_in.post(
        reverse("applications:edit", args=[application.pk]), form_data(other_employer="Landkreis Barnim")
    )
    assert "nicht beides" in logged_in.get(response.url).content.decode()
    application.refresh_from_db()
    assert application.invalid_input == {"other_employer": "Landkreis Barnim"}


@time_machine.travel(DURING, tick=False)
def test_withdraw_asks_for_confirmation_then_withdraws(logged_in, cohort, applicant):
    application = make_draft(cohort, applicant)
    logged_in.post(reverse("applications:review", args=[application.pk]))
    page = logged_in.get(reverse("applications:withdraw", args=[application.pk])).content.decode()
    assert "wirklich zurückziehen" in page
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    logged_in.post(reverse("applications:withdraw", args=[application.pk]))
    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN and application.withdrawn_at == DURING
    assert "zurückgezogen" in logged_in.get(reverse("applications:dashboard")).content.decode()


@time_machine.travel(DURING, tick=False)
def test_decided_application_cannot_be_withdrawn(logged_in, cohort, applicant):
    application = make_draft(cohort, applicant)
    logged_in.post(reverse("applications:review", args=[application.pk]))
    Application.objects.filter(pk=application.pk).update(status=Application.Status.ACCEPTED)
    response = logged_in.post(reverse("applications:withdraw", args=[application.pk]), follow=True)
    assert "bereits entschieden" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTED


@time_machine.travel(DURING, tick=False)
@pytest.mark.parametrize("name", ["detail", "edit", "review", "withdraw", "pdf", "endorsement"])
def test_another_persons_application_is_not_found(client, cohort, applicant, name):
    application = make_draft(cohort, applicant)
    client.force_login(UserFactory())
    assert client.get(reverse(f"applications:{name}", args=[application.pk])).status_code == 404
    assert client.post(reverse(f"applications:{name}", args=[application.pk])).status_code in (404, 405)
    application.refresh_from_db()
    assert application.is_draft


def test_unknown_cohort_gives_a_clear_message(logged_in, cohort):
    response = logged_in.get(reverse("applications:start_for_cohort", args=[99]))
    assert response.status_code == 404
    assert "Zurzeit nimmt kein Schulungsdurchgang Bewerbungen an" in response.content.decode()


def test_anonymous_visitors_are_sent_to_login(client, cohort):
    response = client.get(reverse("applications:start"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_one_application_per_person_and_cohort(cohort, applicant):
    from django.db import IntegrityError, transaction

    make_draft(cohort, applicant)
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(cohort=cohort, applicant=applicant)


@time_machine.travel(DURING, tick=False)
def test_form_and_dashboard_query_counts_do_not_grow(logged_in, cohort, applicant, django_assert_num_queries):
    draft = make_draft(cohort, applicant)

    def measure():
        with django_assert_num_queries(5):
            page = logged_in.get(reverse("applications:edit", args=[draft.pk]))
        assert "Potsdam (Stadt)" in page.content.decode()
        with django_assert_num_queries(5):  # one of them: open Rückfragen
            page = logged_in.get(reverse("applications:dashboard"))
        return page.content.decode().count("<tr>")

    rows_before = measure()
    for number in range(10, 40):
        make_draft(CohortFactory(number=number), applicant)
    for _ in range(70):
        make_draft(cohort, UserFactory())
    assert measure() == rows_before + 30


@time_machine.travel(DURING, tick=False)
def test_a_draft_is_deleted_not_withdrawn(logged_in, cohort, applicant, django_capture_on_commit_callbacks):
    logged_in.post(reverse("applications:start"), {**form_data(), "endorsement_upload": pdf_upload()})
    draft = Application.objects.get(applicant=applicant)
    storage, name = draft.endorsement.storage, draft.endorsement.name
    page = logged_in.get(reverse("applications:withdraw", args=[draft.pk])).content.decode()
    assert "Entwurf löschen" in page and "wirklich löschen" in page and "zurückziehen" not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in.post(reverse("applications:withdraw", args=[draft.pk]), follow=True)
    assert not Application.objects.filter(pk=draft.pk).exists() and not storage.exists(name)
    html = response.content.decode()
    assert "Ihr Entwurf ist gelöscht." in html and "zurückgezogen" not in html


def test_nobody_else_can_delete_a_draft(client, cohort, applicant):
    draft = make_draft(cohort, applicant)
    client.force_login(UserFactory())
    assert client.post(reverse("applications:withdraw", args=[draft.pk])).status_code == 404
    assert Application.objects.filter(pk=draft.pk).exists()
