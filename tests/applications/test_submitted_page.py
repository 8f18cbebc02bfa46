"""After submitting: a page with the reference and what happens next, not only a message."""

import pytest
import time_machine
from django.urls import reverse

from tests.factories import UserFactory, berlin

from .conftest import make_draft

pytestmark = pytest.mark.django_db

DURING = berlin(2022, 9, 15, 10)


@pytest.fixture
def logged_in(client, applicant):
    client.force_login(applicant)
    return client


@time_machine.travel(DURING, tick=False)
def test_submitting_leads_to_the_reference_and_the_timeline(logged_in, cohort, applicant, settings):
    settings.SEAT_CONFIRMATION_DAYS = 7
    draft = make_draft(cohort, applicant)
    response = logged_in.post(reverse("applications:review", args=[draft.pk]))
    page = logged_in.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert '<h1 class="kern-heading">Ihre Bewerbung ist eingegangen</h1>' in html
    assert "Ihr Aktenzeichen lautet SCM-3-0001." in html and "<strong>SCM-3-0001</strong>" in html
    # What happens next, who decides, by when, and how to withdraw.
    assert "Bewerbungsschluss am 04.10.2022" in html
    assert "prüft das Referat 22 – Stadtentwicklung im Ministerium für Infrastruktur" in html
    assert "vor dem Kursbeginn am 24.10.2022" in html
    assert "innerhalb von 7 Tagen" in html
    assert f'href="{reverse("applications:withdraw", args=[draft.pk])}"' in html
    assert f'href="{reverse("applications:pdf", args=[draft.pk])}"' in html


@time_machine.travel(DURING, tick=False)
def test_the_page_of_a_draft_leads_back_to_the_form(logged_in, cohort, applicant):
    draft = make_draft(cohort, applicant)
    response = logged_in.get(reverse("applications:submitted", args=[draft.pk]))
    assert response["Location"] == reverse("applications:edit", args=[draft.pk])


@time_machine.travel(DURING, tick=False)
def test_nobody_else_sees_the_page(client, cohort, applicant):
    draft = make_draft(cohort, applicant)
    client.force_login(UserFactory())
    assert client.get(reverse("applications:submitted", args=[draft.pk])).status_code == 404


@time_machine.travel(DURING, tick=False)
def test_the_page_costs_a_fixed_number_of_queries(logged_in, cohort, applicant, django_assert_num_queries):
    draft = make_draft(cohort, applicant)
    logged_in.post(reverse("applications:review", args=[draft.pk]))
    with django_assert_num_queries(3):
        logged_in.get(reverse("applications:submitted", args=[draft.pk]))
