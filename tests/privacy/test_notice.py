"""The privacy notice tells people what the portal does with export, deletion and retention."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_notice_explains_download_deletion_and_the_configured_period(client, settings):
    settings.PORTAL_RETENTION_MONTHS = 18
    html = client.get(reverse("privacy")).content.decode()
    assert "18 Monate nach dem Ende des Schulungsdurchgangs" in html
    assert "„Meine Daten“" in html and "ZIP-Datei" in html
    assert "Art. 17 DSGVO" in html and "sperren wir Ihr Konto sofort" in html
    assert "Angaben zu ausgestellten Zertifikaten (Nummer, Name, Kommune, Durchgang, Datum)" in html
