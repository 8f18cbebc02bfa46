"""Account journeys in the browser, each page checked with axe-core (see conftest.py)."""

import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import UserFactory, totp_code

# The live server needs a transactional database. Its flush removes what data migrations
# loaded; tests/conftest.py puts the reference data back, post_migrate the groups.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Stadtentwicklung-2026!"


def link_in_last_mail(path_pattern: str) -> str:
    """The path of the link in the newest mail whose path matches ``path_pattern``."""
    assert mail.outbox, "no mail was sent"
    body = mail.outbox[-1].body
    match = re.search(rf"https?://[^/\s]+({path_pattern})", body)
    assert match, f"no link matching {path_pattern!r} in:\n{body}"
    return match.group(1)


def tab_to(page, target, limit: int = 10) -> None:
    """Press Tab until ``target`` has the focus; fails if the keyboard cannot reach it."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    pytest.fail(f"{target} was not reached with {limit} presses of Tab")


def type_into(page, field, text: str) -> None:
    expect(field).to_be_focused()
    page.keyboard.type(text)


def log_in(page, axe, base_url: str, email: str, password: str, *, open_login: bool = True) -> None:
    """Log in through the portal's form; staff also enter the one-time code of their second factor."""
    if open_login:
        page.goto(base_url + reverse("account_login"))
    axe()
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort", exact=True).fill(password)
    page.get_by_label("Passwort", exact=True).press("Enter")
    page.wait_for_load_state("load")
    if reverse("mfa_authenticate") in page.url:
        axe()
        page.get_by_label("Code").fill(totp_code())
        page.get_by_label("Code").press("Enter")
    if page.locator(".site-header").count():
        expect(page.locator(".site-header")).to_contain_text("Angemeldet als")
    else:  # the admin, where staff were headed
        expect(page.locator("#user-tools")).to_be_visible()
    axe()


