"""The dashboard: figures computed by hand on tests/evaluation/data.py, small counts suppressed,
who may see it and how many queries it needs."""

import datetime as dt
import html
import re

import pytest
from django.urls import reverse

from evaluation.selectors import dashboard_statistics
from tests.evaluation.data import group_member, more
from tests.factories import EnrollmentFactory, UserFactory

pytestmark = pytest.mark.django_db

LT3 = "< 3"


def shown(*figures) -> list[str]:
    return [str(figure) for figure in figures]


def application_row(row) -> list[str]:
    return shown(
        row.received, row.accepted, row.waitlisted, row.rejected, row.withdrawn, row.open, row.participants
    ) + [str(row.days_to_decision.value), str(row.certificates)]


def test_application_figures_per_cohort_and_overall(programme):
    stats = dashboard_statistics()
    a, b = stats.applications
    assert (a.label, b.label) == ("31. Schulungsdurchgang", "32. Schulungsdurchgang")
    # received, accepted, waitlisted, rejected, withdrawn, open, participants, median days, certificates
    assert application_row(a) == ["10", "5", LT3, "3", LT3, "0", "5", "12.0", "3"]
    assert application_row(b) == ["3", LT3, "0", "0", "0", LT3, "3", "None", "0"]
    assert str(b.days_to_decision.count) == LT3
    assert application_row(stats.applications_total) == ["13", "7", LT3, "3", LT3, LT3, "8", "10.0", "3"]


def test_participants_by_district_and_kind(programme):
    stats = dashboard_statistics()
    districts = {bar.label: str(bar.count) for bar in stats.by_district}
    assert len(districts) == 19  # the 18 districts and towns of Brandenburg and other employers
    assert districts["Barnim"] == "4"
    assert districts["Potsdam"] == LT3
    assert districts["Cottbus"] == LT3
    assert districts["Uckermark"] == LT3
    assert districts["andere öffentliche Stelle"] == LT3
    assert districts["Prignitz"] == "0"
    assert [(bar.label, str(bar.count)) for bar in stats.by_kind] == [
        ("Stadt", "5"),
        ("Gemeinde", LT3),
        ("Amt", LT3),
        ("Verbandsgemeinde", "0"),
        ("andere öffentliche Stelle", LT3),
    ]
    assert str(stats.participants) == "8"


def test_completion_per_module_counts_cohorts_in_which_the_module_has_ended(programme):
    stats = dashboard_statistics()
    first, second = stats.modules
    # Module 1: 4 of 5 in A and 3 of 3 in B. Module 2 has ended only in A: 2 of 5.
    assert (str(first.share.part), str(first.share.whole), first.share.percent) == ("7", "8", 88)
    assert (str(second.share.part), str(second.share.whole), second.share.percent) == (LT3, "5", None)

    in_a = dashboard_statistics(scope_number=31)
    assert [(str(m.share.part), m.share.percent) for m in in_a.modules] == [("4", 80), (LT3, None)]
    in_b = dashboard_statistics(scope_number=32)
    assert (str(in_b.modules[0].share.part), in_b.modules[0].share.percent) == ("3", 100)
    assert in_b.modules[1].share is None  # its last session is next week


def test_attendance_per_session_that_has_begun(programme):
    def rows(stats):
        return [
            (row.cohort.number, row.session.pk, *shown(row.present, row.excused, row.absent, row.unrecorded))
            for row in stats.sessions
        ]

    s = programme.sessions
    assert rows(dashboard_statistics(scope_number=31)) == [
        (31, s["s1"].pk, "5", "0", "0", "0"),
        (31, s["s2"].pk, "3", LT3, LT3, "0"),
        (31, s["s3"].pk, "4", "0", "0", LT3),
        (31, s["s4"].pk, "3", LT3, LT3, "0"),
    ]
    assert rows(dashboard_statistics(scope_number=32)) == [(32, s["t1"].pk, "3", "0", "0", "0")]
    # Over all cohorts the list would grow with every cohort: the page asks for one instead.
    assert dashboard_statistics().sessions == []


def test_the_session_table_is_shown_for_one_cohort(evaluator_client, programme):
    everything = text_of(evaluator_client.get(reverse("evaluation:dashboard")))
    assert "Die Anwesenheit Sitzung für Sitzung zeigt die Auswertung eines Durchgangs" in everything
    one = text_of(evaluator_client.get(reverse("evaluation:dashboard"), {"durchgang": "31"}))
    assert "Anwesenheit der Teilnehmer:innen in den Sitzungen, die begonnen haben" in one
    assert "Die Anwesenheit Sitzung für Sitzung zeigt" not in one


def test_questionnaire_means_need_three_answers(programme):
    first, second = dashboard_statistics().questionnaire
    assert str(first.answers) == "4"
    assert [None if m.value is None else round(m.value, 1) for m in first.means] == [4.0, 4.3, 3.0, None, 4.0]
    assert str(second.answers) == LT3
    assert [m.value for m in second.means] == [None] * 5
    assert dashboard_statistics(scope_number=32).questionnaire == []


def test_scope_narrows_origin_to_one_cohort(programme):
    stats = dashboard_statistics(scope_number=31)
    districts = {bar.label: str(bar.count) for bar in stats.by_district}
    assert (districts["Barnim"], districts["Potsdam"], districts["Cottbus"]) == ("4", LT3, "0")
    assert [str(bar.count) for bar in stats.by_kind] == ["3", LT3, LT3, "0", "0"]
    # The application table always shows every cohort.
    assert len(stats.applications) == 2


