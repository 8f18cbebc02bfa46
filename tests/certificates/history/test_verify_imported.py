"""The public verification page says when a certificate was issued before the portal, and when
its digital version is a second copy of the original."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from certificates.history.importer import run
from certificates.history.services import register_fingerprint
from certificates.models import Certificate, ImportedCertificate

from .conftest import COHORTS_CSV, GOOD_ROWS, participants_csv

pytestmark = pytest.mark.django_db

BEFORE = "Dieses Zertifikat wurde vor Einführung des Portals ausgestellt und nachträglich erfasst."
COPY = "Seine digitale Fassung (PDF und Nachweis) ist eine Zweitschrift des Originals vom 30.06.2022."


@pytest.fixture
def imported(programme, admin_user):
    for content in (COHORTS_CSV, participants_csv(*GOOD_ROWS)):
        run(content, "f.csv", programme=programme, by=admin_user, at=timezone.now(), dry_run=False)
    return Certificate.objects.get(number="SCM-2022-2-0001")


def verify(client, certificate):
    return client.get(
        reverse("certificates:verify"), {"nummer": certificate.number, "code": certificate.verification_code}
    ).text


def test_an_imported_certificate_says_so_and_a_second_copy_names_the_original_date(client, imported):
    page = verify(client, imported)
    assert "Das Zertifikat ist gültig." in page and BEFORE in page and "Zweitschrift" not in page
    ImportedCertificate.objects.filter(certificate=imported).update(second_copy_at=timezone.now())
    page = verify(client, imported)
    assert BEFORE in page and COPY in page


def test_a_registered_scan_checked_as_a_file_says_so_too(client, imported, admin_user):
    scan = b"%PDF-1.4\n% scan of the paper certificate\n%%EOF\n"
    register_fingerprint(
        certificate=imported, content=scan, file_name="scan.pdf", by=admin_user, at=timezone.now()
    )
    page = client.post(reverse("certificates:verify"), {"datei": SimpleUploadedFile("s.pdf", scan)}).text
    assert "SCM-2022-2-0001" in page and BEFORE in page


def test_a_certificate_of_the_portal_says_nothing_of_the_kind(client, imported):
    ImportedCertificate.objects.filter(certificate=imported).delete()
    page = verify(client, imported)
    assert "Das Zertifikat ist gültig." in page and BEFORE not in page and "Zweitschrift" not in page
