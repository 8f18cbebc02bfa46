"""A reviewer's whole review phase in the browser, on a desktop and on a phone: the queue on the
start page, the application beside its letter, scoring by the rubric with the keyboard alone,
"save and next", a conflict, a Rückfrage, blind review, and the overview. axe-core checks every
page (see conftest.py)."""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from playwright.sync_api import expect

from applications.assignment import assign_reviewers
from applications.models import Conflict, InformationRequest, Score
from cohorts.models import ReviewPhase
from tests.applications.test_review import submitted
from tests.e2e.test_account_journeys import log_in
from tests.factories import CohortFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "ein-sicheres-Passwort-1"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.parametrize("width", [1366, 390])
def test_a_reviewer_works_through_the_queue(page, axe, live_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    cohort = CohortFactory(number=9, title="9. Schulungsdurchgang", review_phase=ReviewPhase.REVIEW)
    cohort.review_ends_on = dt.date.today() + dt.timedelta(days=10)
    cohort.programme.blind_review = True
    cohort.programme.save()
    cohort.save()
    first, second, third = (submitted(cohort) for _ in range(3))
    reviewer = UserFactory(email="rita@example.org", first_name="Rita", last_name="Referat", is_staff=True)
    colleague = UserFactory(email="kai@example.org", first_name="Kai", last_name="Kollege", is_staff=True)
    spare = UserFactory(email="uta@example.org", first_name="Uta", last_name="Ersatz", is_staff=True)
    for person in (reviewer, colleague, spare):
        person.groups.add(Group.objects.get(name="reviewers"))
    cohort.reviewers.add(reviewer, colleague)
    assign_reviewers(cohort=cohort, by=None)
    Score.objects.create(application=first, reviewer=colleague, motivation=1, relevance=1, commitment=1)
    base_url = live_server.url

    log_in(page, axe, base_url, reviewer.email, PASSWORD)
    page.goto(base_url + reverse("admin:index"))
    queue = page.get_by_role("region", name="Meine Bewerbungen zur Prüfung")
    expect(queue).to_contain_text("0 von 3 bewertet")
    expect(queue).to_contain_text(f"Prüfung bis einschließlich {cohort.review_ends_on:%d.%m.%Y}")
    axe()

    queue.get_by_role("link", name="Nächste unbewertete Bewerbung öffnen").click()
    expect(page).to_have_url(base_url + reverse("admin:applications_application_change", args=[first.pk]))
    frame = page.locator(".review-letter iframe")
    expect(frame).to_be_attached()
    answers, letter = page.locator(".review-answers").bounding_box(), frame.bounding_box()
    if width >= 1200:
        assert letter["x"] > answers["x"] + answers["width"] - 1  # side by side
    else:
        assert letter["y"] > answers["y"] + answers["height"] - 1  # one below the other
    # Blind: the colleague's score is not shown before Rita has scored.
    expect(page.get_by_role("heading", name="Bewertungen aller Gutachter:innen")).to_have_count(0)
    axe()

    # Scoring with the keyboard alone: arrows move within a radio group, Enter submits.
    for group, presses in (
        ("Motivation", 3),
        ("Bezug zu den Vorhaben der Kommune", 4),
        ("Verbindlichkeit und Rückhalt", 2),
    ):
        radiogroup = page.get_by_role("radiogroup", name=group)
        radiogroup.get_by_role("radio").first.focus()
        page.keyboard.press("Space")
        for _ in range(presses):
            page.keyboard.press("ArrowDown")
    page.get_by_role("button", name="Speichern und nächste Bewerbung").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(base_url + reverse("admin:applications_application_change", args=[second.pk]))
    assert Score.objects.get(application=first, reviewer=reviewer).total == 4 + 5 + 3
    expect(page.locator(".messagelist")).to_contain_text(f"{first.reference} gespeichert")
    axe()

    page.get_by_label("Grund (optional)").fill("Ehemalige Kollegin")
    page.get_by_role("button", name="Interessenkonflikt erklären").click()
    expect(page).to_have_url(base_url + reverse("admin:applications_application_change", args=[third.pk]))
    assert Conflict.objects.get().application == second
    assert set(second.assignments.values_list("reviewer", flat=True)) == {colleague.pk, spare.pk} or set(
        second.assignments.values_list("reviewer", flat=True)
    ) == {colleague.pk}
    axe()

    page.get_by_role("link", name="Rückfrage stellen").click()
    axe()
    page.get_by_label("Motivation").check()
    page.get_by_label("Ihre Rückfrage").fill("Bitte beschreiben Sie Ihre Rolle genauer.")
    page.get_by_label(re.compile("Antwort bis")).fill(
        (dt.date.today() + dt.timedelta(days=7)).strftime("%d.%m.%Y")
    )
    page.get_by_role("button", name="Rückfrage stellen und E-Mail senden").click()
    expect(page.locator(".messagelist")).to_contain_text("Die Rückfrage ist gestellt")
    assert InformationRequest.objects.get().application == third
    axe()

    page.goto(base_url + reverse("admin:applications_application_overview") + f"?durchgang={cohort.pk}")
    table = page.get_by_role("region", name="Bewerbungen und Bewertungen")
    expect(table).to_contain_text("Summe der Mittelwerte (3–15)")
    expect(table.get_by_role("row", name=re.compile(first.reference))).to_contain_text("2,5 ± 1,5")
    expect(page.get_by_role("heading", name="Kalibrierung der Gutachter:innen")).to_be_visible()
    axe()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
