import datetime as dt
import re

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from tests.factories import EnrollmentFactory, berlin

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
    # The towns are listed once, by district (the network's section), not a second time flat.
    assert "<dt>Uckermark</dt>" in html and html.count("Prenzlau") == 1
    # Held cohorts show how many took part, the open one how many seats it has.
    rows = re.findall(
        r'<th scope="row">(\d)\. Schulungsdurchgang.*?</th>.*?<td[^>]*>.*?</td>\s*<td[^>]*>.*?</td>\s*<td[^>]*>(.*?)</td>',
        html,
        re.S,
    )
    assert rows == [("1", "15"), ("2", "14"), ("3", "15"), ("4", "15 Plätze")]


def test_landing_page_in_english(client, demo):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in html
    assert "IT security" in html
    assert "Municipalities reached, by district" in html
    assert "Cohort 3 (Q4 2022)" in html and "Cohort 4" in html
    assert "Schulungsdurchgang" not in html


def test_landing_page_query_count_does_not_grow_with_participants(client, demo, django_assert_num_queries):
    # Programme, current cohorts, recent past cohorts, modules; the programme's totals (count and
    # municipalities) once, then from the cache until an enrollment changes; the network's
    # section (statements, towns by district) once, then from its own cache.
    with django_assert_num_queries(8):
        client.get(reverse("home"))
    with django_assert_num_queries(4):
        client.get(reverse("home"))
    cohort = EnrollmentFactory().cohort
    EnrollmentFactory.create_batch(30, cohort=cohort)
    with django_assert_num_queries(6):
        response = client.get(reverse("home"))
    with django_assert_num_queries(4):
        client.get(reverse("home"))
    assert response.status_code == 200


def test_landing_page_totals_follow_new_participants(client, demo):
    assert "Bisher haben 44 Beschäftigte" in client.get(reverse("home")).content.decode()
    from cohorts.models import Cohort

    EnrollmentFactory(cohort=Cohort.objects.get(number=3))
    assert "Bisher haben 45 Beschäftigte" in client.get(reverse("home")).content.decode()


@time_machine.travel(dt.datetime(2026, 11, 25, 10, tzinfo=dt.UTC))
def test_landing_page_lists_recent_cohorts_and_the_archive_all(client, demo, django_assert_num_queries):
    from tests.factories import CohortFactory

    for number in range(5, 65):
        CohortFactory(
            number=number,
            applications_open_at=berlin(2020, 1, 1, 9),
            applications_close_on=dt.date(2020, 1, 31),
            start_date=dt.date(2020, 3, 1),
            end_date=dt.date(2020, 5, 31),
        )
    html = client.get(reverse("home")).content.decode()
    listed = re.findall(r'<th scope="row">(\d+)\. Schulungsdurchgang', html)
    # The five most recent past cohorts by number, then the open one.
    assert listed == ["60", "61", "62", "63", "64", "4"]
    assert reverse("modules:cohort_archive") in html
    with django_assert_num_queries(3):  # the programme, the count for the pager, the page
        archive = client.get(reverse("modules:cohort_archive")).content.decode()
    assert re.findall(r'<th scope="row">(\d+)\. Schulungsdurchgang', archive)[:3] == ["64", "63", "62"]
    assert "64 Schulungsdurchgänge" in archive and "Seite 1 von 3" in archive
    last = client.get(reverse("modules:cohort_archive") + "?seite=3").content.decode()
    assert re.findall(r'<th scope="row">(\d+)\. Schulungsdurchgang', last) == [
        str(n) for n in range(14, 0, -1)
    ]
    # A held cohort shows who took part, not its seats.
    assert re.search(r'3\. Schulungsdurchgang</th>.*?<td data-label="Teilnehmer:innen">15</td>', last, re.S)
    # Both pages show the same table, which stacks its cells under their names on a phone.
    for shown in (html, archive):
        assert '<table class="kern-table timeline stack-table">' in shown
        assert '<td data-label="Bewerbungsschluss">' in shown


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
