import datetime as dt
import re

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from tests.factories import EnrollmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, tzinfo=dt.UTC)):
        call_command("seed_demo", stdout=open("/dev/null", "w"))


@time_machine.travel(dt.datetime(2026, 11, 25, 10, tzinfo=dt.UTC))
def test_landing_page_shows_programme_cohorts_modules_and_municipalities(client, demo):
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert response["Content-Language"] == "de"
    assert '<html lang="de">' in html
    for title in [
        "Digitale Transformation und Smart City in der Stadtentwicklung",
        "IT-Sicherheit",
        "Beteiligung und Vernetzung",
        "Strategieentwicklung",
        "Umsetzung und Kommunikation",
    ]:
        assert title in html
    # The third cohort with its historical deadline, the open one with its deadline and countdown.
    assert "04.10.2022" in html
    assert "24.10.2022 – 16.12.2022" in html
    assert "Sie können sich bis einschließlich 23.12.2026 bewerben." in html
    assert "Noch 28 Tage." in html
    # 15 + 14 + 15 participants from the 36 towns named on the programme page.
    assert "Bisher haben 44 Beschäftigte" in html
    assert "Aus 36 Kommunen haben Beschäftigte teilgenommen." in html
    assert "Prenzlau <span" in html and "(Uckermark)" in html
    # Held cohorts show how many took part, the open one how many seats it has.
    rows = re.findall(
        r'<th scope="row">(\d)\. Schulungsdurchgang.*?</th>.*?<td>.*?</td>\s*<td>.*?</td>\s*<td>(.*?)</td>',
        html,
        re.S,
    )
    assert rows == [("1", "15"), ("2", "14"), ("3", "15"), ("4", "15 Plätze")]


def test_landing_page_in_english(client, demo):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in html
    assert "IT security" in html
    assert "Participating municipalities" in html
    assert "Cohort 3 (Q4 2022)" in html and "Cohort 4" in html
    assert "Schulungsdurchgang" not in html


def test_landing_page_query_count_does_not_grow_with_participants(client, demo, django_assert_num_queries):
    with django_assert_num_queries(4):
        client.get(reverse("home"))
    cohort = EnrollmentFactory().cohort
    EnrollmentFactory.create_batch(30, cohort=cohort)
    with django_assert_num_queries(4):
        response = client.get(reverse("home"))
    assert response.status_code == 200


def test_no_open_cohort_says_so(client):
    html = client.get(reverse("home")).content.decode()
    assert "Zurzeit ist keine Bewerbung möglich." in html


@pytest.mark.parametrize("name", ["imprint", "privacy", "accessibility"])
def test_legal_pages_name_the_operator_from_settings(client, settings, name):
    settings.PORTAL_OPERATOR = {
        **settings.PORTAL_OPERATOR,
        "name": "Testministerium für Prüfzwecke",
        "email": "kontakt@test.example",
    }
    html = client.get(reverse(name)).content.decode()
    assert "Testministerium für Prüfzwecke" in html
    assert "kontakt@test.example" in html
