"""The reviewers' export read as plain rows (applications/admin/export_rows.py) is the very file
django-import-export's generic path writes: the same bytes for the CSV, the same cells (values,
types, quote prefixes) for the XLSX, streamed or built in the worker, in German and English."""

import datetime as dt
import io

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from applications.admin.lists import ApplicationResource
from applications.models import Application, Conflict, InformationRequest, ReviewAssignment, Score
from portal.exports.models import ExportJob
from portal.exports.services import _admin_request
from portal.models import Municipality
from portal.web import spreadsheets
from tests.factories import CohortFactory, UserFactory, berlin

pytestmark = pytest.mark.django_db

FIELDS = list(ApplicationResource.Meta.fields)  # every column the reviewers' export offers
# Names in many scripts, formulas and what only looks like one, control characters, emoji and
# bidirectional marks, and empty text.
TEXTS = [
    ("Łucja", "Groß-Łęcka"),
    ("Фёдор", "Достоевский"),
    ("Ἀλέξανδρος", "Παπαδόπουλος"),
    ("محمد", "\u200fالعربي\u200f"),
    ("דוד", "\u202eכהן"),
    ("美咲", "山田"),
    ("देवी", "शर्मा"),
    ("=1+1", "+"),
    ("-", "@"),
    ("\t=1+1", "\r=SUM(A1)"),
    ("Zoë 👩🏽‍💻", "O’Brien 🇩🇪"),
    ("", ""),
    ("-3", "+4,5"),
    ('"Anführung";', "Zeile\r\nzwei"),
]


@pytest.fixture
def applications(db):
    cohort = CohortFactory(
        number=3, applications_open_at=berlin(2022, 8, 1), applications_close_on=dt.date(2022, 10, 4)
    )
    other = CohortFactory(
        number=4, applications_open_at=berlin(2023, 8, 1), applications_close_on=dt.date(2023, 10, 4)
    )
    towns = [
        Municipality.objects.get(ags="12054000"),  # Potsdam: a district of its own
        *Municipality.objects.exclude(ags="12054000").exclude(name="").order_by("ags")[:3],
    ]
    reviewers = [UserFactory(is_staff=True, email=f"gutachten{i}@example.org") for i in range(3)]
    statuses = [status for status, _label in Application.Status.choices if status != "draft"]
    made = []
    for index, (first, last) in enumerate(TEXTS * 2):
        anonymised = index % 9 == 8
        user = (
            None
            if anonymised
            else UserFactory(first_name=first, last_name=last, email=f"{last[:3]}{index}@x.de")
        )
        status = statuses[index % len(statuses)]
        town = None if anonymised or index % 3 == 0 else towns[index % len(towns)]
        made.append(
            Application.objects.create(
                cohort=cohort if index % 4 else other,
                applicant=user,
                municipality=town,
                other_employer="" if town or index % 5 == 0 else f"{first} {last}".strip(),
                department="" if index % 4 == 1 else last,
                position=first,
                status=status,
                sequence=index + 1,
                reference=f"SCM-3-{index + 1:04d}" if index % 7 else f"=SCM-{index}",
                # Withdrawn before it was submitted: no date (the only application without one).
                submitted_at=None
                if status == "withdrawn" and index % 2
                else berlin(2022, 3 + index % 8, 27, index % 24, index),
            )
        )
    for index, application in enumerate(made):
        for reviewer in reviewers[: index % 4]:
            points = 1 + (index + reviewer.pk) % 5
            Score.objects.create(
                application=application, reviewer=reviewer, motivation=points, relevance=3, commitment=points
            )
        if index % 3:
            ReviewAssignment.objects.create(application=application, reviewer=reviewers[0])
        if index % 5 == 0:
            Conflict.objects.create(application=application, reviewer=reviewers[1], reason="=verwandt")
        if index % 2:
            InformationRequest.objects.create(
                application=application,
                asked_by=reviewers[0],
                message="?",
                due_on=dt.date(2022, 10, 1),
                answered_at=berlin(2022, 9, 30) if index % 4 == 3 else None,
            )
    return made


@pytest.fixture
def reviewer(db):
    user = UserFactory(email="rita@example.org", first_name="Rita", last_name="Referat", is_staff=True)
    user.groups.add(Group.objects.get(name="reviewers"))
    return user


def export_queryset(reviewer, fields=None):
    model_admin = admin.site._registry[Application]
    queryset = model_admin.get_queryset(_admin_request(reviewer)).order_by("cohort", "sequence", "-pk")
    return model_admin.prepare_export_queryset(queryset, fields)


