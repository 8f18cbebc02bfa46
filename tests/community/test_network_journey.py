"""The network in the browser: a graduate joins the directory, finds a project, a thread and the
start page's statements; their certificate is revoked and the next page is refused. Every page
is checked with axe-core and, at 1366, 390 and 320 px, for sideways scrolling.

With PORTAL_SCREENSHOTS set to a folder, the pages are saved there for looking at them by eye.
"""

import os
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from certificates import services as certificate_services
from certificates.models import Certificate
from community import exchange, projects, testimonials
from tests.e2e import conftest as e2e
from tests.e2e.test_account_journeys import log_in
from tests.factories import municipality

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The browser tests' fixtures (Debian's chromium, the axe-core audit of every page), used here too.
browser_type_launch_args = e2e.browser_type_launch_args
page = e2e.page
axe = e2e.axe

PASSWORD = "ein-sicheres-Passwort-1"  # the factories' password
WIDTHS = (1366, 390, 320)


def look(page, axe, name: str) -> None:
    """axe-core at full width; no sideways scrolling at any width; a screenshot if asked for."""
    folder = os.environ.get("PORTAL_SCREENSHOTS")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        if width == 1366:
            axe()
        scroll, viewport = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= viewport, f"{name} scrolls sideways at {width} px ({scroll} > {viewport})"
        if folder:
            page.screenshot(path=str(Path(folder) / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def content(cast):
    """A public project, a thread with a reply and an approved statement."""
    author = cast.reviewer
    project = projects.save_project(
        author=cast.participant,
        modules=cast.modules[:2],
        municipality=municipality("Potsdam"),
        title="Smarte Straßenbeleuchtung",
        summary="Laternen dimmen nachts und melden Ausfälle selbst.",
        status="done",
        tags=["Energie"],
        started_on=None,
        ended_on=None,
        lessons="Früh mit den Stadtwerken sprechen.",
        links=["https://example.org/laternen"],
    )
    projects.propose(author=cast.participant, project=project)
    projects.decide(moderator=cast.coordinator, project=project, approve=True)
    thread = exchange.start_thread(
        author=author, title="Erfahrungen mit LoRaWAN?", body="Wer betreibt **schon** eins?"
    )
    exchange.reply(
        author=cast.participant, thread=thread, body="Wir, mit den Stadtwerken.\n\n- Gateways\n- Sensoren"
    )
    testimonial = testimonials.submit(
        author=cast.participant,
        text="Der Austausch mit anderen Kommunen war das Wertvollste.",
        show_name=True,
        consent=True,
    )
    testimonials.decide(moderator=cast.coordinator, testimonial=testimonial, approve=True)
    return project, thread


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_graduate_joins_the_directory_and_is_locked_out_once_revoked(page, axe, live_server, cast):
    project, thread = content(cast)
    base = live_server.url
    log_in(page, axe, base, cast.graduate.email, PASSWORD)
    page.goto(base + reverse("community:home"))
    look(page, axe, "netzwerk")
    page.get_by_role("link", name="Ins Verzeichnis eintragen").click()
    look(page, axe, "eintrag")
    page.get_by_label("Kommune").select_option(label=f"Potsdam ({municipality('Potsdam').district})")
    page.get_by_label("Funktion").fill("Smart City Managerin")
    page.get_by_label(cast.modules[0].title).check()
    page.get_by_label("Eigene Schlagworte").fill("Open Data, Sensorik")
    page.get_by_role("button", name="Eintrag speichern").click()
    expect(page.locator("main")).to_contain_text("Grete Graduiert")
    expect(page.locator("main")).to_contain_text("Sensorik")
    look(page, axe, "verzeichnis")
    page.goto(base + reverse("community:project", args=[project.pk]))
    look(page, axe, "projekt")
    page.goto(base + reverse("community:thread", args=[thread.pk]))
    look(page, axe, "austausch")
    page.goto(base + reverse("home"))
    expect(page.locator("main")).to_contain_text("Der Austausch mit anderen Kommunen war das Wertvollste.")
    look(page, axe, "startseite")

    cast.past.coordinators.add(cast.coordinator)
    certificate = Certificate.objects.get(enrollment__user=cast.graduate)
    certificate_services.revoke(
        certificate=certificate, reason="Irrtum", by=cast.coordinator, at=timezone.now()
    )
    page.goto(base + reverse("community:directory"))
    expect(page.locator("h1")).to_have_text("Nur für Mitglieder")
    axe()


def test_a_coordinator_moderates_in_the_browser(page, axe, live_server, cast):
    project, thread = content(cast)
    proposed = projects.save_project(
        author=cast.graduate,
        modules=[],
        municipality=municipality("Cottbus"),
        title="Offene Daten <b>Cottbus</b>",
        summary="Haushalt als offene Daten.",
        status="implementation",
        tags=[],
        started_on=None,
        ended_on=None,
        lessons="",
        links=[],
    )
    projects.propose(author=cast.graduate, project=proposed)
    post = thread.posts.last()
    exchange.report(reporter=cast.graduate, post=post, reason="Werbung")
    base = live_server.url
    log_in(page, axe, base, cast.coordinator.email, PASSWORD)
    page.goto(base + reverse("community:moderation"))
    expect(page.locator("main")).to_contain_text("Offene Daten <b>Cottbus</b>")
    look(page, axe, "moderation")
    page.get_by_role("link", name="Offene Daten <b>Cottbus</b>").click()
    axe()
    page.get_by_role("button", name="Freigeben").click()
    axe()
    page.goto(base + reverse("community:thread", args=[thread.pk]))
    look(page, axe, "austausch-moderation")
    page.goto(base + reverse("community:suspend", args=[cast.graduate.pk]))
    look(page, axe, "sperre")
    page.get_by_label("Grund der Sperre").fill("Wiederholt Werbung")
    page.get_by_role("button", name="Sperren und benachrichtigen").click()
    axe()
    expect(page.locator("main")).to_contain_text("gesperrt")
