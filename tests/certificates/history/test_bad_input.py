"""Malformed files get a clear report and write nothing; formulas arrive as text."""

import io

import pytest
from django.utils import timezone
from openpyxl import Workbook

from certificates.history.importer import run
from certificates.models import ImportedEnrollment, ImportRun
from cohorts.models import Cohort
from portal.accounts.models import User

from .conftest import COHORTS_CSV, HEADER

pytestmark = pytest.mark.django_db


def _run(content, name, programme, by):
    return run(content, name, programme=programme, by=by, at=timezone.now(), dry_run=False)


def _xlsx(rows, merge=None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _nothing_written():
    return (
        not Cohort.objects.exists()
        and not ImportRun.objects.exists()
        and not User.objects.filter(email__endswith="@example.org", is_staff=False).exists()
    )


def test_excel_csv_in_windows_encoding_is_refused_with_the_reason(programme, admin_user):
    content = (
        "nummer;titel;beginn;ende\r\n1;1. Schulungsdurchgang Königs Wusterhausen;11.10.2021;17.12.2021\r\n"
    )
    report = _run(content.encode("cp1252"), "excel.csv", programme, admin_user)
    assert not report.written and "nicht UTF-8" in report.file_errors[0]
    assert _nothing_written()


def test_semicolon_csv_in_utf8_is_read(programme, admin_user):
    report = _run(COHORTS_CSV, "excel.csv", programme, admin_user)
    assert report.written and Cohort.objects.count() == 2


def test_merged_cells_are_refused(programme, admin_user):
    content = _xlsx(
        [["nummer", "titel", "beginn", "ende"], [1, "Eins", "11.10.2021", "17.12.2021"]], merge="B2:C2"
    )
    report = _run(content, "merged.xlsx", programme, admin_user)
    assert "verbundene Zellen (B2:C2)" in report.file_errors[0] and _nothing_written()


def test_a_formula_is_imported_as_its_text_never_evaluated(programme, admin_user):
    _run(COHORTS_CSV, "d.csv", programme, admin_user)
    header = HEADER.split(",")
    row = ["2", "f@example.org", "Frida", "Formel", "12054000", "", "", "=1+1"] + [""] * (len(header) - 8)
    report = _run(_xlsx([header, row]), "formeln.xlsx", programme, admin_user)
    assert report.written, report.errors
    assert ImportedEnrollment.objects.get(enrollment__user__email="f@example.org").unit == "=1+1"
    csv_row = '2,g@example.org,Gerd,"=HYPERLINK(""http://x"")",12054000' + "," * 12
    report = _run(f"{HEADER}\n{csv_row}\n".encode(), "formeln.csv", programme, admin_user)
    assert report.written and User.objects.get(email="g@example.org").last_name == '=HYPERLINK("http://x")'


def test_fifty_thousand_rows_are_refused_before_any_row_is_read(programme, admin_user):
    lines = ["nummer,titel,beginn,ende"] + [f"{n},Durchgang {n},01.01.2022,02.01.2022" for n in range(50_000)]
    report = _run("\n".join(lines).encode(), "gross.csv", programme, admin_user)
    assert "mehr als 2000 Datenzeilen" in report.file_errors[0] and not report.rows
    assert _nothing_written()


def test_a_file_above_the_upload_limit_is_refused(programme, admin_user, settings):
    settings.PORTAL_MAX_REQUEST_BYTES = 1024
    report = _run(
        b"nummer,titel,beginn,ende\n" + b"1,x,01.01.2022,02.01.2022\n" * 100, "g.csv", programme, admin_user
    )
    assert "größer als" in report.file_errors[0] and _nothing_written()


@pytest.mark.parametrize(
    ("content", "name", "words"),
    [
        (b"", "leer.csv", "leer"),
        (b"vorname,wohnort\nA,B\n", "falsch.csv", "passen zu keiner Vorlage"),
        (
            b"nummer,titel,beginn,ende,farbe\n1,x,01.01.2022,02.01.2022,rot\n",
            "extra.csv",
            "Unbekannte Spalten: farbe",
        ),
        (b"\x00\x01binary", "kaputt.xlsx", "nicht als Excel-Arbeitsmappe"),
        (b"%PDF-1.7", "brief.pdf", "CSV- oder XLSX-Datei"),
    ],
)
def test_unreadable_files_are_refused_with_the_reason(programme, admin_user, content, name, words):
    report = _run(content, name, programme, admin_user)
    assert words in " ".join(report.file_errors) and _nothing_written()


def test_a_duplicate_email_in_the_file_is_refused(programme, admin_user):
    _run(COHORTS_CSV, "d.csv", programme, admin_user)
    row = "2,same@example.org,A,B,12054000" + "," * 12
    report = _run(
        f"{HEADER}\n{row}\n{row.replace('same@', 'SAME@')}\n".encode(), "t.csv", programme, admin_user
    )
    [error] = report.errors
    assert (error.line, error.column, error.header) == (3, "B", "e_mail") and "Zeile 2" in error.message
    assert not User.objects.filter(email="same@example.org").exists()
