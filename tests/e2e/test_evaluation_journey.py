"""The evaluation in the browser: an evaluator reads the dashboard and downloads the pseudonymised
export; a participant answers the questionnaire after a module. Every page is checked with
axe-core (see conftest.py)."""

import csv
import io
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from evaluation.disclosure import pseudonym
from evaluation.models import Answer
from tests.e2e.test_account_journeys import log_in
from tests.evaluation.data import build, group_member

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "ein-sicheres-Passwort-1"  # the factories' password


def test_an_evaluator_reads_the_dashboard_and_downloads_the_export(page, axe, live_server):
    programme = build(timezone.now())
    evaluator = group_member("evaluators", first_name="Eva", last_name="Auswertung")
    base_url = live_server.url

    log_in(page, axe, base_url, evaluator.email, PASSWORD)
    page.goto(base_url + reverse("evaluation:dashboard"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Auswertung des Programms")
    axe()

    applications = page.get_by_role(
        "table", name="Bewerbungen, Teilnahme und Zertifikate je Schulungsdurchgang"
    )
    expect(applications.get_by_role("row", name="Alle Durchgänge")).to_contain_text("13")
    cohort_a = applications.get_by_role("row", name="31. Schulungsdurchgang")
    expect(cohort_a.get_by_role("cell")).to_have_text(["10", "5", "< 3", "3", "< 3", "0", "12", "5", "3"])
    districts = page.get_by_role("table", name="Teilnehmer:innen nach Landkreis und kreisfreier Stadt")
    expect(districts.get_by_role("row", name="Barnim")).to_contain_text("4")
    potsdam = districts.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Potsdam", exact=True)
    )
    expect(potsdam.get_by_role("cell")).to_have_text("< 3")
    expect(page.get_by_role("img", name="Balkendiagramm: Teilnehmer:innen nach Landkreis")).to_be_visible()

    page.get_by_label("Auswertung für").select_option(label="31. Schulungsdurchgang")
    page.get_by_role("button", name="Anzeigen").click()
    expect(page).to_have_url(base_url + reverse("evaluation:dashboard") + "?durchgang=31")
    expect(page.get_by_role("main")).to_contain_text("Angezeigt: 31. Schulungsdurchgang, Teilnehmer:innen: 5")
    modules = page.get_by_role("table", name="Abgeschlossene Module")
    expect(modules.get_by_role("row", name="1. Digitale Transformation")).to_contain_text("80 %")
    axe()

    with page.expect_download() as export:
        page.get_by_role("link", name="Bewerbungen und Teilnahme als CSV herunterladen").click()
    download = export.value
    assert download.suggested_filename == f"evaluation-teilnahme-{timezone.localdate():%Y-%m-%d}.csv"
    content = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content), delimiter=";"))
    assert len(rows) == 14
    assert pseudonym(programme.people["P1"].pk) in {row["pseudonym"] for row in rows}
    for secret in programme.secrets:
        assert secret not in content, secret

    with page.expect_download() as export:
        page.get_by_role("link", name="Fragebogen als Excel-Datei (XLSX) herunterladen").click()
    assert export.value.suggested_filename.endswith(".xlsx")
    assert Path(export.value.path()).read_bytes()[:2] == b"PK"


def test_a_participant_answers_the_questionnaire_after_a_module(page, axe, live_server):
    programme = build(timezone.now())
    participant = programme.people["P5"]
    first_module = programme.modules[0]
    base_url = live_server.url

    log_in(page, axe, base_url, participant.email, PASSWORD)
    page.goto(base_url + reverse("evaluation:questionnaires"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Fragebogen zu den Modulen")
    axe()

    page.get_by_role("link", name="Fragebogen zu Modul 1 ausfüllen").click()
    expect(page).to_have_url(base_url + reverse("evaluation:questionnaire", args=[first_module.pk]))
    axe()

    # Nothing chosen and nothing written: the form says so and keeps the page.
    page.get_by_role("button", name="Antworten absenden").click()
    expect(page.get_by_role("alert")).to_contain_text("Bitte beantworten Sie mindestens eine Frage")
    axe()

    relevance = page.get_by_role(
        "group", name="Die Inhalte des Moduls sind für meine Arbeit in der Kommune wichtig."
    )
    relevance.get_by_label("4 – trifft eher zu").check()
    overall = page.get_by_role("group", name="Insgesamt bin ich mit dem Modul zufrieden.")
    overall.get_by_label("5 – trifft voll zu").check()
    page.get_by_label("Was möchten Sie uns zu diesem Modul noch mitteilen?").fill(
        "Mehr Beispiele aus Ämtern, bitte."
    )
    page.get_by_role("button", name="Antworten absenden").click()
    expect(page).to_have_url(base_url + reverse("evaluation:questionnaires"))
    expect(page.get_by_role("main")).to_contain_text("Vielen Dank! Ihre Antworten sind gespeichert.")
    expect(page.get_by_role("row", name="1. Digitale Transformation")).to_contain_text("beantwortet am")
    axe()

    stored = dict(
        Answer.objects.filter(
            response__enrollment__user=participant,
            response__module=first_module,
            response__version__instrument__key="modul-feedback",
        ).values_list("item__key", "number")
    )
    assert {key: stored.get(key) for key in ("relevanz", "verstaendlichkeit", "gesamt")} == {
        "relevanz": 4,
        "verstaendlichkeit": None,
        "gesamt": 5,
    }
    assert Answer.objects.get(response__enrollment__user=participant, item__key="anmerkungen").text == (
        "Mehr Beispiele aus Ämtern, bitte."
    )
