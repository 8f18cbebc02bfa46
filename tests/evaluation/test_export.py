"""The pseudonymised exports: what a row says, that nobody is named in them, who may download
them and how many queries they need."""

import csv
import io
import zipfile

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from evaluation.disclosure import pseudonym
from tests.evaluation.data import group_member, more
from tests.factories import EnrollmentFactory, UserFactory

pytestmark = pytest.mark.django_db

LT3 = "< 3"


def body(response) -> bytes:
    """The file of an export, which is written while it is sent."""
    assert response.streaming
    return b"".join(response.streaming_content)


def download(client, dataset: str, fmt: str):
    response = client.get(reverse("evaluation:export", args=[dataset, fmt]))
    assert response.status_code == 200, response
    response.body = body(response)
    return response


def csv_rows(content: bytes) -> list[dict]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:]), delimiter=";"))


def xlsx_rows(content: bytes) -> list[dict]:
    sheet = load_workbook(io.BytesIO(content))["Daten"]
    header, *rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    return [dict(zip(header, ["" if v is None else str(v) for v in row], strict=True)) for row in rows]


def everything_in(content: bytes, fmt: str) -> str:
    """All text of a file: an XLSX is a zip of XML files, scanned after unpacking."""
    if fmt == "csv":
        return content.decode("utf-8")
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "".join(archive.read(name).decode("utf-8") for name in archive.namelist())


