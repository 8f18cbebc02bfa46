"""An open seat offer is the first thing on the applicant's dashboard, with its respond-by date
and both answers; after accepting, the dashboard leads to "Mein Kurs"."""

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.decisions import decide
from cohorts.models import Enrollment
from tests.factories import UserFactory

from .test_review import submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def offered(cohort, reviewer):
    application = submitted(cohort)
    decide(application_ids=[application.pk], decision="accepted", by=reviewer, at=timezone.now())
    application.refresh_from_db()
    return application


def test_an_open_offer_is_an_alert_above_everything_with_both_answers(client, offered):
    client.force_login(offered.applicant)
    page = client.get(reverse("applications:dashboard")).content.decode()
    alert = page.index('class="kern-alert kern-alert--warning seat-offer"')
    assert alert < page.index("<table")
    assert f"Bitte antworten Sie bis einschließlich {offered.enrollment.respond_by:%d.%m.%Y}." in page[alert:]
    form = page[alert : page.index("</form>", alert)]
    assert f'action="{reverse("applications:offer", args=[offered.pk])}"' in form
    assert 'value="confirm"' in form and 'value="decline"' in form


def test_accepting_from_the_alert_leads_to_mein_kurs(client, offered):
    client.force_login(offered.applicant)
    response = client.post(reverse("applications:offer", args=[offered.pk]), {"answer": "confirm"})
    assert response["Location"] == reverse("applications:dashboard")
    offered.enrollment.refresh_from_db()
    assert offered.enrollment.state == Enrollment.State.CONFIRMED
    page = client.get(reverse("applications:dashboard")).content.decode()
    assert "seat-offer" not in page
    assert f'href="{reverse("modules:dashboard")}"><span class="kern-label">Zu „Mein Kurs“</span>' in page


def test_declining_from_the_alert_frees_the_seat(client, offered):
    client.force_login(offered.applicant)
    client.post(reverse("applications:offer", args=[offered.pk]), {"answer": "decline"})
    offered.enrollment.refresh_from_db()
    assert offered.enrollment.state == Enrollment.State.DECLINED
    assert "seat-offer" not in client.get(reverse("applications:dashboard")).content.decode()


def test_nobody_else_can_answer_the_offer(client, offered):
    client.force_login(UserFactory())
    response = client.post(reverse("applications:offer", args=[offered.pk]), {"answer": "decline"})
    assert response.status_code == 404
    offered.enrollment.refresh_from_db()
    assert offered.enrollment.state == Enrollment.State.OFFERED


def test_the_alert_costs_no_query_of_its_own(client, offered, django_assert_num_queries):
    client.force_login(offered.applicant)
    # the dashboard's four queries, and one for the open requests to complete an application
    with django_assert_num_queries(5):
        page = client.get(reverse("applications:dashboard")).content.decode()
    assert "seat-offer" in page
