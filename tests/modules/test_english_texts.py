"""Texts kept in German and English: the English interface shows the English one where it exists."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from applications.models import Application
from modules.models import Material, Session
from tests.factories import berlin

from .conftest import session

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client):
    client.cookies["portal_language"] = "en"
    return client


def in_english(user):
    user.language = "en"
    user.save(update_fields=["language"])
    return user


@pytest.fixture
def translated(cohort, modules):
    cohort.title_en = "3rd cohort"
    cohort.save()
    first = modules[0]
    first.title_en = "Digital transformation"
    first.task = "Beschreiben Sie den Stand Ihrer Kommune."
    first.task_en = "Describe where your municipality stands."
    first.save()
    session(cohort, first, dt.date(2022, 10, 25))
    return first


def test_course_page_shows_english_module_titles_and_task_texts(english, participant, translated):
    english.force_login(in_english(participant.user))
    with time_machine.travel(berlin(2022, 10, 20, 10), tick=False):
        page = english.get(reverse("modules:dashboard")).content.decode()
    assert "Describe where your municipality stands." in page
    assert "Beschreiben Sie den Stand" not in page
    assert "1. Digital transformation" in page and "3rd cohort" in page
    # a module without an English title keeps its German one
    assert "2. Modul 2" in page


def test_coordinator_pages_show_english_module_titles(english, cohort, coordinator, translated):
    english.force_login(in_english(coordinator))
    page = english.get(reverse("modules:progress", args=[cohort.pk])).content.decode()
    assert '<th scope="col">1. Digital transformation</th>' in page
    assert "1. Digital transformation, 25.10.2022" in page
    session_pk = translated.sessions.get().pk
    attendance = english.get(reverse("modules:attendance", args=[session_pk])).content.decode()
    assert "1. Digital transformation" in attendance


def test_my_data_names_the_cohort_in_english(english, cohort, participant, translated):
    Application.objects.create(
        cohort=cohort,
        applicant=participant.user,
        status="submitted",
        sequence=1,
        reference="SCM-3-0001",
        submitted_at=berlin(2022, 9, 1, 10),
    )
    english.force_login(in_english(participant.user))
    with time_machine.travel(berlin(2022, 11, 1, 10), tick=False):
        page = english.get(reverse("my_data")).content.decode()
    assert "Your application SCM-3-0001 for 3rd cohort" in page


def test_staff_can_enter_the_english_task_text(cohort, modules):
    from django.contrib.admin.sites import site

    from modules.models import Module

    fieldsets = site._registry[Module].fieldsets
    assert ("title_en", "description_en", "task_en") == tuple(fieldsets[2][1]["fields"])


# --- sessions and materials -------------------------------------------------------------------


@pytest.fixture
def course_texts(cohort, modules):
    """A session and a material with an English text each, and one of each with German text only."""
    first = session(cohort, modules[0], dt.date(2022, 10, 25))
    first.description = "Einführung und Kennenlernen"
    first.description_en = "Introduction and getting to know each other"
    first.save()
    second = session(cohort, modules[1], dt.date(2022, 11, 8))
    second.description = "Werkstatt zur Datenstrategie"
    second.save()
    Material.objects.create(
        module=modules[0],
        cohort=cohort,
        title="Folien Modul 1",
        title_en="Slides module 1",
        link="https://example.org/folien",
    )
    Material.objects.create(
        module=modules[1], cohort=None, title="Leitfaden", link="https://example.org/leitfaden"
    )


def course_page(client, user) -> str:
    client.force_login(user)
    with time_machine.travel(berlin(2022, 10, 20, 10), tick=False):
        return client.get(reverse("modules:dashboard")).content.decode()


def test_course_page_in_english_describes_sessions_and_names_materials(english, participant, course_texts):
    page = course_page(english, in_english(participant.user))
    # under the next session and in the module's list of dates
    assert '<p class="kern-body">Introduction and getting to know each other</p>' in page
    assert "25.10.2022, 13:00 (German time): Introduction and getting to know each other</li>" in page
    assert '<a href="https://example.org/folien" rel="noopener">Slides module 1</a>' in page
    assert "Einführung und Kennenlernen" not in page and "Folien Modul 1" not in page
    # without an English text the German one is shown
    assert "08.11.2022, 13:00 (German time): Werkstatt zur Datenstrategie</li>" in page
    assert '<a href="https://example.org/leitfaden" rel="noopener">Leitfaden</a>' in page


def test_course_page_in_german_describes_sessions_and_names_materials(client, participant, course_texts):
    page = course_page(client, participant.user)
    assert '<p class="kern-body">Einführung und Kennenlernen</p>' in page
    assert "25.10.2022, 13:00 Uhr: Einführung und Kennenlernen</li>" in page
    assert '<a href="https://example.org/folien" rel="noopener">Folien Modul 1</a>' in page
    assert "Introduction and getting to know" not in page and "Slides module 1" not in page
    assert "08.11.2022, 13:00 Uhr: Werkstatt zur Datenstrategie</li>" in page
    assert '<a href="https://example.org/leitfaden" rel="noopener">Leitfaden</a>' in page


def calendar_events(client, user) -> dict[str, str]:
    from icalendar import Calendar

    client.force_login(user)
    content = client.get(reverse("modules:calendar")).content
    return {str(e["summary"]): str(e["description"]) for e in Calendar.from_ical(content).walk("VEVENT")}


def test_calendar_file_in_the_participants_language(client, english, participant, modules, course_texts):
    modules[0].title_en = "Digital transformation"
    modules[0].save()
    assert calendar_events(client, participant.user) == {
        "1. Modul 1": "Einführung und Kennenlernen",
        "2. Modul 2": "Werkstatt zur Datenstrategie",
    }
    assert calendar_events(english, in_english(participant.user)) == {
        "1. Digital transformation": "Introduction and getting to know each other",
        "2. Modul 2": "Werkstatt zur Datenstrategie",
    }


def test_staff_enter_english_session_and_material_texts(client, cohort, modules, coordinator):
    from django.contrib.admin.sites import site

    # like the module's texts: the German fields in one group, the English ones in the next
    assert [options["fields"] for _name, options in site._registry[Session].fieldsets][1:] == [
        ["description"],
        ["description_en"],
    ]
    assert [options["fields"] for _name, options in site._registry[Material].fieldsets][1:3] == [
        ["title"],
        ["title_en"],
    ]
    client.force_login(coordinator)
    form = client.get(reverse("admin:modules_session_add")).content.decode()
    assert (
        form.index('id="id_description"')
        < form.index(">Englisch</h2>")
        < form.index('id="id_description_en"')
    )
    form = client.get(reverse("admin:modules_material_add")).content.decode()
    assert form.index('id="id_title"') < form.index(">Englisch</h2>") < form.index('id="id_title_en"')
    assert form.index('id="id_title_en"') < form.index(">Datei oder Link</h2>") < form.index('id="id_link"')
    client.post(
        reverse("admin:modules_session_add"),
        {
            "cohort": cohort.pk,
            "module": modules[0].pk,
            "starts_at_0": "25.10.2022",
            "starts_at_1": "13:00",
            "ends_at_0": "25.10.2022",
            "ends_at_1": "15:00",
            "meeting_url": "",
            "trainer": "",
            "description": "Einführung",
            "description_en": "Introduction",
        },
    )
    client.post(
        reverse("admin:modules_material_add"),
        {
            "module": modules[0].pk,
            "cohort": cohort.pk,
            "title": "Folien",
            "title_en": "Slides",
            "link": "example.org/folien",
        },
    )
    assert Session.objects.values_list("description", "description_en").get() == (
        "Einführung",
        "Introduction",
    )
    assert Material.objects.values_list("title", "title_en").get() == ("Folien", "Slides")