def test_one_row_per_application_and_per_participant_without_one(evaluator_client, programme):
    response = download(evaluator_client, "teilnahme", "csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="evaluation-teilnahme-2023-03-01.csv"'
    assert response["Cache-Control"] == "private, no-store"
    rows = csv_rows(response.body)
    assert list(rows[0]) == [
        "pseudonym",
        "durchgang",
        "kommunenart",
        "landkreis",
        "bewerbungsstatus",
        "strategie",
        "eingereicht_kw",
        "entschieden_kw",
        "zurueckgezogen_kw",
        "platz",
        "sitzungen",
        "anwesend",
        "entschuldigt",
        "abwesend",
        "module_abgeschlossen",
        "modul_1",
        "modul_2",
        "zertifikat",
    ]
    # 10 applications in A, 3 in B and E1 without one; the draft is not there.
    assert len(rows) == 14
    assert [r["durchgang"] for r in rows] == ["31"] * 10 + ["32"] * 4
    people = programme.people
    by_key = {}
    for key in ["P1", "P4", "P5", "X1", "Q1", "E1", "P2"]:
        (by_key[key],) = [r for r in rows if r["pseudonym"] == pseudonym(people[key].pk)]
    values = {key: list(row.values())[1:] for key, row in by_key.items()}
    # cohort, kind, district, status, strategy, weeks: submitted, decided, withdrawn, seat,
    # sessions begun, present, excused, absent, modules completed, module 1, module 2, certificate
    assert values["P1"] == [
        "31", LT3, LT3, "accepted", "in_progress", "2022-W35", "2022-W36", "", "confirmed",
        "4", "4", "0", "0", "2", "1", "1", "1",
    ]  # fmt: skip
    assert values["P2"][1:3] == ["stadt", "Barnim"]  # three from towns in Barnim: shown
    assert values["P4"] == [
        "31", "gemeinde", LT3, "accepted", "in_progress", "2022-W35", "2022-W38", "", "confirmed",
        "4", "2", "1", "1", "1", "1", "0", "0",
    ]  # fmt: skip
    assert values["P5"] == [
        "31", LT3, LT3, "accepted", "in_progress", "2022-W35", "2022-W39", "", "confirmed",
        "4", "1", "1", "1", "0", "0", "0", "0",
    ]  # fmt: skip
    assert values["X1"] == [
        "31", LT3, LT3, "withdrawn", "in_progress", "2022-W35", "", "2022-W36", "",
        "", "", "", "", "", "", "", "",
    ]  # fmt: skip
    assert values["Q1"] == [
        "32", LT3, LT3, "accepted", "in_progress", "2023-W01", "2023-W01", "", "confirmed",
        "1", "1", "0", "0", "1", "1", "0", "0",
    ]  # fmt: skip
    assert values["E1"] == [
        "32", LT3, LT3, "", "", "", "", "", "confirmed", "1", "1", "0", "0", "1", "1", "0", "0",
    ]  # fmt: skip


def test_the_same_person_has_the_same_pseudonym_in_every_cohort_and_export(evaluator_client, programme):
    rita = pseudonym(programme.people["R1"].pk)  # rejected in A, applied again in B
    rows = csv_rows(download(evaluator_client, "teilnahme", "csv").body)
    assert [(r["durchgang"], r["bewerbungsstatus"]) for r in rows if r["pseudonym"] == rita] == [
        ("31", "rejected"),
        ("32", "submitted"),
    ]
    assert xlsx_rows(download(evaluator_client, "teilnahme", "xlsx").body) == rows
    answers = csv_rows(download(evaluator_client, "fragebogen", "csv").body)
    assert pseudonym(programme.people["P1"].pk) in {a["pseudonym"] for a in answers}
    assert len({r["pseudonym"] for r in rows}) == 13  # 14 rows, R1 twice


def test_questionnaire_export_has_answers_and_free_text_with_the_pseudonym_only(evaluator_client, programme):
    answers = csv_rows(download(evaluator_client, "fragebogen", "csv").body)
    assert list(answers[0]) == [
        "pseudonym",
        "durchgang",
        "modul",
        "beantwortet_kw",
        "relevanz",
        "verstaendlichkeit",
        "praxisaufgabe",
        "online_format",
        "gesamt",
        "freitext",
    ]
    assert len(answers) == 5
    (p1,) = [
        a for a in answers if a["pseudonym"] == pseudonym(programme.people["P1"].pk) and a["modul"] == "1"
    ]
    assert list(p1.values())[1:] == [
        "31",
        "1",
        "2022-W42",
        "5",
        "4",
        "3",
        "5",
        "4",
        "Sehr hilfreich für unsere Strategie.",
    ]
    (p4,) = [a for a in answers if a["pseudonym"] == pseudonym(programme.people["P4"].pk)]
    assert list(p4.values())[4:] == ["4", "", "", "", "", ""]


def test_a_free_text_that_looks_like_a_formula_is_never_run(evaluator_client, programme):
    csv_text = download(evaluator_client, "fragebogen", "csv").body.decode("utf-8")
    assert "'=HYPERLINK(" in csv_text
    sheet = load_workbook(io.BytesIO(download(evaluator_client, "fragebogen", "xlsx").body))["Daten"]
    (cell,) = [c for row in sheet.iter_rows() for c in row if str(c.value).startswith("=HYPERLINK")]
    assert cell.data_type == "s"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("dataset", ["teilnahme", "fragebogen"])
def test_no_name_email_phone_or_free_text_of_an_application_is_in_any_export(
    evaluator_client, programme, dataset, fmt
):
    content = download(evaluator_client, dataset, fmt).body
    text = everything_in(content, fmt)
    assert len(programme.secrets) > 100
    for secret in programme.secrets:
        assert secret not in text, secret
        assert secret.encode() not in content
    if dataset == "teilnahme":
        assert "Sehr hilfreich" not in text  # the questionnaire's free text stays in its own export


def test_xlsx_explains_every_column(evaluator_client, programme):
    response = download(evaluator_client, "teilnahme", "xlsx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(response.body))
    assert workbook.sheetnames == ["Daten", "Erläuterungen"]
    columns = [c.value for c in next(workbook["Daten"].iter_rows())]
    explained = [row[0].value for row in workbook["Erläuterungen"].iter_rows(min_row=2)]
    assert explained == columns


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("evaluators", 200),
        ("superuser", 200),
        ("reviewers", 403),
        ("coordinators", 403),
        ("applicants", 403),
        ("participants", 403),
    ],
)
@pytest.mark.parametrize("dataset", ["teilnahme", "fragebogen"])
def test_only_evaluators_may_download_the_exports(client, db, role, status, dataset):
    if role == "superuser":
        user = UserFactory(is_superuser=True, is_staff=True)
    else:
        user = group_member(role)
        if role == "participants":
            EnrollmentFactory(user=user)
    client.force_login(user)
    assert client.get(reverse("evaluation:export", args=[dataset, "csv"])).status_code == status


