"""Every page of every role, on a desktop and on two phone widths, as the demo data shows it.

For each page and width the test fails on:
- sideways scrolling of the document (WCAG 1.4.10 Reflow), and on a desktop (1366 px) of a
  table in the portal's own pages;
- a fieldset's legend beside its fields instead of above them;
- text overflowing its box (an element whose content is wider than the element), except in
  the scroll containers meant for wide tables, which must be labelled regions the keyboard
  can reach;
- any axe-core violation of WCAG 2.0/2.1 A and AA and of WCAG 2.2's target size, on every page
  at every width.

The demo data is seeded once for the module and one browser context per role is logged in
once (tests/e2e/layout_site.py); the coordinator's certificates page shows certificates being
made. With ``PORTAL_SCREENSHOTS=<folder>`` every page is also saved as a PNG
(``<folder>/<role>/<width>-<page>.png``): ``make screenshots`` does that for people to look at.
"""

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from portal.accounts.security import DEMO_TOTP_SECRET
from tests.e2e import layout_site
from tests.e2e.conftest import WCAG_AA_TAGS
from tests.e2e.layout_site import ROLES
from tests.factories import totp_code

pytestmark = [pytest.mark.e2e]

WIDTHS = [1366, 390, 320]
# WCAG 2.1 A/AA and, beyond them, WCAG 2.2's target size (2.5.8, axe's "target-size" rule): EN 301
# 549's next edition adopts WCAG 2.2.
LAYOUT_TAGS = [*WCAG_AA_TAGS, "wcag22aa"]
SCREENSHOTS = os.environ.get("PORTAL_SCREENSHOTS", "")

# The site's fixtures (tests/e2e/layout_site.py), used here.
demo_site = layout_site.demo_site
role_pages = layout_site.role_pages

# Role -> the pages that role uses, by a key of ``_paths`` below.
PAGES = {
    "public": [
        "home",
        "cohort_archive",
        "login",
        "signup",
        "password_reset",
        "verify",
        "verify_result",
        "imprint",
        "privacy",
        "accessibility",
    ],
    "applicant": [
        "applications",
        "application_form",
        "application_review",
        "application_submitted",
        "account_email",
        "profile",
        "my_data",
        "delete_account",
    ],
    "participant": ["course", "questionnaires", "questionnaire", "applications", "surveys", "survey"],
    # The network "Know-how-Transfer", as a graduate who belongs to it.
    "member": ["network", "directory", "projects", "project", "threads", "thread", "materials"],
    # admin_index holds the reviewer's queue, admin_application the review page.
    "reviewer": [
        "admin_index",
        "admin_applications",
        "admin_application",
        "admin_overview",
        "admin_export",
        "statistics",
    ],
    "coordinator": [
        "coordination",
        "progress",
        "attendance",
        "schedule",
        "certificates",
        "revoke",
        "admin_index",
        "moderation",
    ],
    "evaluator": ["statistics", "waves"],
    "admin": ["admin_index", "admin_users", "coordination"],
}

CASES = [(role, page, width) for role, pages in PAGES.items() for page in pages for width in WIDTHS]


# The admin index keeps its "recent actions" column in the main column's negative right margin:
# wider content than box by design, and nothing is cut off.
INTENDED_OVERFLOW = "#content.colMS"

# What the layout rules measure in the page (layout_measure.js), with the intended overflow filled in.
MEASURE = (
    Path(__file__)
    .with_name("layout_measure.js")
    .read_text()
    .replace("__INTENDED_OVERFLOW__", INTENDED_OVERFLOW)
)


# (role, start page after logging in, header links shown, header links not shown)
START_PAGES = [
    (
        "applicant",
        "applications:dashboard",
        ["Meine Bewerbungen"],
        ["Mein Kurs", "Koordination", "Auswertung"],
    ),
    ("participant", "modules:dashboard", ["Mein Kurs", "Meine Bewerbungen"], ["Koordination", "Verwaltung"]),
    (
        "reviewer",
        "admin:applications_application_changelist",
        ["Verwaltung", "Auswertung"],
        ["Meine Bewerbungen", "Mein Kurs", "Koordination"],
    ),
    (
        "coordinator",
        "modules:coordination",
        ["Koordination", "Verwaltung"],
        ["Meine Bewerbungen", "Mein Kurs"],
    ),
    # Evaluators edit the questionnaires of the waves in the admin.
    ("evaluator", "evaluation:dashboard", ["Auswertung", "Verwaltung"], ["Meine Bewerbungen", "Mein Kurs"]),
    ("admin", "admin:index", ["Koordination", "Verwaltung"], ["Meine Bewerbungen", "Mein Kurs"]),
]


