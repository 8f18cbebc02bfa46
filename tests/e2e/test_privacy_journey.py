"""Meine Daten in the browser: download everything, then delete the account; every page checked with axe-core."""

import io
import json
import re
import zipfile

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from applications.models import Application
from portal.accounts.models import User
from tests.factories import CohortFactory, UserFactory

from .test_account_journeys import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "ein-sicheres-Passwort-1"  # the factory's


def test_download_my_data_and_delete_the_account(page, axe, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    user = UserFactory(email="lea@example.org", first_name="Lea", last_name="Lüdtke")
    Application.objects.create(cohort=CohortFactory(), applicant=user, motivation="Ich möchte lernen.")

    log_in(page, axe, live_server.url, "lea@example.org", PASSWORD)
    page.get_by_role("navigation", name="Konto").get_by_role("link", name="Konto").click()
    axe()
    page.get_by_role("navigation", name="Kontoeinstellungen").get_by_role("link", name="Meine Daten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Meine Daten")
    axe()

    with page.expect_download() as download:
        page.get_by_role("link", name="Meine Daten herunterladen (ZIP)").click()
    archive = zipfile.ZipFile(io.BytesIO(open(download.value.path(), "rb").read()))
    (application,) = json.loads(archive.read("bewerbungen.json"))["applications"]
    assert application["motivation"] == "Ich möchte lernen."

    page.get_by_role("link", name="Zur Löschung des Kontos").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Konto löschen")
    axe()
    # Submitted empty: the errors are listed at the top, each linked to its field.
    page.get_by_role("button", name="Konto endgültig löschen").click()
    expect(page.get_by_role("alert")).to_contain_text("Bitte geben Sie Ihr Passwort ein.")
    axe()
    page.get_by_role("alert").get_by_role(
        "link", name="Ihr Passwort: Bitte geben Sie Ihr Passwort ein."
    ).click()
    expect(page.get_by_label("Ihr Passwort")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.get_by_label("Ich möchte mein Konto löschen", exact=False).check()
    page.get_by_role("button", name="Konto endgültig löschen").click()

    # (The browser keeps the #id_password of the error link through the redirect.)
    expect(page).to_have_url(re.compile(re.escape(live_server.url + reverse("home")) + "(#.*)?$"))
    expect(page.get_by_role("status")).to_contain_text("Ihr Konto und Ihre Daten sind gelöscht.")
    expect(page.locator(".site-header")).not_to_contain_text("Angemeldet als")
    axe()
    assert not User.objects.filter(email="lea@example.org").exists()