def test_anonymous_visitors_get_no_export_and_unknown_exports_do_not_exist(evaluator_client, db):
    response = Client().get(reverse("evaluation:export", args=["teilnahme", "csv"]))
    assert response.status_code == 302
    assert evaluator_client.get(reverse("evaluation:export", args=["personen", "csv"])).status_code == 404
    assert evaluator_client.get(reverse("evaluation:export", args=["teilnahme", "pdf"])).status_code == 404


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("dataset", ["teilnahme", "fragebogen"])
def test_the_query_count_of_the_exports_does_not_grow(
    evaluator_client, programme, dataset, fmt, django_assert_num_queries
):
    url = reverse("evaluation:export", args=[dataset, fmt])
    queries = {"teilnahme": 13, "fragebogen": 8}[dataset]
    body(evaluator_client.get(url))
    with django_assert_num_queries(queries):
        body(evaluator_client.get(url))
    more(programme, 40, 12)
    more(programme, 41, 9)
    with django_assert_num_queries(queries):
        content = body(evaluator_client.get(url))
    rows = xlsx_rows(content) if fmt == "xlsx" else csv_rows(content)
    assert len(rows) == {"teilnahme": 14 + 21, "fragebogen": 5 + 21}[dataset]


@pytest.mark.parametrize("dataset", ["teilnahme", "fragebogen"])
def test_an_export_reads_a_batch_of_cohorts_at_a_time_and_the_file_is_the_same(
    evaluator_client, programme, dataset, monkeypatch, django_assert_max_num_queries
):
    from evaluation import export_rows

    more(programme, 40, 12)
    url = reverse("evaluation:export", args=[dataset, "csv"])
    whole = body(evaluator_client.get(url))
    monkeypatch.setattr(export_rows, "EXPORT_BATCH", 1)
    # Nothing is read for the rows before the file is written ...
    with django_assert_max_num_queries(3):
        table = (export_rows.person_export if dataset == "teilnahme" else export_rows.questionnaire_export)()
    assert iter(table.rows) is table.rows
    # ... and one cohort at a time gives the very same file as ten at a time.
    assert body(evaluator_client.get(url)) == whole
    assert len(csv_rows(whole)) == {"teilnahme": 14 + 12, "fragebogen": 5 + 12}[dataset]


def test_the_export_holds_the_portals_programme_only(evaluator_client, programme):
    from tests.factories import CohortFactory, ProgrammeFactory

    other = CohortFactory(
        programme=ProgrammeFactory(slug="anderes-land", title="Anderes Land", state="09"), number=77
    )
    EnrollmentFactory(cohort=other)
    rows = csv_rows(download(evaluator_client, "teilnahme", "csv").body)
    assert "77" not in {row["durchgang"] for row in rows}
    assert len(rows) == 14


def test_an_anonymised_application_stays_in_the_figures_without_a_pseudonym(evaluator_client, programme):
    x1 = programme.applications["X1"]
    x1.applicant = None
    x1.save(update_fields=["applicant"])
    rows = csv_rows(download(evaluator_client, "teilnahme", "csv").body)
    assert len(rows) == 14
    (anonymous,) = [r for r in rows if r["pseudonym"] == ""]
    assert (anonymous["durchgang"], anonymous["bewerbungsstatus"]) == ("31", "withdrawn")
    assert pseudonym(programme.people["X1"].pk) not in {r["pseudonym"] for r in rows}