# No django_db mark: the module's demo site has the database open for all of its tests, which run
# after every database test of the suite (a marked test here would pull the module's set-up, and
# the flush that ends it, between them).
def test_each_role_starts_on_its_own_page_and_sees_only_the_links_it_can_use(demo_site):
    import re

    from django.test import Client

    for role, start, shown, hidden in START_PAGES:
        client = Client()
        response = client.post(
            reverse("account_login"), {"login": ROLES[role], "password": "Demo-Passwort-2026"}
        )
        if response.status_code == 302 and response.url.startswith(reverse("mfa_authenticate")):
            response = client.post(reverse("mfa_authenticate"), {"code": totp_code(DEMO_TOTP_SECRET)})
        assert response.status_code == 302, role
        assert response.url == reverse(start), role
        page = client.get(reverse("imprint"))
        header = re.search(r'<header class="site-header">.*?</header>', page.content.decode(), re.S).group(0)
        links = re.findall(r"<a [^>]*>([^<]+)</a>", header)
        for name in shown:
            assert name in links, f"{role} misses {name!r} in {links}"
        for name in hidden:
            assert name not in links, f"{role} sees {name!r}, which it cannot use"


@pytest.mark.parametrize(("role", "page_key", "width"), CASES, ids=[f"{r}-{p}-{w}" for r, p, w in CASES])
def test_page_reflows_and_passes_axe(role_pages, demo_site, role, page_key, width):
    base_url, paths = demo_site
    page = role_pages(role)
    page.set_viewport_size({"width": width, "height": 900})
    response = page.goto(base_url + paths[page_key])
    assert response is not None and response.status < 400, (
        f"{paths[page_key]}: {response and response.status}"
    )
    page.wait_for_load_state("load")
    if SCREENSHOTS:
        folder = Path(SCREENSHOTS) / role
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{width}-{page_key}.png"), full_page=True)

    measured = page.evaluate(MEASURE)
    problems = []
    if measured["documentWidth"] > measured["viewport"]:
        problems.append(
            f"the page is {measured['documentWidth']} px wide in a {measured['viewport']} px window; "
            f"past its edge: {measured['protruding']}"
        )
    if width == 1366 and not page_key.startswith("admin"):
        problems += [f"a table is cut off on a desktop: {item}" for item in measured["scrolling"]]
    problems += [f"legend beside its field: {item}" for item in measured["legends"]]
    problems += [f"text overflows its box: {item}" for item in measured["overflowing"]]
    problems += [
        f"scroll container without a label, role=region or tabindex: {item}"
        for item in measured["unlabelledScrollers"]
    ]
    results = Axe().run(
        page, options={"runOnly": {"type": "tag", "values": LAYOUT_TAGS}, "resultTypes": ["violations"]}
    )
    if results.violations_count:
        problems.append(results.generate_report())
    assert not problems, f"{role} {paths[page_key]} at {width} px:\n" + "\n".join(problems)


def test_on_a_phone_the_header_links_fold_into_a_menu(role_pages, demo_site):
    from playwright.sync_api import expect

    base_url, paths = demo_site
    page = role_pages("coordinator")
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(base_url + paths["coordination"])
    menu_button = page.get_by_role("button", name="Menü")
    coordination = page.locator(".site-header").get_by_role("link", name="Koordination")
    expect(menu_button).to_have_attribute("aria-expanded", "false")
    expect(coordination).to_be_hidden()
    header_height = page.locator(".site-header").bounding_box()["height"]
    assert header_height < 200, f"the closed header is {header_height} px high"

    menu_button.click()
    expect(menu_button).to_have_attribute("aria-expanded", "true")
    expect(coordination).to_be_visible()
    expect(coordination).to_have_attribute("aria-current", "page")
    page.keyboard.press("Escape")
    expect(coordination).to_be_hidden()
    expect(menu_button).to_be_focused()

    page.set_viewport_size({"width": 1366, "height": 900})
    expect(menu_button).to_be_hidden()
    expect(coordination).to_be_visible()
