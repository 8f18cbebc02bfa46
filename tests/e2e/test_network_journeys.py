"""The network "Know-how-Transfer" in the browser, each person in a browser of their own:

- a participant's accepted practical task becomes a project, is proposed for the public page, a
  coordinator approves it, and the public start page leads to it;
- a graduate asks a question and orders the weekly digest, a participant answers, the digest job
  runs, and the asker's mail holds the answer and leads back to the thread.

axe-core checks every page (see conftest.py), at 1366 and 390 px; at 1366 px the people use the
keyboard alone (focus and Enter, typing into the focused field).
"""

import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from community.models import Project, Thread
from community.tasks import send_exchange_digest
from modules.models import TaskSubmission
from portal.mail.models import OutboxMessage
from portal.pdf import blank_pdf
from tests.community.conftest import cast
from tests.e2e.people import people
from tests.e2e.test_account_journeys import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "ein-sicheres-Passwort-1"  # the factories' password
# (width, keyboard only)
PASSES = [(1366, True), (390, False)]
__all__ = ["cast", "people"]  # fixtures: the network's cast (tests/community/conftest.py), browsers


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _accepted_task(cast) -> TaskSubmission:
    submission = TaskSubmission(
        enrollment=cast.participant.enrollments.get(),
        module=cast.modules[2],
        state=TaskSubmission.State.ACCEPTED,
        submitted_at=timezone.now(),
        file_name="aufgabe.pdf",
    )
    submission.file.save("aufgabe.pdf", ContentFile(blank_pdf()), save=False)
    submission.save()
    return submission


@pytest.mark.parametrize(("width", "keyboard"), PASSES)
def test_an_accepted_task_becomes_a_public_project(people, cast, width, keyboard):
    _accepted_task(cast)
    participant = people(width, keyboard)
    log_in(participant.page, participant.axe, participant.base_url, cast.participant.email, PASSWORD)
    participant.open("community:projects")
    participant.press(
        participant.page.get_by_role(
            "button", name=f"Praxisaufgabe „{cast.modules[2].title}“ als Projekt übernehmen"
        )
    )
    expect(participant.page.get_by_role("status")).to_contain_text("Der Entwurf ist angelegt")
    summary = participant.page.get_by_label("Kurzbeschreibung")
    summary.fill("")
    participant.write(summary, "Sensoren messen die Bodenfeuchte; der Bauhof gießt gezielter.")
    participant.write(
        participant.page.get_by_label("Erfahrungen und Empfehlungen"), "Früh mit dem Bauhof sprechen."
    )
    participant.press(participant.page.get_by_role("button", name="Projekt speichern"))
    project = Project.objects.get(author=cast.participant)
    assert not project.draft and project.source_task is not None
    participant.press(participant.page.get_by_role("button", name="Für die öffentliche Seite vorschlagen"))
    expect(participant.page.get_by_role("status")).to_contain_text("für die öffentliche Seite vorgeschlagen")

    coordinator = people(width, keyboard)
    log_in(coordinator.page, coordinator.axe, coordinator.base_url, cast.coordinator.email, PASSWORD)
    coordinator.open("community:moderation")
    proposals = coordinator.page.get_by_role("listitem").filter(has_text=cast.modules[2].title)
    coordinator.press(proposals.get_by_role("link", name=cast.modules[2].title))
    expect(coordinator.page.locator("main")).to_contain_text("Sensoren messen die Bodenfeuchte")
    coordinator.press(coordinator.page.get_by_role("button", name="Freigeben"))
    expect(coordinator.page.get_by_role("status")).to_contain_text("Freigegeben.")
    expect(coordinator.page.locator("main")).to_contain_text("Zurzeit liegt kein Vorschlag vor.")

    visitor = people(width, keyboard)
    visitor.open("home")
    town = project.municipality
    visitor.press(
        visitor.page.get_by_role("region", name="Erreichte Kommunen nach Landkreis").get_by_role(
            "link", name=town.name
        )
    )
    visitor.press(visitor.page.get_by_role("link", name=cast.modules[2].title))
    expect(visitor.page).to_have_url(
        participant.base_url + reverse("community:public_project", args=[project.pk])
    )
    expect(visitor.page.locator("main")).to_contain_text("Sensoren messen die Bodenfeuchte")
    assert visitor.page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize(("width", "keyboard"), PASSES)
def test_a_watched_question_brings_its_answer_by_the_weekly_digest(people, cast, width, keyboard):
    asker = people(width, keyboard)
    log_in(asker.page, asker.axe, asker.base_url, cast.graduate.email, PASSWORD)
    asker.open("community:threads")
    asker.press(asker.page.get_by_role("button", name="Wochenübersicht per E-Mail bestellen"))
    expect(asker.page.get_by_role("button", name="Wochenübersicht abbestellen")).to_be_visible()
    asker.press(asker.page.get_by_role("link", name="Neues Thema"))
    asker.page.get_by_label("Thema", exact=True).select_option(value=str(cast.modules[1].pk))
    asker.write(asker.page.get_by_label("Titel"), "Wer misst schon die Luftqualität?")
    asker.write(asker.page.get_by_label("Ihre Frage oder Ihr Beitrag"), "Welche Sensoren haben sich bewährt?")
    asker.press(asker.page.get_by_role("button", name="Thema eröffnen"))
    thread = Thread.objects.get(title="Wer misst schon die Luftqualität?", module=cast.modules[1])
    expect(asker.page).to_have_url(asker.base_url + reverse("community:thread", args=[thread.pk]))
    # Who opens a thread watches it.
    expect(asker.page.get_by_role("button", name="Nicht mehr beobachten")).to_be_visible()

    answerer = people(width, keyboard)
    log_in(answerer.page, answerer.axe, answerer.base_url, cast.participant.email, PASSWORD)
    answerer.open("community:threads")
    answerer.press(answerer.page.get_by_role("link", name="Wer misst schon die Luftqualität?"))
    answerer.write(answerer.page.get_by_label("Ihre Antwort"), "Wir nutzen **LoRaWAN**-Sensoren am Markt.")
    answerer.press(answerer.page.get_by_role("button", name="Antwort senden"))
    expect(answerer.page.locator("main")).to_contain_text("Wir nutzen LoRaWAN-Sensoren am Markt.")

    assert send_exchange_digest.delay().get() == 1
    mail = OutboxMessage.objects.get(kind="community-digest")
    assert mail.recipient == cast.graduate.email
    assert "Wer misst schon die Luftqualität?" in mail.body_text
    assert "Sensoren am Markt." in mail.body_text
    link = re.search(r"https?://\S+/netzwerk/austausch/\d+/", mail.body_text).group(0)
    asker.page.goto(asker.base_url + link[link.index("/netzwerk/") :])
    asker.axe()
    expect(asker.page.locator("main")).to_contain_text("Wir nutzen LoRaWAN-Sensoren am Markt.")
    assert asker.page.evaluate("document.documentElement.scrollWidth") <= width
