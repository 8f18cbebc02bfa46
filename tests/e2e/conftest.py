"""Browser tests: Playwright drives Debian's chromium against pytest-django's live server.

No browser is ever downloaded; the tests use the system chromium at ``CHROMIUM``. Every page a
test visits is checked with axe-core against WCAG 2.0/2.1 A and AA, and a test fails if it
loaded a page that it did not check.
"""

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

# Playwright's sync API runs an asyncio event loop in the test thread for as long as the
# browser lives; Django refuses database access from such a thread unless told otherwise.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        if os.environ.get("PORTAL_REQUIRE_SERVICES") == "1":
            pytest.fail(f"{CHROMIUM} is missing; install Debian's chromium (make system-deps).")
        pytest.skip(f"{CHROMIUM} is missing (make system-deps installs it)")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture
def page(page):
    page.set_default_timeout(15_000)
    return page


class AccessibilityAudit:
    """Runs axe-core on the current page and remembers which page loads were checked."""

    def __init__(self, page):
        self.page = page
        self.axe = Axe()
        self.loaded: list[str] = []
        self.checked: set[int] = set()
        page.on("load", lambda loaded_page: self.loaded.append(loaded_page.url))

    def __call__(self) -> None:
        self.page.wait_for_load_state("load")
        self.checked.add(len(self.loaded))
        results = self.axe.run(
            self.page,
            options={"runOnly": {"type": "tag", "values": WCAG_AA_TAGS}, "resultTypes": ["violations"]},
        )
        if results.violations_count:
            pytest.fail(
                f"axe-core found WCAG A/AA violations on {self.page.url}:\n{results.generate_report()}"
            )

    def unchecked(self) -> list[str]:
        return [url for number, url in enumerate(self.loaded, start=1) if number not in self.checked]


@pytest.fixture
def axe(page):
    """Call ``axe()`` after every page load; the test fails if a loaded page went unchecked."""
    audit = AccessibilityAudit(page)
    yield audit
    unchecked = audit.unchecked()
    assert not unchecked, f"pages loaded without an accessibility check: {unchecked}"
