"""A Rückfrage and a balanced decision in the browser, each person in a browser of their own: a
reviewer asks an applicant about two of the answers; the applicant answers exactly those on
their dashboard; the application is back in review with its history; in the decision the
preview warns that one district would hold more than the programme's share, and the admin
accepts the best within the seats and puts the rest on the waiting list.

axe-core checks every page (see conftest.py), at 1366 and 390 px; at 1366 px everyone uses the
keyboard alone.
"""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from applications.models import Application, InformationRequest
from cohorts.models import Enrollment, ReviewPhase
from tests.applications.test_review import score, submitted
from tests.e2e.people import people
from tests.e2e.test_account_journeys import log_in
from tests.factories import CohortFactory, UserFactory, municipality

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "ein-sicheres-Passwort-1"  # the factories' password
__all__ = ["people"]  # a fixture here


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _cohort_under_review():
    """Three seats, at most 40 % of them to one district; four applications, three from Potsdam,
    scored so that two from Potsdam rank among the best three."""
    cohort = CohortFactory(number=9, title="9. Schulungsdurchgang", review_phase=ReviewPhase.REVIEW, seats=3)
    cohort.programme.max_district_share = 40
    cohort.programme.save()
    reviewer = UserFactory(email="rita@example.org", first_name="Rita", last_name="Referat", is_staff=True)
    reviewer.groups.add(Group.objects.get(name="reviewers"))
    cohort.reviewers.add(reviewer)
    applicant = UserFactory(email="jana@example.org", first_name="Jana", last_name="Krüger")
    applications = [
        submitted(cohort, applicant),
        submitted(cohort),
        submitted(cohort, municipality=municipality("Eberswalde")),
        submitted(cohort),
    ]
    for points, application in zip((5, 4, 3, 2), applications, strict=True):
        score(application, reviewer, points)
    return cohort, reviewer, applications


def _ask(rita, application):
    rita.open("admin:applications_application_change", application.pk)
    rita.press(rita.page.get_by_role("link", name="Rückfrage stellen"))
    rita.check(rita.page.get_by_label("Motivation", exact=True))
    rita.check(rita.page.get_by_label("Vorhaben Ihrer Kommune"))
    rita.write(
        rita.page.get_by_label("Ihre Rückfrage"), "Bitte beschreiben Sie Ihre Rolle und das Vorhaben genauer."
    )
    rita.write(
        rita.page.get_by_label(re.compile("Antwort bis")),
        (dt.date.today() + dt.timedelta(days=7)).strftime("%d.%m.%Y"),
    )
    rita.press(rita.page.get_by_role("button", name="Rückfrage stellen und E-Mail senden"))
    expect(rita.page.locator(".messagelist")).to_contain_text("Die Rückfrage ist gestellt")


def _answer(jana, application):
    main = jana.page.get_by_role("main")
    expect(main).to_contain_text(f"Rückfrage zu Ihrer Bewerbung {application.reference}")
    jana.press(main.get_by_role("link", name="Rückfrage beantworten"))
    form = jana.page.locator("main form")
    # Exactly the two named answers, nothing else of the application.
    expect(form.locator("textarea, select, input:not([type=hidden])")).to_have_count(2)
    expect(form.get_by_label("Organisationseinheit")).to_have_count(0)
    for label, text in (
        ("Motivation", "Ich leite die Stabsstelle Digitalisierung und verantworte die Strategie."),
        ("Vorhaben Ihrer Kommune", "Ein offenes Datenportal für Haushalt und Baustellen."),
    ):
        field = form.get_by_label(label, exact=True)
        field.fill("")
        jana.write(field, text)
    jana.press(form.get_by_role("button", name="Antwort senden"))
    expect(jana.page.get_by_role("status").first).to_contain_text("die Bewerbung ist wieder in Prüfung")


def _decide(anna, cohort):
    anna.open("admin:applications_application_changelist")
    anna.check(anna.page.locator("#action-toggle"))
    anna.page.locator("select[name=action]").select_option("accept_best_waitlist_rest")
    anna.press(anna.page.get_by_role("button", name="Ausführen"))
    expect(anna.page.get_by_role("heading", level=1)).to_have_text("Entscheidung prüfen und bestätigen")
    warnings = anna.page.locator(".errornote[role=note]").filter(has_text="Regionale Ausgewogenheit")
    expect(warnings).to_have_count(1)
    expect(warnings).to_have_text(
        f"Regionale Ausgewogenheit: Potsdam hätte 2 von 3 Plätzen im {cohort.title}, mehr als 40 %."
    )
    expect(anna.page.get_by_role("list", name="Was geschieht")).to_contain_text("angenommen: 3")
    anna.press(anna.page.get_by_role("button", name=re.compile(r"^Bestätigen und \d+ E-Mails senden$")))
    expect(anna.page.locator(".messagelist")).to_contain_text("Angenommen:")


@pytest.mark.parametrize(("width", "keyboard"), [(1366, True), (390, False)])
def test_a_rueckfrage_is_answered_and_the_decision_keeps_within_the_seats(
    people, live_server, width, keyboard
):
    cohort, reviewer, applications = _cohort_under_review()
    asked = applications[0]
    base_url = live_server.url

    rita = people(width, keyboard)
    log_in(rita.page, rita.axe, base_url, reviewer.email, PASSWORD)
    _ask(rita, asked)
    assert InformationRequest.objects.get().fields == ["motivation", "plans"]

    jana = people(width, keyboard)
    log_in(jana.page, jana.axe, base_url, asked.applicant.email, PASSWORD)
    _answer(jana, asked)
    asked.refresh_from_db()
    assert asked.status == Application.Status.IN_REVIEW
    assert asked.motivation.startswith("Ich leite die Stabsstelle") and asked.department == "Stadtplanung"

    # Back in review, with what was asked and what the answer changed.
    rita.open("admin:applications_application_change", asked.pk)
    main = rita.page.get_by_role("main")
    expect(main).to_contain_text("Rückfragen an die Bewerber:in")
    expect(main).to_contain_text("Motivation, Vorhaben Ihrer Kommune")
    expect(main).to_contain_text("Rückfrage beantwortet")
    assert rita.page.evaluate("document.documentElement.scrollWidth") <= width

    type(cohort).objects.filter(pk=cohort.pk).update(review_phase=ReviewPhase.DECISION)
    admin = UserFactory(
        email="anna@example.org", first_name="Anna", last_name="Admin", is_staff=True, is_superuser=True
    )
    anna = people(width, keyboard)
    log_in(anna.page, anna.axe, base_url, admin.email, PASSWORD)
    _decide(anna, cohort)
    statuses = {a.pk: a.status for a in Application.objects.filter(cohort=cohort)}
    assert [statuses[a.pk] for a in applications] == ["accepted", "accepted", "accepted", "waitlisted"]
    assert Enrollment.objects.filter(cohort=cohort, state=Enrollment.State.OFFERED).count() == cohort.seats
