"""Every page of every role, on a desktop and on two phone widths, as the demo data shows it.

For each page and width the test fails on:
- sideways scrolling of the document (WCAG 1.4.10 Reflow), and on a desktop (1366 px) of a
  table in the portal's own pages;
- a fieldset's legend beside its fields instead of above them;
- text overflowing its box (an element whose content is wider than the element), except in
  the scroll containers meant for wide tables, which must be labelled regions the keyboard
  can reach;
- any axe-core violation of WCAG 2.0/2.1 A and AA and of WCAG 2.2's target size (at 1366 px on every page, at 390 px where
  ``runs_axe`` says).

The demo data is seeded once for the module and one browser context per role is logged in
once. With ``PORTAL_SCREENSHOTS=<folder>`` every page is also saved as a PNG
(``<folder>/<role>/<width>-<page>.png``): ``make screenshots`` does that for people to look at.
"""

import datetime as dt
import io
import os
from pathlib import Path
from unittest import mock

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

import modules.views
from portal.accounts.security import DEMO_TOTP_SECRET
from tests.e2e.conftest import WCAG_AA_TAGS
from tests.factories import totp_code

pytestmark = [pytest.mark.e2e]

WIDTHS = [1366, 390, 320]
# WCAG 2.1 A/AA and, beyond them, WCAG 2.2's target size (2.5.8, axe's "target-size" rule): EN 301
# 549's next edition adopts WCAG 2.2.
LAYOUT_TAGS = [*WCAG_AA_TAGS, "wcag22aa"]
SCREENSHOTS = os.environ.get("PORTAL_SCREENSHOTS", "")

# Role -> demo account (seed_demo); None browses without an account.
ROLES = {
    "public": None,
    "applicant": "bewerberin@example.org",
    "participant": "teilnehmer@example.org",
    "reviewer": "pruefung@example.org",
    "coordinator": "koordination@example.org",
    "evaluator": "evaluation@example.org",
    "admin": "admin@example.org",
}

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
    ],
    "evaluator": ["statistics", "waves"],
    "admin": ["admin_index", "admin_users", "coordination"],
}

CASES = [(role, page, width) for role, pages in PAGES.items() for page in pages for width in WIDTHS]


def runs_axe(role: str, page: str, width: int) -> bool:
    """axe-core at 1366 px on every page. At 390 px on every page of the roles that use a phone
    (the public, applicants, participants), and on the first page of the other roles, where the
    phone header and its menu are the same on every page. At 320 px the layout rules alone: the
    axe run is the slow part of the test."""
    if width == 1366:
        return True
    if width == 390:
        return role in {"public", "applicant", "participant"} or page == PAGES[role][0]
    return False


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


def _paths() -> dict[str, str]:
    """Where each page of ``PAGES`` is, in the demo data."""
    from applications.models import Application
    from certificates.models import Certificate
    from cohorts.models import Cohort
    from evaluation.models import Invitation
    from modules.models import Module, Session

    past = Cohort.objects.get(programme__slug="smart-city-manager", number=3)
    current = Cohort.objects.get(programme__slug="smart-city-manager", number=4)
    draft = Application.objects.get(applicant__email=ROLES["applicant"], cohort=current)
    submitted = current.applications.filter(status=Application.Status.SUBMITTED).order_by("pk").first()
    certificate = Certificate.objects.filter(cohort=past).order_by("pk").first()
    first_module = Module.objects.filter(programme=past.programme).order_by("position").first()
    invitation = (
        Invitation.objects.filter(enrollment__user__email=ROLES["participant"]).order_by("-pk").first()
    )
    return {
        "home": reverse("home"),
        "cohort_archive": reverse("modules:cohort_archive"),
        "login": reverse("account_login"),
        "signup": reverse("account_signup"),
        "password_reset": reverse("account_reset_password"),
        "verify": reverse("certificates:verify"),
        "verify_result": reverse("certificates:verify")
        + f"?nummer={certificate.number}&code={certificate.verification_code}",
        "imprint": reverse("imprint"),
        "privacy": reverse("privacy"),
        "accessibility": reverse("accessibility"),
        "applications": reverse("applications:dashboard"),
        "application_form": reverse("applications:edit", args=[draft.pk]),
        "application_review": reverse("applications:review", args=[draft.pk]),
        "application_submitted": reverse(
            "applications:submitted",
            args=[Application.objects.get(applicant__email=ROLES["applicant"], cohort=past).pk],
        ),
        "account_email": reverse("account_email"),
        "profile": reverse("profile"),
        "my_data": reverse("my_data"),
        "delete_account": reverse("delete_account"),
        "course": reverse("modules:dashboard"),
        "questionnaires": reverse("evaluation:questionnaires"),
        "questionnaire": reverse("evaluation:questionnaire", args=[first_module.pk]),
        "admin_index": reverse("admin:index"),
        "admin_applications": reverse("admin:applications_application_changelist"),
        "admin_application": reverse("admin:applications_application_change", args=[submitted.pk]),
        "admin_overview": reverse("admin:applications_application_overview") + f"?durchgang={current.pk}",
        "admin_users": reverse("admin:portal_user_changelist"),
        "admin_export": reverse("admin:applications_application_export"),
        "statistics": reverse("evaluation:dashboard"),
        "waves": reverse("evaluation:waves"),
        "surveys": reverse("evaluation:surveys"),
        "survey": reverse("evaluation:survey", args=[invitation.pk]),
        "coordination": reverse("modules:coordination"),
        "progress": reverse("modules:progress", args=[past.pk]),
        "attendance": reverse(
            "modules:attendance", args=[Session.objects.filter(cohort=past).order_by("starts_at").first().pk]
        ),
        "certificates": reverse("certificates:cohort", args=[past.pk]),
        "schedule": reverse("modules:schedule", args=[past.pk]),
        "revoke": reverse("certificates:revoke", args=[certificate.pk]),
    }


