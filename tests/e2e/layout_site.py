"""The layout test's site: the demo data on a live server of its own, and one logged-in browser
page per role. ``make screenshots`` pictures the same pages."""

import datetime as dt
import io
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

import modules.views
from portal.accounts.security import DEMO_TOTP_SECRET
from tests.factories import totp_code

# Role -> demo account (seed_demo); None browses without an account. The member is a graduate of
# the first cohort in the network (community/demo.py); the participant is not a member.
ROLES = {
    "public": None,
    "applicant": "bewerberin@example.org",
    "participant": "teilnehmer@example.org",
    "member": "teilnahme-1-01@example.org",
    "reviewer": "pruefung@example.org",
    "coordinator": "koordination@example.org",
    "evaluator": "evaluation@example.org",
    "admin": "admin@example.org",
}


def _network_paths() -> dict[str, str]:
    """Where the network's pages are, in the demo data."""
    from community.models import Project, Thread

    return {
        "network": reverse("community:home"),
        "directory": reverse("community:directory"),
        "projects": reverse("community:projects"),
        "project": reverse(
            "community:project", args=[Project.objects.filter(draft=False).order_by("pk")[0].pk]
        ),
        "threads": reverse("community:threads"),
        "thread": reverse("community:thread", args=[Thread.objects.order_by("pk")[0].pk]),
        "materials": reverse("community:materials"),
        "moderation": reverse("community:moderation"),
    }


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
        **_network_paths(),
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


def _issuing(cohort, coordinator):
    """The cohort's eligible participants' certificates being made, as right after "issue": one
    in a worker's hands, the others queued, so the certificates page shows its live progress
    (no worker runs here)."""
    from certificates.selectors import issuing_page
    from certificates.services import _new_certificate

    now = timezone.now()
    for index, enrollment in enumerate(issuing_page(cohort).eligible):
        certificate = _new_certificate(
            cohort,
            enrollment,
            by=coordinator,
            at=now,
            sequence=cohort.certificates.count() + 1,
            language="de",
        )
        certificate.queued_at = now
        certificate.claimed_at = now if index == 0 else None
        certificate.save(update_fields=["queued_at", "claimed_at"])
    assert cohort.certificates.filter(status="pending").exists(), "the demo cohort has no one to certify"


def _close_other_sessions():
    """The live server's request threads may still hold their database sessions; PostgreSQL
    refuses to drop a database in use."""
    from django.db import connections

    connections.close_all()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        connection.close()


def _seed():
    """The demo data, and beyond it what the pages of the test need to show."""
    from applications.default_mail_templates import create_defaults
    from applications.models import MailTemplate
    from certificates.services import _new_certificate
    from cohorts.models import Cohort
    from portal.accounts.models import User
    from portal.models import Municipality
    from portal.municipalities import load_municipalities

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
    _issuing(past, User.objects.get(email=ROLES["coordinator"]))


@pytest.fixture(scope="module")
def demo_site(request, django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo data on a live server of its own, removed again after the module."""
    from django.test import override_settings
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _get_databases_for_setup
    from pytest_django.live_server_helper import LiveServer

    # The tests' fast password hasher (tests/conftest.py) must read the demo passwords too. The
    # certificates being made stay in progress for the whole run, not "stuck" after the lease.
    module_settings = override_settings(
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        PORTAL_WORK_LEASE_SECONDS=24 * 3600,
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
    _seed()
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
        _close_other_sessions()
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
