"""A participant sees their name as the certificate will print it, corrects it in the profile
before the coordinator issues, and a name with characters that cannot print is refused there."""

import pytest
from playwright.sync_api import expect

from cohorts.models import Enrollment
from tests.e2e.test_account_journeys import log_in
from tests.factories import CohortFactory, EnrollmentFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NAME = "عبد الرحمن محمد بن عبد العزيز بن سليمان آل الحسيني القحطاني"


@pytest.mark.parametrize("width", [1366, 390])
def test_the_participant_sees_and_corrects_the_printed_name(page, axe, live_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    participant = UserFactory(email="rahman@example.org", first_name="Kenji 😀", last_name=NAME)
    EnrollmentFactory(cohort=CohortFactory(), user=participant, state=Enrollment.State.CONFIRMED)
    log_in(page, axe, live_server.url, participant.email, "ein-sicheres-Passwort-1")

    page.goto(live_server.url + "/kurs/")
    axe()
    preview = page.locator(".holder-preview__name")
    expect(preview).to_have_text(f"Kenji 😀 {NAME}")
    expect(page.get_by_role("alert")).to_contain_text("„😀“ (U+1F600)")
    assert page.evaluate(
        "getComputedStyle(document.querySelector('.holder-preview__name')).fontFamily"
    ).startswith('"SCM Sans"')
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.get_by_role("link", name="Name im Profil ändern").click()
    axe()
    page.get_by_label("Vorname").fill("Kenji 王")
    page.get_by_role("button", name="Speichern").click()
    axe()
    expect(page.locator("#id_first_name_error")).to_contain_text("„王“ (U+738B)")
    expect(page.get_by_label("Vorname")).to_have_value("Kenji 王")
    page.get_by_label("Vorname").fill("Kenji")
    page.get_by_role("button", name="Speichern").click()
    axe()

    page.goto(live_server.url + "/kurs/")
    axe()
    expect(page.locator(".holder-preview__name")).to_have_text(f"Kenji {NAME}")
    expect(page.get_by_role("alert")).to_have_count(0)
