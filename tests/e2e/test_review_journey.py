"""The review journey in the browser: a reviewer scores and accepts in the admin, the applicant
confirms the seat in the portal. Every page is checked with axe-core (see conftest.py)."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from applications.models import Application, ReviewNote, Score
from cohorts.models import Enrollment, ReviewPhase
from tests.applications.test_review import submitted
from tests.e2e.conftest import AccessibilityAudit
from tests.e2e.test_account_journeys import log_in
from tests.factories import CohortFactory, UserFactory, municipality

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "ein-sicheres-Passwort-1"  # the factories' password


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """The seeded endorsement letters go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


def test_reviewer_scores_and_accepts_in_the_admin_and_the_applicant_confirms(page, axe, browser, live_server):
    cohort = CohortFactory(number=8, title="8. Schulungsdurchgang", review_phase=ReviewPhase.REVIEW)
    applicant = UserFactory(email="jana@example.org", first_name="Jana", last_name="Krüger")
    in_potsdam = submitted(cohort, applicant, department="Bereich Digitalisierung")
    in_barnim = submitted(cohort, municipality=municipality("Eberswalde"))
    assert in_potsdam.municipality.district == "Potsdam"
    reviewer = UserFactory(email="rita@example.org", first_name="Rita", last_name="Referat", is_staff=True)
    reviewer.groups.add(Group.objects.get(name="reviewers"))
    base_url = live_server.url

    # --- the reviewer, in the admin ----------------------------------------------------------
    # The admin sends staff to the portal's login, which asks for the second factor too.
    page.goto(base_url + reverse("admin:index"))
    expect(page).to_have_url(re.compile(re.escape(base_url + reverse("account_login")) + r"\?next="))
    log_in(page, axe, base_url, reviewer.email, PASSWORD, open_login=False)
    expect(page).to_have_url(base_url + reverse("admin:index"))

    page.get_by_role("rowheader", name="Bewerbungen", exact=True).get_by_role("link").click()
    expect(page).to_have_url(base_url + reverse("admin:applications_application_changelist"))
    expect(page.get_by_role("link", name=in_potsdam.reference)).to_be_visible()
    expect(page.get_by_role("link", name=in_barnim.reference)).to_be_visible()
    axe()

    filters = page.locator("#changelist-filter")
    filters.locator("details", has_text="Landkreis").get_by_role("link", name="Potsdam", exact=True).click()
    expect(page).to_have_url(
        base_url + reverse("admin:applications_application_changelist") + "?municipality__district=Potsdam"
    )
    expect(page.get_by_role("link", name=in_potsdam.reference)).to_be_visible()
    expect(page.get_by_role("link", name=in_barnim.reference)).to_have_count(0)
    axe()

    page.get_by_role("link", name=in_potsdam.reference).click()
    change_url = base_url + reverse("admin:applications_application_change", args=[in_potsdam.pk])
    # The admin keeps the list's filter in the query string while the reviewer works.
    on_change_page = re.compile(re.escape(change_url) + r"(\?_changelist_filters=[^&]+)?$")
    expect(page).to_have_url(on_change_page)
    expect(page.get_by_role("main")).to_contain_text("Bereich Digitalisierung")
    axe()

    # The inline rows' fields are found by their labels (templates/admin/edit_inline/tabular.html).
    page.locator("#notes-0").get_by_label("Notiz").fill("Sehr überzeugend, klarer Bezug zur Strategie.")
    my_score = page.locator("#scores-group")
    expect(my_score.get_by_role("heading", level=2)).to_have_text("Ihre Bewertung")
    my_row = my_score.locator("#scores-0")
    # The rubric: each criterion a radio group whose options carry their anchor texts.
    my_row.get_by_role("radiogroup", name="Motivation").get_by_label("5 – trifft voll zu").check()
    my_row.get_by_role("radiogroup", name="Bezug zu den Vorhaben der Kommune").get_by_label(
        "4 – trifft überwiegend zu"
    ).check()
    my_row.get_by_role("radiogroup", name="Verbindlichkeit und Rückhalt").get_by_label(
        "4 – trifft überwiegend zu"
    ).check()
    my_row.get_by_label("Begründung").fill("Rückhalt der Bürgermeisterin liegt vor.")
    page.get_by_role("button", name="Sichern und weiter bearbeiten").click()
    expect(page).to_have_url(on_change_page)
    expect(page.locator(".messagelist")).to_contain_text("erfolgreich geändert")
    axe()
    expect(page.locator("#notes-group")).to_contain_text("Sehr überzeugend, klarer Bezug zur Strategie.")
    expect(page.locator("#scores-2-group")).to_contain_text("13 / 15")
    assert ReviewNote.objects.get(application=in_potsdam).author == reviewer
    assert Score.objects.get(application=in_potsdam, reviewer=reviewer).total == 13

    mail.outbox.clear()
    # MIL moves the cohort on to the decision.
    type(cohort).objects.filter(pk=cohort.pk).update(review_phase=ReviewPhase.DECISION)
    page.get_by_role("link", name="Entscheiden").click()
    expect(page).to_have_url(
        base_url + reverse("admin:applications_application_decide", args=[in_potsdam.pk])
    )
    expect(page.get_by_role("main")).to_contain_text("Freie Plätze im 8. Schulungsdurchgang: 15")
    axe()
    page.get_by_label("annehmen").check()
    page.get_by_label("Begründung").fill("Passt sehr gut zum Programm.")
    page.get_by_role("button", name="Weiter: Auswirkungen prüfen").click()

    # Nothing is decided yet: the page shows what will happen, and warns that the window is open.
    preview = page.locator("#decision-preview")
    expect(page.get_by_role("heading", level=1)).to_have_text("Entscheidung prüfen und bestätigen")
    expect(preview.get_by_role("list", name="Was geschieht")).to_contain_text("angenommen: 1")
    expect(preview).to_contain_text("E-Mails, die versendet werden: 1")
    expect(preview).to_contain_text(
        f"Die Bewerbungsfrist für den 8. Schulungsdurchgang läuft noch bis einschließlich "
        f"{cohort.applications_close_on:%d.%m.%Y}"
    )
    expect(preview.get_by_role("row", name=re.compile(in_potsdam.reference))).to_contain_text("13,0")
    axe()
    assert not mail.outbox
    in_potsdam.refresh_from_db()
    assert in_potsdam.status == Application.Status.SUBMITTED
    page.get_by_role("button", name="Bestätigen und 1 E-Mail senden").click()
    expect(page).to_have_url(on_change_page)
    expect(page.locator(".messagelist")).to_contain_text(
        f"Angenommen: {in_potsdam.reference}. Die E-Mails werden versendet."
    )
    axe()

    in_potsdam.refresh_from_db()
    in_barnim.refresh_from_db()
    assert in_potsdam.status == Application.Status.ACCEPTED
    assert in_potsdam.enrollment.state == Enrollment.State.OFFERED
    assert in_barnim.status == Application.Status.SUBMITTED
    (decision,) = mail.outbox
    assert decision.to == [applicant.email]
    assert decision.subject == f"Zusage: Ihr Platz im 8. Schulungsdurchgang ({in_potsdam.reference})"
    assert f"bis einschließlich {in_potsdam.enrollment.respond_by:%d.%m.%Y}" in decision.body
    assert in_potsdam.status_changes.get(to_status="accepted").reason == "Passt sehr gut zum Programm."

    # --- the applicant, in a browser of their own ---------------------------------------------
    context = browser.new_context()
    applicant_page = context.new_page()
    applicant_page.set_default_timeout(15_000)
    applicant_axe = AccessibilityAudit(applicant_page)
    log_in(applicant_page, applicant_axe, base_url, applicant.email, PASSWORD)
    expect(applicant_page).to_have_url(base_url + reverse("applications:dashboard"))
    offer_link = applicant_page.get_by_role("link", name="Platz bestätigen oder ablehnen")
    expect(offer_link).to_contain_text(f"bis {in_potsdam.enrollment.respond_by:%d.%m.%Y}")
    offer_link.click()
    expect(applicant_page).to_have_url(base_url + reverse("applications:offer", args=[in_potsdam.pk]))
    expect(applicant_page.get_by_role("heading", level=1)).to_have_text("Ihr Platz im Programm")
    applicant_axe()
    applicant_page.get_by_role("button", name="Platz bestätigen").click()

    expect(applicant_page).to_have_url(base_url + reverse("applications:dashboard"))
    expect(applicant_page.get_by_role("main")).to_contain_text(
        "Sie haben Ihren Platz bestätigt. Willkommen im Programm!"
    )
    expect(applicant_page.get_by_role("main")).to_contain_text(
        "Sie sind Teilnehmer:in im 8. Schulungsdurchgang"
    )
    expect(applicant_page.get_by_role("link", name="Platz bestätigen oder ablehnen")).to_have_count(0)
    applicant_axe()
    assert not applicant_axe.unchecked(), (
        f"pages loaded without an accessibility check: {applicant_axe.unchecked()}"
    )
    context.close()

    in_potsdam.refresh_from_db()
    assert in_potsdam.enrollment.state == Enrollment.State.CONFIRMED
    assert applicant.groups.filter(name="participants").exists()
