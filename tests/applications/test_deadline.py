import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from applications.models import Application
from applications.services import grant_extension
from tests.factories import CohortFactory, UserFactory, berlin

from .conftest import form_data, make_draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def winter_cohort(db):
    return CohortFactory(
        number=5, applications_open_at=berlin(2022, 11, 1, 9), applications_close_on=dt.date(2022, 12, 5)
    )


@pytest.mark.parametrize("which", ["cohort", "winter_cohort"])
def test_submit_at_235959_is_accepted_and_at_midnight_refused(request, client, applicant, which):
    cohort = request.getfixturevalue(which)
    day = cohort.applications_close_on
    early, late = UserFactory(), applicant
    for user in (early, late):
        make_draft(cohort, user)
    with time_machine.travel(
        dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=berlin(2022, 1, 1).tzinfo), tick=False
    ):
        client.force_login(early)
        client.post(reverse("applications:review", args=[early.applications.get().pk]))
    with time_machine.travel(berlin(day.year, day.month, day.day + 1, 0, 0, 0), tick=False):
        client.force_login(late)
        response = client.post(reverse("applications:review", args=[late.applications.get().pk]))
    assert early.applications.get().status == Application.Status.SUBMITTED
    assert late.applications.get().status == Application.Status.DRAFT
    assert response.status_code == 400
    assert "Bewerbungsfrist" in response.content.decode() and "abgelaufen" in response.content.decode()


def test_form_opened_before_and_sent_after_the_deadline_keeps_the_draft(client, cohort, applicant):
    draft = make_draft(cohort, applicant, motivation="Gespeicherter Stand")
    client.force_login(applicant)
    with time_machine.travel(berlin(2022, 10, 4, 23, 50), tick=False):
        page = client.get(reverse("applications:edit", args=[draft.pk])).content.decode()
        assert "Gespeicherter Stand" in page
    with time_machine.travel(berlin(2022, 10, 5, 0, 0, 1), tick=False):
        response = client.post(
            reverse("applications:edit", args=[draft.pk]),
            form_data(motivation="Neuer Text nach Fristende", action="review"),
        )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Die Bewerbungsfrist für den" in html and "04.10.2022" in html
    assert "Neuer Text nach Fristende" in html  # everything typed is still on the page
    draft.refresh_from_db()
    assert draft.motivation == "Gespeicherter Stand"
    assert draft.is_draft


def test_no_form_before_opening(client, cohort, applicant):
    client.force_login(applicant)
    with time_machine.travel(berlin(2022, 8, 1, 8, 59), tick=False):
        response = client.get(reverse("applications:start"))
        assert response.status_code == 404
        response = client.get(reverse("applications:start_for_cohort", args=[cohort.number]))
    assert response.status_code == 403
    assert "beginnt am 01.08.2022, 09:00 Uhr" in response.content.decode()
    with time_machine.travel(berlin(2022, 8, 1, 8, 59), tick=False):
        client.post(reverse("applications:start_for_cohort", args=[cohort.number]), form_data())
    assert not Application.objects.exists()


def test_individual_extension_lets_one_applicant_submit_late(client, cohort, applicant):
    draft = make_draft(cohort, applicant)
    other = make_draft(cohort, UserFactory())
    reviewer = UserFactory(is_staff=True)
    grant_extension(application=draft, until=berlin(2022, 10, 7, 12), reason="Krankheit", granted_by=reviewer)
    with time_machine.travel(berlin(2022, 10, 6, 9), tick=False):
        client.force_login(applicant)
        client.post(reverse("applications:review", args=[draft.pk]))
        client.force_login(other.applicant)
        client.post(reverse("applications:review", args=[other.pk]))
    draft.refresh_from_db()
    other.refresh_from_db()
    assert draft.status == Application.Status.SUBMITTED
    assert other.is_draft
    with time_machine.travel(berlin(2022, 10, 7, 12), tick=False):
        assert not draft.cohort.accepts_applications(berlin(2022, 10, 7, 12))


def test_extension_must_have_a_reason_and_end_after_the_deadline(cohort, applicant):
    from django.core.exceptions import ValidationError

    draft = make_draft(cohort, applicant)
    with pytest.raises(ValidationError, match="begründen"):
        grant_extension(application=draft, until=berlin(2022, 10, 7), reason=" ", granted_by=applicant)
    with pytest.raises(ValidationError, match="nach dem regulären"):
        grant_extension(application=draft, until=berlin(2022, 10, 4, 12), reason="x", granted_by=applicant)
