"""The second copy of a certificate issued before the portal, and registered fingerprints."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from pypdf import PdfReader

from certificates import openbadges, selectors
from certificates.history.importer import run
from certificates.history.second_copy import issue_second_copy
from certificates.history.services import register_fingerprint
from certificates.models import Certificate
from certificates.proof import embedded_files
from certificates.seal import check_seal
from tests.certificates.pdf_checks import validator_failures

from .conftest import COHORTS_CSV, GOOD_ROWS, participants_csv

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def imported(programme, admin_user):
    for content in (COHORTS_CSV, participants_csv(*GOOD_ROWS)):
        assert run(
            content, "f.csv", programme=programme, by=admin_user, at=timezone.now(), dry_run=False
        ).written
    return Certificate.objects.get(number="SCM-2022-2-0001")


def test_second_copy_is_sealed_marked_and_carries_the_original_number_and_date(imported, admin_user):
    with pytest.raises(ValidationError):
        issue_second_copy(certificate=imported, by=admin_user, at=timezone.now(), consent=False)
    copy = issue_second_copy(certificate=imported, by=admin_user, at=timezone.now(), consent=True)
    assert copy.number == "SCM-2022-2-0001" and copy.issued_on == dt.date(2022, 6, 30)
    content = copy.pdf.read()
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "Zweitschrift" in text and "SCM-2022-2-0001" in text and "30.06.2022" in text
    assert check_seal(content).valid
    assert validator_failures(content) == {"3a": [], "ua1": []}
    result = selectors.check_file(content)
    assert result.verdict == selectors.Verdict.ORIGINAL and result.certificate == imported

    credential = openbadges.verify_token(copy.credential_jwt)
    assert "Zweitschrift" in credential["name"] and "SCM-2022-2-0001" in credential["name"]
    assert credential["validFrom"].startswith("2022-06-29T22:00:00")  # 30.06.2022, 00:00 in Berlin
    assert "30.06.2022" in credential["evidence"][0]["narrative"]
    assert any(name.endswith(".jwt") for name in embedded_files(content))
    # A second request gives the same second copy.
    again = issue_second_copy(certificate=copy, by=admin_user, at=timezone.now(), consent=True)
    assert again.sha256 == copy.sha256


def test_a_portal_certificate_gets_no_second_copy_and_no_fingerprint(imported, admin_user):
    imported.imported.delete()
    imported.refresh_from_db()
    with pytest.raises(ValidationError):
        issue_second_copy(certificate=imported, by=admin_user, at=timezone.now(), consent=True)
    with pytest.raises(ValidationError):
        register_fingerprint(
            certificate=imported, content=b"%PDF-1.4", file_name="x.pdf", by=admin_user, at=timezone.now()
        )


def test_a_registered_scan_is_unchanged_for_exactly_its_bytes(imported, admin_user):
    scan = b"%PDF-1.4\n% scan of the paper certificate\n%%EOF\n"
    register_fingerprint(
        certificate=imported, content=scan, file_name="scan.pdf", by=admin_user, at=timezone.now()
    )
    assert selectors.check_file(scan).verdict == selectors.Verdict.ORIGINAL
    assert selectors.check_file(scan).certificate == imported
    assert selectors.check_file(scan + b" ").verdict != selectors.Verdict.ORIGINAL
    with pytest.raises(ValidationError):
        register_fingerprint(
            certificate=imported, content=scan, file_name="again.pdf", by=admin_user, at=timezone.now()
        )
