"""Imported people in the data-protection registry: export, erasure, retention."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from certificates import privacy
from certificates.history import pending
from certificates.history.importer import run
from certificates.history.services import register_fingerprint
from certificates.models import Certificate, ImportedEnrollment
from portal.accounts.models import User

from .conftest import COHORTS_CSV, GOOD_ROWS, participants_csv

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def anna(programme, admin_user):
    for content in (COHORTS_CSV, participants_csv(*GOOD_ROWS)):
        run(content, "durchgang-2.csv", programme=programme, by=admin_user, at=timezone.now(), dry_run=False)
    user = User.objects.get(email="anna.alt@example.org")
    certificate = Certificate.objects.get(enrollment__user=user)
    register_fingerprint(
        certificate=certificate,
        content=b"%PDF-1.4 scan",
        file_name="scan-anna-alt.pdf",
        by=admin_user,
        at=timezone.now(),
    )
    return user


def test_export_names_the_import_and_the_fingerprints(anna):
    data = privacy.export(anna).data
    [record] = data["imported_enrollments"]
    assert record["unit"] == "Stabsstelle Digitalisierung" and record["import_file"] == "durchgang-2.csv"
    assert data["registered_fingerprints"][0]["file_name"] == "scan-anna-alt.pdf"


def test_erasure_keeps_the_fingerprint_but_not_what_names_the_person(anna):
    privacy.erase(anna, at=timezone.now())
    record = ImportedEnrollment.objects.get(enrollment__user=anna)
    assert record.unit == ""
    fingerprint = Certificate.objects.get(enrollment__user=anna).fingerprints.get()
    assert fingerprint.file_name == "" and len(fingerprint.sha256) == 64


def test_retention_deletes_unconfirmed_dry_run_files_after_a_day(db):
    token = pending.keep(b"nummer,titel,beginn,ende\n")
    assert privacy.retention(at=timezone.now())["import_files_deleted"] == 0
    later = timezone.now() + dt.timedelta(hours=25)
    assert privacy.retention(at=later)["import_files_deleted"] == 1
    assert not default_storage.exists(f"{pending.FOLDER}/{token}")
    default_storage.save("private/other.txt", ContentFile(b"x"))