def _submitted_application(cohort, applicant):
    """A submitted application of the demo applicant, for the page after submitting."""
    from django.db.models import Max

    number = (cohort.applications.aggregate(last=Max("sequence"))["last"] or 0) + 1
    when = timezone.now() - dt.timedelta(days=1)
    return cohort.applications.get_or_create(
        applicant=applicant,
        defaults={
            "other_employer": "Landkreis Spree-Neiße",
            "status": "submitted",
            "sequence": number,
            "reference": f"SCM-{cohort.number}-{number:04d}",
            "submitted_at": when,
        },
    )[0]


def _complete_draft(cohort, applicant):
    """The demo applicant's draft, complete enough for the overview before submitting."""
    from django.core.files.base import ContentFile

    from applications.models import Application
    from portal.models import Municipality
    from portal.pdf import blank_pdf

    draft, _ = Application.objects.get_or_create(
        cohort=cohort,
        applicant=applicant,
        defaults={
            "municipality": Municipality.objects.filter(name="Cottbus").first(),
            "department": "Fachbereich Stadtentwicklung",
            "position": "Sachgebietsleiterin",
            "phone": "0355 000000",
            "role": "Koordiniert die Digitalisierungsvorhaben im Fachbereich.",
            "motivation": "Ich möchte die Smart-City-Strategie unserer Stadt mitgestalten.",
            "strategy": Application.Strategy.IN_PROGRESS,
            "supervisor_name": "Dr. Beispiel",
            "supervisor_email": "vorgesetzt@example.org",
            "endorsement_name": "Unterstuetzung.pdf",
        },
    )
    if not draft.endorsement:
        draft.endorsement.save("letter.pdf", ContentFile(blank_pdf()), save=True)
    return draft


@pytest.fixture(scope="module")
def demo_site(request, django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo data on a live server of its own, removed again after the module."""
    from django.test import override_settings
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _get_databases_for_setup
    from pytest_django.live_server_helper import LiveServer

    from applications.default_mail_templates import create_defaults
    from applications.models import MailTemplate
    from certificates.services import _new_certificate
    from cohorts.models import Cohort
    from portal.accounts.models import User
    from portal.models import Municipality
    from portal.municipalities import load_municipalities

    # The tests' fast password hasher (tests/conftest.py) must read the demo passwords too.
    module_settings = override_settings(
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    module_settings.enable()
    # The server thread reaches the database while the tests run, so it stays unblocked.
    unblocked = django_db_blocker.unblock()
    unblocked.__enter__()
    # pytest-django creates the test database only for a run with a test that asks for one
    # (django_db); a run of the layout tests alone (-k) creates it here.
    own_database = None
    if "default" not in _get_databases_for_setup(request.session.items)[0]:
        own_database = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    if not Municipality.objects.exists():
        load_municipalities(Municipality)
    if not MailTemplate.objects.exists():
        create_defaults(MailTemplate)
    call_command("seed_demo", stdout=io.StringIO())
    current = Cohort.objects.get(programme__slug="smart-city-manager", number=4)
    _complete_draft(current, User.objects.get(email=ROLES["applicant"]))
    past = Cohort.objects.get(programme__slug="smart-city-manager", number=3)
    _submitted_application(past, User.objects.get(email=ROLES["applicant"]))
    enrollment = past.enrollments.confirmed().exclude(user__email=ROLES["participant"]).order_by("pk")[0]
    certificate = _new_certificate(
        past,
        enrollment,
        by=User.objects.get(email=ROLES["coordinator"]),
        at=timezone.now() - dt.timedelta(days=2),
        sequence=1,
        language="de",
    )
    certificate.status = certificate.Status.ISSUED
    certificate.save(update_fields=["status"])
    # The demo programme has run four cohorts, less than a page of the archive: at two to a page
    # the archive shows its pager as well as its rows. The live server runs in this process.
    archive_pages = mock.patch.object(modules.views, "ARCHIVE_PAGE_SIZE", 2)
    archive_pages.start()
    paths = _paths()
    server = LiveServer("localhost")
    server._live_server_modified_settings.enable()
    yield server.url, paths
    server._live_server_modified_settings.disable()
    server.stop()
    archive_pages.stop()
    call_command("flush", interactive=False, verbosity=0)
    if own_database is not None:
        teardown_databases(own_database, verbosity=0)
    unblocked.__exit__(None, None, None)
    module_settings.disable()


@pytest.fixture(scope="module")
def role_pages(browser, demo_site):
    """One logged-in page per role, made on first use."""
    base_url, _paths = demo_site
    pages = {}

    def get(role):
        if role not in pages:
            context = browser.new_context(locale="de-DE")
            page = context.new_page()
            page.set_default_timeout(15_000)
            email = ROLES[role]
            if email:
                page.goto(base_url + reverse("account_login"))
                page.get_by_label("E-Mail-Adresse").fill(email)
                page.get_by_label("Passwort", exact=True).fill("Demo-Passwort-2026")
                page.get_by_label("Passwort", exact=True).press("Enter")
                page.wait_for_load_state("load")
                if reverse("mfa_authenticate") in page.url:
                    page.get_by_label("Code").fill(totp_code(DEMO_TOTP_SECRET))
                    page.get_by_label("Code").press("Enter")
                    page.wait_for_load_state("load")
                assert reverse("account_login") not in page.url, f"{email} could not log in"
            pages[role] = page
        return pages[role]

    yield get
    for page in pages.values():
        page.context.close()


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
    if runs_axe(role, page_key, width):
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