def generic_csv(reviewer, fields=None) -> bytes:
    """The file django-import-export writes: model instances, each cell by ``Field.export``."""
    resource = ApplicationResource()
    dataset = resource.export(queryset=export_queryset(reviewer, fields), export_fields=fields)
    return spreadsheets.CSV().export_data(dataset)


def generic_rows(reviewer, fields=None, *, native: bool) -> list:
    export = spreadsheets.row_exporter(ApplicationResource(), fields, native=native)
    return [export(application) for application in export_queryset(reviewer, fields)]


def post_export(client, file_format: str, fields) -> object:
    url = reverse("admin:applications_application_export") + "?durchgang=alle"
    form = {"format": "0" if file_format == "csv" else "1", "resource": "0"}
    return client.post(url, {**form, **{f"applicationresource_{name}": "on" for name in fields}})


def xlsx_cells(content: bytes) -> list:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [[(c.value, c.data_type, c.quotePrefix) for c in row] for row in sheet.iter_rows()]


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("fields", [None, ["status", "name", "score_mean", "kind", "employer"]])
def test_the_rows_read_plainly_are_the_generic_rows(applications, reviewer, language, fields):
    resource = ApplicationResource()
    with translation.override(language):
        for native in (False, True):
            reader = resource.row_reader(fields, native=native)
            expected = generic_rows(reviewer, fields, native=native)
            if not native:
                expected = [[spreadsheets.neutralise(cell) for cell in row] for row in expected]
            rows = reader.rows(export_queryset(reviewer, fields), chunk_size=7)
            assert [list(row) for row in rows] == expected
            keys = list(export_queryset(reviewer).values_list("pk", flat=True))[::-1]
            found = reader.by_key(export_queryset(reviewer, fields), keys)
            assert [list(found[pk]) for pk in keys] == expected[::-1]
    # Every kind of cell was met: formulas, empty text, fractions, every status.
    cells = {cell for row in generic_rows(reviewer, native=False) for cell in row}
    assert {"'=1+1 +", "", "'=SCM-0", "angenommen", "zurückgezogen", "Potsdam"} <= {
        spreadsheets.neutralise(c) for c in cells
    }
    assert any("," in cell for cell in cells if cell and cell[0].isdigit())


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_streamed_csv_is_byte_for_byte_the_generic_one(client, applications, reviewer, language):
    reviewer.language = language  # the admin speaks the reviewer's language
    reviewer.save(update_fields=["language"])
    client.force_login(reviewer)
    with translation.override(language):
        expected = generic_csv(reviewer)
        response = post_export(client, "csv", FIELDS)
        assert response.status_code == 200 and response.streaming
        assert b"".join(response.streaming_content) == expected
    assert (
        b"\xef\xbb\xbfReference number;" if language == "en" else b"\xef\xbb\xbfAktenzeichen;"
    ) in expected
    assert expected.startswith("\ufeff".encode()) and expected.count(b"\r\n") >= len(applications) + 1


def test_a_chosen_set_of_columns_too(client, applications, reviewer):
    client.force_login(reviewer)
    fields = ["name", "employer", "requests", "status"]
    response = post_export(client, "csv", fields)
    assert b"".join(response.streaming_content) == generic_csv(reviewer, fields)


def test_the_streamed_xlsx_holds_the_generic_cells(client, applications, reviewer):
    client.force_login(reviewer)
    response = post_export(client, "xlsx", FIELDS)
    expected = spreadsheets.XLSX().export_data(
        ApplicationResource().export(queryset=export_queryset(reviewer), force_native_type=True)
    )
    assert xlsx_cells(b"".join(response.streaming_content)) == xlsx_cells(expected)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_file_built_in_the_worker_is_the_generic_one(
    client, applications, reviewer, settings, tmp_path, file_format, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    settings.PORTAL_EXPORT_BACKGROUND_ROWS = 2
    client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_export(client, file_format, FIELDS)
    job = ExportJob.objects.get()
    assert response.status_code == 302 and job.status == ExportJob.Status.DONE
    content = b"".join(client.get(reverse("exports:download", args=[job.pk])).streaming_content)
    native = file_format == "xlsx"  # as django-import-export's admin asks for a binary format
    dataset = ApplicationResource().export(
        queryset=export_queryset(reviewer, FIELDS), force_native_type=native
    )
    if not native:
        assert content == spreadsheets.CSV().export_data(dataset)
    else:
        assert xlsx_cells(content) == xlsx_cells(spreadsheets.XLSX().export_data(dataset))


def test_a_resource_with_a_dehydrate_method_is_left_to_the_generic_path():
    class Dehydrating(ApplicationResource):
        def dehydrate_name(self, application):
            return "x"

    assert Dehydrating().row_reader(None, native=False) is None
    assert ApplicationResource().row_reader(None, native=False) is not None
