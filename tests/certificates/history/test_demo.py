"""The demo: cohorts 1 to 3 imported, and the acceptance walk's file with exactly two errors."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from certificates.demo import WALK_FILE
from certificates.history.importer import run
from certificates.models import Certificate, ImportedEnrollment, ImportRun
from cohorts.models import Programme
from portal.accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_demo_imports_the_early_cohorts_once_and_its_walk_file_has_two_errors_until_fixed(client):
    output = _seed()
    assert "Durchgänge 1–3" in output and WALK_FILE.name in output
    assert ImportedEnrollment.objects.filter(enrollment__cohort__number=1).count() == 15
    assert (
        ImportedEnrollment.objects.filter(enrollment__cohort__number=1, completed_on__isnull=False).count()
        == 15
    )
    runs = ImportRun.objects.count()
    _seed()
    assert ImportRun.objects.count() == runs

    programme = Programme.objects.get(slug="smart-city-manager")
    admin = User.objects.get(email="admin@example.org")
    content = WALK_FILE.read_bytes()
    report = run(content, WALK_FILE.name, programme=programme, by=admin, at=timezone.now())
    assert [(e.line, e.column, e.header) for e in report.errors] == [
        (6, "F", "kommune"),
        (7, "P", "ausgestellt_am"),
    ]
    fixed = content.replace(b";Brandenburg adH;", b";Brandenburg an der Havel;").replace(
        b"31.06.2022", b"30.06.2022"
    )
    report = run(fixed, WALK_FILE.name, programme=programme, by=admin, at=timezone.now(), dry_run=False)
    assert report.written and report.counts["created"] == 6
    certificate = Certificate.objects.get(number="SCM-2022-2-0017")
    response = client.get(
        reverse("certificates:verify"), {"nummer": certificate.number, "code": certificate.verification_code}
    )
    assert "Dr. Ilka Brandt" in response.text and certificate.number in response.text
    again = run(fixed, WALK_FILE.name, programme=programme, by=admin, at=timezone.now(), dry_run=False)
    assert again.counts["unchanged"] == 6
