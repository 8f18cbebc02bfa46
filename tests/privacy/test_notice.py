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


def test_the_notice_names_the_feedback_forms_data_and_its_configured_period(client, settings):
    settings.PORTAL_FEEDBACK_RETENTION_MONTHS = 9
    html = client.get(reverse("privacy")).content.decode()
    assert 'id="rueckmeldungen"' in html
    assert "Ihren Namen und Ihre E-Mail-Adresse" in html and "Schlichtungsverfahren" in html
    assert "Nach 9 Monaten löschen wir die Meldung" in html
    assert "Rechtsgrundlage ist Art. 6 Abs. 1 lit. c DSGVO" in html and "(BbgBITV)" in html
    # The form links to that part of the notice.
    assert (
        f'href="{reverse("privacy")}#rueckmeldungen"' in client.get(reverse("accessibility")).content.decode()
    )

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(reverse("privacy")).content.decode()
    assert "If you report a barrier to us with the form in the accessibility statement" in english
    assert "We delete the report after 9 months" in english
    assert "The legal basis is Art. 6(1)(c) GDPR" in english


def test_my_data_says_reports_of_barriers_are_in_the_download_and_for_how_long(client, settings):
    from tests.factories import UserFactory

    settings.PORTAL_FEEDBACK_RETENTION_MONTHS = 9
    client.force_login(UserFactory())
    html = client.get(reverse("my_data")).content.decode()
    assert "Rückmeldungen zur Barrierefreiheit, die Sie mit einer Ihrer bestätigten E-Mail-Adressen" in html
    assert "wir löschen sie 9 Monate nach ihrem Eingang oder mit Ihrem Konto" in html
