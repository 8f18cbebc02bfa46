"""Importing an earlier cohort in the browser, from the demo: the admin's dry run of the demo file
shows its two errors, the fixed file is imported, a graduate's certificate is verified by its
original number and the code generated at import, and importing again changes nothing.

Every page loaded is checked with axe-core (see conftest.py).
"""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from certificates.demo import WALK_FILE
from certificates.models import Certificate
from portal.accounts.security import DEMO_TOTP_SECRET
from portal.demo import DEMO_PASSWORD
from tests.factories import totp_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _log_in_as_admin(page, axe, base_url):
    page.goto(base_url + reverse("account_login"))
    axe()
    page.get_by_label("E-Mail-Adresse").fill("admin@example.org")
    page.get_by_label("Passwort", exact=True).fill(DEMO_PASSWORD)
    page.get_by_label("Passwort", exact=True).press("Enter")
    page.wait_for_load_state("load")
    axe()
    page.get_by_label("Code").fill(totp_code(DEMO_TOTP_SECRET))
    page.get_by_label("Code").press("Enter")
    page.wait_for_load_state("load")
    axe()


def _dry_run(page, axe, path):
    page.get_by_label("Datei (CSV oder XLSX)").set_input_files(str(path))
    page.get_by_role("button", name="Probelauf starten").click()
    page.wait_for_load_state("load")
    axe()


def test_admin_dry_run_fix_import_and_the_graduate_verifies(page, axe, browser, live_server, tmp_path):
    call_command("seed_demo", stdout=io.StringIO())
    _log_in_as_admin(page, axe, live_server.url)
    page.goto(live_server.url + reverse("admin:certificates_importrun_import"))
    axe()

    _dry_run(page, axe, WALK_FILE)
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Fehler in der Datei: 2. Nichts wurde gespeichert.")
    expect(summary).to_contain_text("Zeile 6, Spalte F (kommune)")
    expect(summary).to_contain_text("„Brandenburg adH“")
    expect(summary).to_contain_text("Zeile 7, Spalte P (ausgestellt_am)")
    expect(page.get_by_role("button", name="Jetzt importieren")).to_have_count(0)
    assert not Certificate.objects.filter(number="SCM-2022-2-0017").exists()

    fixed = tmp_path / "durchgang-2.csv"
    content = WALK_FILE.read_bytes().replace(b";Brandenburg adH;", b";Brandenburg an der Havel;")
    fixed.write_bytes(content.replace(b"31.06.2022", b"30.06.2022"))
    _dry_run(page, axe, fixed)
    expect(page.get_by_role("status")).to_contain_text("6 neu, 0 geändert, 0 unverändert.")
    page.get_by_role("button", name="Jetzt importieren").click()
    page.wait_for_load_state("load")
    axe()
    expect(page.get_by_role("status")).to_contain_text("Importiert.")
    page.get_by_role("link", name="Briefe mit Prüfcode").click()
    page.wait_for_load_state("load")
    axe()
    letter = page.locator("article.letter", has_text="Dr. Ilka Brandt")
    number = letter.locator(".letter-number").inner_text()
    code = letter.locator(".letter-code").inner_text()
    assert number == "SCM-2022-2-0017" and len(code) == 8

    graduate = browser.new_page()
    graduate.goto(live_server.url + reverse("certificates:verify"))
    graduate.get_by_label("Zertifikatsnummer").fill(number)
    graduate.get_by_label("Prüfcode").fill(code)
    graduate.get_by_label("Prüfcode").press("Enter")
    graduate.wait_for_load_state("load")
    expect(graduate.locator("main")).to_contain_text("Dr. Ilka Brandt")
    expect(graduate.locator("main")).to_contain_text("Das Zertifikat ist gültig.")
    graduate.close()

    page.goto(live_server.url + reverse("admin:certificates_importrun_import"))
    axe()
    _dry_run(page, axe, fixed)
    expect(page.get_by_role("status")).to_contain_text("0 neu, 0 geändert, 6 unverändert.")
    page.get_by_role("button", name="Jetzt importieren").click()
    page.wait_for_load_state("load")
    axe()
    expect(page.get_by_role("status")).to_contain_text("0 neu, 0 geändert, 6 unverändert.")
    assert Certificate.objects.get(number=number).verification_code == code