def text_of(response) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_page_shows_tables_and_a_chart_with_the_same_suppressed_figures(evaluator_client, programme):
    response = evaluator_client.get(reverse("evaluation:dashboard"))
    assert response.status_code == 200
    page = response.content.decode()
    # The chart is inline SVG with a name, drawn on the server; nothing is loaded from elsewhere.
    svg = re.search(
        r'<svg class="bar-chart" role="img" aria-labelledby="district-caption".*?</svg>', page, re.S
    )
    assert svg
    assert ">Barnim</text>" in svg.group(0)
    assert svg.group(0).count("bar-chart__bar--suppressed") == 4  # Potsdam, Cottbus, Uckermark, others
    assert "&lt; 3" in svg.group(0)
    assert not re.search(r'(src|href)="https?://', page)
    table = re.search(
        r'<table class="kern-table figures">\s*<caption id="district-table-caption">.*?</table>', page, re.S
    )
    assert re.search(r"<th scope=\"row\">Barnim</th><td>4</td>", table.group(0))
    assert re.search(r"<th scope=\"row\">Potsdam</th><td>&lt; 3</td>", table.group(0))
    text = " ".join(text_of(response).split())
    assert "Alle Durchgänge 13 7 < 3 3 < 3 < 3 10 8 3" in text
    assert "31. Schulungsdurchgang 10 5 < 3 3 < 3 0 12 5 3" in text
    assert "1. Digitale Transformation 8 7 88 %" in text
    # The exports are offered to evaluators.
    assert reverse("evaluation:export", args=["teilnahme", "csv"]) in page


def test_the_page_names_nobody(evaluator_client, programme):
    page = evaluator_client.get(reverse("evaluation:dashboard")).content.decode()
    page += evaluator_client.get(reverse("evaluation:dashboard") + "?durchgang=31").content.decode()
    for secret in programme.secrets:
        assert secret not in page, secret
    assert "Sehr hilfreich" not in page  # free text of the questionnaire


def test_a_cohort_can_be_chosen(evaluator_client, programme):
    response = evaluator_client.get(reverse("evaluation:dashboard"), {"durchgang": "32"})
    assert response.status_code == 200
    assert "Angezeigt: 32. Schulungsdurchgang, Teilnehmer:innen: 3" in text_of(response)
    assert evaluator_client.get(reverse("evaluation:dashboard"), {"durchgang": "99"}).status_code == 404
    assert evaluator_client.get(reverse("evaluation:dashboard"), {"durchgang": "x"}).status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("evaluators", 200),
        ("reviewers", 200),
        ("coordinators", 200),
        ("superuser", 200),
        ("applicants", 403),
        ("participants", 403),
        ("staff", 403),
    ],
)
def test_who_may_see_the_dashboard(client, db, role, status):
    if role == "superuser":
        user = UserFactory(is_superuser=True, is_staff=True)
    elif role == "staff":
        user = UserFactory(is_staff=True)
    else:
        user = group_member(role)
        if role == "participants":
            EnrollmentFactory(user=user)
    client.force_login(user)
    response = client.get(reverse("evaluation:dashboard"))
    assert response.status_code == status
    if status == 200:
        may_export = role in {"evaluators", "superuser"}
        assert (
            reverse("evaluation:export", args=["teilnahme", "csv"]) in response.content.decode()
        ) is may_export


def test_anonymous_visitors_are_sent_to_the_login(client, db):
    response = client.get(reverse("evaluation:dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_the_query_count_does_not_grow_with_the_data(evaluator_client, programme, django_assert_num_queries):
    from evaluation.tasks import refresh_statistics

    url = reverse("evaluation:dashboard")
    evaluator_client.get(url)  # the session is warm, the snapshot computed
    # From the snapshot: session, user, permissions; the figures come from the cache.
    with django_assert_num_queries(4):
        assert evaluator_client.get(url).status_code == 200
    with django_assert_num_queries(16):  # a cohort's view, computed on first use
        assert evaluator_client.get(url, {"durchgang": "31"}).status_code == 200
    more(programme, 40, 12)
    more(programme, 41, 9)
    # New data shows once the beat task has computed the snapshot afresh.
    assert "Alle Durchgänge 34 28" not in " ".join(text_of(evaluator_client.get(url)).split())
    refresh_statistics()
    with django_assert_num_queries(4):
        response = evaluator_client.get(url)
    assert "Alle Durchgänge 34 28" in " ".join(text_of(response).split())
    with django_assert_num_queries(16):
        assert evaluator_client.get(url, {"durchgang": "40"}).status_code == 200
    with django_assert_num_queries(4):
        assert evaluator_client.get(url, {"durchgang": "40"}).status_code == 200


def test_the_page_says_when_its_figures_were_computed(evaluator_client, programme):
    import time_machine

    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 41, tzinfo=dt.UTC)):
        html = evaluator_client.get(reverse("evaluation:dashboard")).content.decode()
    assert "Stand der Zahlen: 02.03.2026, 10:41 Uhr." in html


def test_the_page_renders_in_english(client, programme):
    evaluator = group_member("evaluators", language="en")
    client.force_login(evaluator)
    response = client.get(reverse("evaluation:dashboard"), {"durchgang": "31"})
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()
