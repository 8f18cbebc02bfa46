"""What the applicant sees of a draft: how complete it is, the steps, the days left."""

import pytest
import time_machine
from django.urls import reverse

from tests.applications.conftest import make_draft
from tests.factories import berlin

pytestmark = pytest.mark.django_db

DURING = berlin(2022, 9, 15, 10)  # 19 days before the closing date, 04.10.2022


@time_machine.travel(DURING, tick=False)
def test_the_dashboard_shows_how_complete_a_draft_is_and_the_days_left(client, cohort, applicant):
    make_draft(cohort, applicant, phone="", privacy_consent_at=None)
    client.force_login(applicant)
    page = client.get(reverse("applications:dashboard")).content.decode()
    assert "9 von 11 Angaben für das Absenden sind vollständig." in page
    assert 'max="11" value="9"' in page
    assert "Es fehlen noch: Telefon, Einwilligung in die Datenschutzhinweise" in page
    assert "Noch <strong>19 Tage</strong> bis zum Bewerbungsschluss am 04.10.2022." in page


@time_machine.travel(DURING, tick=False)
def test_a_complete_draft_is_ready_to_submit(client, cohort, applicant):
    make_draft(cohort, applicant)
    client.force_login(applicant)
    page = client.get(reverse("applications:dashboard")).content.decode()
    assert "11 von 11 Angaben" in page and "Alles ist ausgefüllt." in page
    assert "Es fehlen noch" not in page


@time_machine.travel(berlin(2022, 10, 4, 18), tick=False)
def test_the_form_shows_its_step_and_the_last_day(client, cohort, applicant):
    draft = make_draft(cohort, applicant)
    client.force_login(applicant)
    page = client.get(reverse("applications:edit", args=[draft.pk])).content.decode()
    assert 'aria-current="step"><span class="form-steps__number" aria-hidden="true">1</span> Angaben' in page
    assert "Heute ist der letzte Tag" in page
    review = client.get(reverse("applications:review", args=[draft.pk])).content.decode()
    assert (
        'aria-current="step"><span class="form-steps__number" aria-hidden="true">2</span> Übersicht' in review
    )


@time_machine.travel(berlin(2022, 10, 5, 9), tick=False)
def test_no_countdown_after_the_closing_date(client, cohort, applicant):
    make_draft(cohort, applicant)
    client.force_login(applicant)
    page = client.get(reverse("applications:dashboard")).content.decode()
    assert "bis zum Bewerbungsschluss" not in page and "letzte Tag" not in page