def test_sign_up_confirm_log_in_switch_language_and_log_out(page, axe, live_server):
    call_command("seed_demo", stdout=io.StringIO())

    page.goto(live_server.url + reverse("home"))
    expect(page.locator("html")).to_have_attribute("lang", "de")
    axe()

    page.get_by_role("navigation", name="Konto").get_by_role("link", name="Registrieren").click()
    expect(page).to_have_url(live_server.url + reverse("account_signup"))
    axe()

    # Keyboard only: the skip link first, then from the main content into the form.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Zum Inhalt springen")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()
    tab_to(page, page.get_by_label("Vorname"))
    type_into(page, page.get_by_label("Vorname"), "Jörg")
    page.keyboard.press("Tab")
    type_into(page, page.get_by_label("Nachname"), "Müller-Lüdenscheidt")
    page.keyboard.press("Tab")
    type_into(page, page.get_by_label("E-Mail-Adresse"), "joerg@example.org")
    page.keyboard.press("Tab")
    type_into(page, page.get_by_label("Passwort", exact=True), PASSWORD)
    page.keyboard.press("Tab")
    type_into(page, page.get_by_label("Passwort (Wiederholung)"), PASSWORD)
    page.keyboard.press("Enter")

    expect(page).to_have_url(live_server.url + reverse("account_email_verification_sent"))
    axe()

    assert [message.to for message in mail.outbox] == [["joerg@example.org"]]
    page.goto(live_server.url + link_in_last_mail(r"/konto/confirm-email/[^\s]+/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("E-Mail-Adresse bestätigen")
    axe()
    page.get_by_role("button", name="Bestätigen").click()
    expect(page).to_have_url(live_server.url + reverse("account_login") + "?bestaetigt=1")
    expect(page.get_by_role("status")).to_contain_text("joerg@example.org")
    axe()

    page.get_by_label("E-Mail-Adresse").fill("joerg@example.org")
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.get_by_label("Passwort", exact=True).press("Enter")
    header = page.locator(".site-header")
    expect(header).to_contain_text("Angemeldet als Jörg Müller-Lüdenscheidt")
    axe()

    # The language switch is a button in a form; the page comes back in English. The texts
    # themselves stay German until the English catalogue exists, so only lang is checked.
    header.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    axe()

    # Located by its form rather than its label, which will change with the translation.
    header.locator(f"form[action='{reverse('account_logout')}'] button").click()
    expect(page).to_have_url(live_server.url + reverse("home"))
    expect(header).not_to_contain_text("Jörg Müller-Lüdenscheidt")
    expect(header.locator(f"a[href='{reverse('account_login')}']")).to_be_visible()
    axe()


def test_wrong_password_shows_the_german_error_and_keeps_the_email(page, axe, live_server):
    UserFactory(email="erika@example.org")
    page.goto(live_server.url + reverse("account_login"))
    axe()

    page.get_by_label("E-Mail-Adresse").fill("erika@example.org")
    page.get_by_label("Passwort", exact=True).fill("falsch")
    page.get_by_label("Passwort", exact=True).press("Enter")

    expect(page.get_by_role("alert")).to_contain_text(
        "Die E-Mail-Adresse und/oder das Passwort sind leider falsch."
    )
    expect(page.get_by_label("E-Mail-Adresse")).to_have_value("erika@example.org")
    expect(page.get_by_label("Passwort", exact=True)).to_have_value("")
    expect(page.locator(".site-header")).not_to_contain_text("Angemeldet als")
    axe()


def test_sign_up_errors_are_announced_and_tied_to_their_fields(page, axe, live_server):
    page.goto(live_server.url + reverse("account_signup"))
    axe()
    page.get_by_label("Nachname").fill("Müller")
    page.get_by_label("E-Mail-Adresse").fill("keine-adresse")
    page.get_by_label("Nachname").press("Enter")

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Bitte prüfen Sie Ihre Angaben.")
    links = summary.get_by_role("link")
    expect(links).to_have_count(4)  # first name, e-mail, both passwords
    for number in range(links.count()):
        link = links.nth(number)
        field = page.locator(link.get_attribute("href"))
        expect(field).to_have_attribute("aria-invalid", "true")
        error_id = next(i for i in field.get_attribute("aria-describedby").split() if i.endswith("_error"))
        message = page.locator(f"#{error_id}")
        expect(message).to_be_visible()
        expect(link).to_contain_text(message.inner_text().removeprefix("Fehler:").strip())
    expect(page.get_by_label("Nachname")).to_have_value("Müller")
    expect(page.get_by_label("Nachname")).not_to_have_attribute("aria-invalid", "true")
    axe()


def test_password_reset_by_mail(page, axe, live_server):
    user = UserFactory(email="erika@example.org", first_name="Erika", last_name="Muster")
    page.goto(live_server.url + reverse("account_login"))
    axe()
    page.get_by_role("link", name="Passwort vergessen?").click()
    expect(page).to_have_url(live_server.url + reverse("account_reset_password"))
    axe()
    page.get_by_label("E-Mail-Adresse").fill(user.email)
    page.get_by_label("E-Mail-Adresse").press("Enter")
    expect(page).to_have_url(live_server.url + reverse("account_reset_password_done"))
    axe()

    page.goto(live_server.url + link_in_last_mail(r"/konto/password/reset/key/[^\s]+/"))
    expect(page.get_by_label("Neues Passwort", exact=True)).to_be_visible()
    axe()
    page.get_by_label("Neues Passwort", exact=True).fill(PASSWORD)
    page.get_by_label("Neues Passwort (Wiederholung)").fill(PASSWORD)
    page.get_by_label("Neues Passwort (Wiederholung)").press("Enter")
    expect(page).to_have_url(live_server.url + reverse("account_reset_password_from_key_done"))
    axe()

    log_in(page, axe, live_server.url, user.email, PASSWORD)
    expect(page.locator(".site-header")).to_contain_text("Angemeldet als Erika Muster")


def test_account_management_pages(page, axe, live_server):
    user = UserFactory(email="erika@example.org")
    log_in(page, axe, live_server.url, user.email, "ein-sicheres-Passwort-1")

    page.goto(live_server.url + reverse("account_email"))
    account_nav = page.get_by_role("navigation", name="Kontoeinstellungen")
    expect(account_nav.get_by_role("link", name="E-Mail-Adresse")).to_have_attribute("aria-current", "page")
    expect(page.get_by_label("Ändern zu")).to_be_visible()
    axe()

    account_nav.get_by_role("link", name="Passwort").click()
    expect(page).to_have_url(live_server.url + reverse("account_change_password"))
    axe()
    page.get_by_label("Aktuelles Passwort").fill("ein-sicheres-Passwort-1")
    page.get_by_label("Neues Passwort", exact=True).fill(PASSWORD)
    page.get_by_label("Neues Passwort (Wiederholung)").fill(PASSWORD)
    page.get_by_label("Neues Passwort (Wiederholung)").press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Das Passwort wurde geändert.")
    axe()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)

    page.get_by_role("navigation", name="Kontoeinstellungen").get_by_role(
        "link", name="Zwei-Faktor-Authentifizierung"
    ).click()
    expect(page).to_have_url(live_server.url + reverse("mfa_index"))
    axe()

    page.goto(live_server.url + reverse("account_logout"))
    axe()
    page.get_by_role("main").get_by_role("button", name="Abmelden").click()
    expect(page.locator(".site-header")).not_to_contain_text("Angemeldet als")
    axe()
