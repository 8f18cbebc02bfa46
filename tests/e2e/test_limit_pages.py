"""The pages a throttled visitor sees: the portal's layout, German or English, accessible, and
readable on a phone."""

import os

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("PORTAL_SCREENSHOTS")  # a folder: save what the test saw, for looking


def submit_login(page, email: str, password: str) -> None:
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_load_state("load")


def look(page, axe, name: str) -> None:
    """axe-core at desktop width, then no sideways scrolling at 390 and 320 px."""
    axe()
    for width in (1366, 390, 320):
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name} scrolls sideways at {width} px"
        if SCREENSHOTS and width != 320:
            page.screenshot(path=f"{SCREENSHOTS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


@pytest.mark.parametrize(("language", "heading"), [("de", "Zu viele Anfragen"), ("en", "Too many requests")])
def test_too_many_sign_in_attempts_show_the_portals_page(page, axe, live_server, settings, language, heading):
    settings.ACCOUNT_RATE_LIMITS = {"login": "2/m/ip", "login_failed": "20/m/ip"}
    if language == "en":
        page.context.add_cookies([{"name": "portal_language", "value": "en", "url": live_server.url}])
    page.goto(live_server.url + reverse("account_login"))
    axe()
    for _ in range(3):
        submit_login(page, "niemand@example.org", "falsch-falsch")
        if page.locator("h1", has_text=heading).count():
            break
        axe()
    expect(page.locator("h1")).to_have_text(heading)
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("main#inhalt")).to_be_visible()
    expect(page.locator(".site-header")).to_be_visible()
    look(page, axe, f"429-{language}")


def test_the_login_lockout_page_is_the_portals_page(page, axe, live_server, settings):
    settings.AXES_FAILURE_LIMIT = 2
    UserFactory(email="ziel@example.org")
    page.goto(live_server.url + reverse("account_login"))
    axe()
    submit_login(page, "ziel@example.org", "falsch-falsch")
    axe()
    submit_login(page, "ziel@example.org", "falsch-falsch")
    expect(page.locator("h1")).to_have_text("Anmeldung vorübergehend gesperrt")
    expect(page.locator("main#inhalt")).to_contain_text("30 Minuten")
    look(page, axe, "locked-out-de")
