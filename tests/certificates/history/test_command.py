"""``manage.py import_history``: a dry run unless confirmed; a file with errors fails the command."""

import io

import pytest
from django.core.management import CommandError, call_command

from cohorts.models import Cohort

from .conftest import COHORTS_CSV

pytestmark = pytest.mark.django_db


def _call(*args) -> str:
    out = io.StringIO()
    call_command("import_history", *args, stdout=out)
    return out.getvalue()


def test_command_dry_runs_then_imports(tmp_path, programme, admin_user):
    path = tmp_path / "durchgaenge.csv"
    path.write_bytes(COHORTS_CSV)
    output = _call(str(path), "--user", admin_user.email)
    assert "Zeile 2: neu – Durchgang 1 angelegt" in output and "Probelauf" in output
    assert not Cohort.objects.exists()
    output = _call(str(path), "--user", admin_user.email, "--confirm")
    assert "Importiert." in output and Cohort.objects.count() == 2
    assert "2 unverändert" in _call(str(path), "--user", admin_user.email, "--confirm")


def test_command_fails_on_errors_and_names_row_and_column(tmp_path, programme, admin_user):
    path = tmp_path / "durchgaenge.csv"
    path.write_text("nummer,titel,beginn,ende\n1,Eins,11.10.2021,kein Datum\n", encoding="utf-8")
    with pytest.raises(CommandError):
        _call(str(path), "--user", admin_user.email, "--confirm")
    assert not Cohort.objects.exists()
    with pytest.raises(CommandError, match="Verwaltungsperson"):
        _call(str(path), "--user", "niemand@example.org")


def test_command_takes_the_portals_own_programme_when_another_shares_the_database(
    tmp_path, programme, admin_user
):
    from tests.factories import ProgrammeFactory

    other = ProgrammeFactory(slug="anderes-land", state="09")
    path = tmp_path / "durchgaenge.csv"
    path.write_bytes(COHORTS_CSV)
    assert "Importiert." in _call(str(path), "--user", admin_user.email, "--confirm")
    assert set(Cohort.objects.values_list("programme", flat=True)) == {programme.pk}
    with pytest.raises(CommandError, match="Kein Programm"):
        _call(str(path), "--user", admin_user.email, "--programme", "gibt-es-nicht")
    assert not other.cohorts.exists()
