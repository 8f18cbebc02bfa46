"""The profile in the browser: the name on the certificate and the e-mail settings: a person turns reminders off; every page checked with axe-core."""

import pytest
from playwright.sync_api import expect

from portal.accounts.models import User
from tests.factories import UserFactory

from .test_account_journeys import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_turn_reminders_off_in_the_mail_settings(page, axe, live_server):
    UserFactory(email="erika@example.org", first_name="Erika", last_name="Muster")
    log_in(page, axe, live_server.url, "erika@example.org", "ein-sicheres-Passwort-1")
    page.get_by_role("navigation", name="Konto").get_by_role("link", name="Profil").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Profil")
    expect(page.get_by_role("group", name="Ihr Name auf dem Zertifikat")).to_be_visible()
    expect(page.get_by_role("group", name="E-Mail-Einstellungen")).to_be_visible()
    expect(
        page.get_by_role("navigation", name="Kontoeinstellungen").get_by_role("link", name="Profil")
    ).to_have_attribute("aria-current", "page")
    axe()
    page.get_by_label("Keine Erinnerungen per E-Mail schicken").check()
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("status")).to_contain_text("Ihre Einstellungen wurden gespeichert.")
    expect(page.get_by_label("Keine Erinnerungen per E-Mail schicken")).to_be_checked()
    axe()
    assert User.objects.get(email="erika@example.org").reminders_opt_out is True
