"""After withdrawing while the window is open, a person can apply again; what is missing links to
the form's fields by their own names."""

import pytest
import time_machine
from django.urls import reverse

from applications.models import Application
from applications.services import submit_application, withdraw_application
from tests.factories import berlin

from .conftest import make_draft

pytestmark = pytest.mark.django_db

DURING = berlin(2022, 9, 20, 10)
AFTER = berlin(2022, 10, 5, 0, 1)


@pytest.fixture
def logged_in(client, applicant):
    client.force_login(applicant)
    return client


def _withdrawn_submission(cohort, applicant):
    draft = make_draft(cohort, applicant)
    submit_application(application_id=draft.pk, applicant=applicant, at=DURING)
    return withdraw_application(application_id=draft.pk, applicant=applicant, at=DURING)


def test_a_withdrawn_application_can_be_taken_up_again_and_keeps_its_reference(logged_in, cohort, applicant):
    application = _withdrawn_submission(cohort, applicant)
    assert application.reference == "SCM-3-0001"
    with time_machine.travel(DURING, tick=False):
        dashboard = logged_in.get(reverse("applications:dashboard")).content.decode()
        assert "Neu bewerben" in dashboard
        detail = logged_in.get(reverse("applications:detail", args=[application.pk])).content.decode()
        assert "Bis zum 04.10.2022, 24:00 Uhr, können Sie sich erneut bewerben." in detail
        assert reverse("applications:apply_again", args=[application.pk]) in detail
        response = logged_in.post(reverse("applications:apply_again", args=[application.pk]), follow=True)
        assert response.redirect_chain[-1][0] == reverse("applications:edit", args=[application.pk])
        page = response.content.decode()
        assert "Ihre Bewerbung ist wieder ein Entwurf." in page
        assert 'value="Stadtplanung"' in page  # everything it held is still there
        application.refresh_from_db()
        assert application.status == Application.Status.DRAFT and application.withdrawn_at is None
        assert application.status_changes.filter(from_status="withdrawn", to_status="draft").exists()
        submit_application(application_id=application.pk, applicant=applicant, at=DURING)
    application.refresh_from_db()
    assert (application.status, application.reference, application.sequence) == ("submitted", "SCM-3-0001", 1)


def test_after_the_deadline_there_is_no_apply_again(logged_in, cohort, applicant):
    application = _withdrawn_submission(cohort, applicant)
    with time_machine.travel(AFTER, tick=False):
        detail = logged_in.get(reverse("applications:detail", args=[application.pk])).content.decode()
        assert "Neu bewerben" not in detail
        response = logged_in.post(reverse("applications:apply_again", args=[application.pk]), follow=True)
    assert "Die Bewerbungsfrist für den 3. Schulungsdurchgang ist am 04.10.2022" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN


def test_someone_elses_application_cannot_be_taken_up(client, cohort, applicant):
    from tests.factories import UserFactory

    application = _withdrawn_submission(cohort, applicant)
    client.force_login(UserFactory())
    with time_machine.travel(DURING, tick=False):
        response = client.post(reverse("applications:apply_again", args=[application.pk]))
    assert response.status_code == 404
    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN


def test_the_missing_list_links_to_each_field_by_its_label(logged_in, cohort, applicant):
    draft = Application.objects.create(cohort=cohort, applicant=applicant, department="Bauamt")
    with time_machine.travel(DURING, tick=False):
        page = logged_in.get(reverse("applications:review", args=[draft.pk])).content.decode()
    edit = reverse("applications:edit", args=[draft.pk])
    assert f'<a href="{edit}#id_municipality">Kommune, bei der Sie beschäftigt sind</a>' in page
    assert f'<a href="{edit}#id_position">Ihre Funktion</a>' in page
    assert f'<a href="{edit}#id_strategy_0">Hat Ihre Kommune eine Smart-City- oder' in page
    assert (
        f'<a href="{edit}#id_endorsement_upload">Unterstützungsschreiben von Vorgesetzte:r (PDF)</a>' in page
    )
    assert f'<a href="{edit}#id_privacy_consent">Ich habe die Datenschutzhinweise gelesen' in page
    assert "#id_department" not in page  # given already
    with time_machine.travel(DURING, tick=False):
        form = logged_in.get(edit).content.decode()
    for anchor in [
        "id_municipality",
        "id_position",
        "id_strategy_0",
        "id_endorsement_upload",
        "id_privacy_consent",
    ]:
        assert f'id="{anchor}"' in form


def test_a_late_seat_confirmation_says_whom_to_ask_and_how(cohort, applicant, reviewer, settings):
    from django.core.exceptions import ValidationError

    from applications.decisions import decide, respond_to_offer

    settings.PORTAL_OPERATOR = {
        **settings.PORTAL_OPERATOR,
        "email": "referat22@mil.example",
        "phone": "0331 8660",
    }
    draft = make_draft(cohort, applicant)
    submit_application(application_id=draft.pk, applicant=applicant, at=DURING)
    decide(application_ids=[draft.pk], decision="accepted", by=reviewer, at=berlin(2022, 10, 10, 9))
    with pytest.raises(ValidationError) as refused:
        respond_to_offer(
            application_id=draft.pk, applicant=applicant, accept=True, at=berlin(2022, 10, 20, 9)
        )
    assert refused.value.messages == [
        "Die Frist zur Bestätigung des Platzes ist am 17.10.2022 abgelaufen. Ob noch ein Platz frei ist, "
        "erfahren Sie beim Referat 22 – Stadtentwicklung: referat22@mil.example, Telefon 0331 8660."
    ]
