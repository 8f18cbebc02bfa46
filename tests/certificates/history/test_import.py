"""The import of earlier cohorts: dry run, confirmation, idempotence and municipality matching."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from certificates import selectors
from certificates.history.importer import run
from certificates.models import Certificate, ImportedEnrollment, ImportRun
from cohorts.models import Cohort, Enrollment
from modules.models import Attendance, Session
from portal.accounts.models import User
from portal.mail.models import OutboxMessage

from .conftest import COHORTS_CSV, GOOD_ROWS, participants_csv

pytestmark = pytest.mark.django_db


def _import(content, name, programme, by, *, dry_run=False):
    return run(content, name, programme=programme, by=by, at=timezone.now(), dry_run=dry_run)


def _snapshot():
    return {
        model.__name__: sorted(model.objects.values_list("pk", flat=True))
        for model in (Cohort, User, Enrollment, Attendance, Session, Certificate, ImportedEnrollment)
    } | {"codes": sorted(Certificate.objects.values_list("number", "verification_code", "sequence"))}


def test_dry_run_reports_every_row_and_writes_nothing(programme, admin_user):
    before = _snapshot()
    report = _import(COHORTS_CSV, "durchgaenge.csv", programme, admin_user, dry_run=True)
    assert report.ok and not report.written
    assert [(r.line, r.outcome) for r in report.rows] == [(2, "created"), (3, "created")]
    assert _snapshot() == before
    assert not ImportRun.objects.exists()


def test_import_then_reimport_changes_nothing(programme, admin_user):
    assert _import(COHORTS_CSV, "durchgaenge.csv", programme, admin_user).written
    report = _import(participants_csv(*GOOD_ROWS), "durchgang-2.csv", programme, admin_user)
    assert report.written, report.errors
    assert [r.outcome for r in report.rows] == ["created", "created"]
    anna = Certificate.objects.get(number="SCM-2022-2-0001")
    assert anna.holder_name == "Dr. Anna Alt" and anna.issued_on == dt.date(2022, 6, 30)
    assert anna.status == Certificate.Status.ISSUED and anna.imported.run is not None
    assert anna.enrollment.imported.unit == "Stabsstelle Digitalisierung"
    assert anna.enrollment.imported.completed_on == dt.date(2022, 6, 24)
    assert Attendance.objects.filter(enrollment=anna.enrollment, status="excused").count() == 1
    ben = Certificate.objects.get(number="SCM-2022-2-0002")
    assert ben.holder_name == "Ben Berg" and ben.municipality_name == "Golzow"
    assert ben.enrollment.municipality.district == "Märkisch-Oderland"
    # No mail to imported people, and no usable password until they claim their account.
    assert not mail.outbox and not OutboxMessage.objects.exists()
    assert not User.objects.get(email="anna.alt@example.org").has_usable_password()

    before = _snapshot()
    again = _import(participants_csv(*GOOD_ROWS), "durchgang-2.csv", programme, admin_user)
    assert again.written and [r.outcome for r in again.rows] == ["unchanged", "unchanged"]
    assert _import(COHORTS_CSV, "durchgaenge.csv", programme, admin_user).counts["unchanged"] == 2
    assert _snapshot() == before


def test_verification_finds_the_imported_certificate_by_number_and_code(programme, admin_user):
    _import(COHORTS_CSV, "d.csv", programme, admin_user)
    _import(participants_csv(*GOOD_ROWS), "t.csv", programme, admin_user)
    certificate = Certificate.objects.get(number="SCM-2022-2-0001")
    assert len(certificate.verification_code) == 8
    assert selectors.find("scm-2022-2-0001", certificate.verification_code.lower()) == certificate
    assert selectors.find("SCM-2022-2-0001", "AAAAAAAA") is None


@pytest.mark.parametrize(
    ("cells", "column", "words"),
    [
        (",Golzow,,", "F", "Märkisch-Oderland, Potsdam-Mittelmark"),
        (",Mittenwalde,,", "F", "Dahme-Spreewald, Uckermark"),
        (",Golzow,Oberhavel,", "G", "Märkisch-Oderland"),
        ("12999999,,,", "E", "12999999"),
        (",Atlantis,,", "F", "Atlantis"),
    ],
)
def test_ambiguous_or_unknown_municipalities_are_refused_with_the_column(
    programme, admin_user, cells, column, words
):
    _import(COHORTS_CSV, "d.csv", programme, admin_user)
    row = f"2,cora.carl@example.org,Cora,Carl,{cells}anwesend,,,,,,,,"
    report = _import(participants_csv(row), "t.csv", programme, admin_user)
    assert not report.written
    [error] = report.errors
    assert (error.line, error.column) == (2, column)
    assert words in error.message
    assert not User.objects.filter(email="cora.carl@example.org").exists()


def test_ambiguous_name_with_district_or_ags_is_matched(programme, admin_user):
    _import(COHORTS_CSV, "d.csv", programme, admin_user)
    rows = [
        "2,a@example.org,A,A,,Mittenwalde,Uckermark,,,,,,,,,,",
        "2,b@example.org,B,B,,mittenwalde , dahme-spreewald,,,,,,,,,,",
    ]
    report = _import(participants_csv(*rows), "t.csv", programme, admin_user)
    assert report.written, report.errors
    districts = [
        Enrollment.objects.get(user__email=e).municipality.district
        for e in ("a@example.org", "b@example.org")
    ]
    assert districts == ["Uckermark", "Dahme-Spreewald"]


def test_errors_name_row_column_and_reason_and_nothing_is_written(programme, admin_user):
    _import(COHORTS_CSV, "d.csv", programme, admin_user)
    rows = [
        GOOD_ROWS[0],
        "2,anna.alt@example.org,Anna,Alt,12054000,,,,,,,,,,,,",  # the same person twice
        "2,dora@example.org,Do\u202era,Dorn,12054000,,,,,,,,,,SCM-2022-2-0009,31.06.2022,",
        "9,eva@example.org,Eva,Ernst,12054000,,,,vielleicht,,,,,,,,",
    ]
    before = _snapshot()
    report = _import(participants_csv(*rows), "t.csv", programme, admin_user)
    found = {(e.line, e.column) for e in report.errors}
    assert found == {(3, "B"), (4, "C"), (4, "P"), (5, "A"), (5, "I")}
    messages = " ".join(e.message for e in report.errors)
    assert "Zeile 2" in messages and "U+202E" in messages and "31.06.2022" in messages
    assert not report.written and _snapshot() == before


def test_imported_people_without_an_account_are_in_the_pseudonymised_evaluation_export(programme, admin_user):
    from evaluation.disclosure import pseudonym
    from evaluation.export_rows import person_export

    _import(COHORTS_CSV, "d.csv", programme, admin_user)
    _import(participants_csv(*GOOD_ROWS), "t.csv", programme, admin_user)
    table = person_export()
    rows = [dict(zip(table.columns, row, strict=True)) for row in table.rows]
    anna = User.objects.get(email="anna.alt@example.org")
    assert pseudonym(anna.pk) in {row["pseudonym"] for row in rows}
    assert not any("anna.alt" in str(value) or "Alt" == value for row in rows for value in row.values())
