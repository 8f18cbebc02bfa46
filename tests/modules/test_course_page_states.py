"""The course page shows each module's real state and offers no upload the server would refuse."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from modules.models import TaskDeadline, TaskSubmission
from modules.progress import module_state
from tests.applications.conftest import pdf_bytes
from tests.factories import berlin

from .conftest import session

pytestmark = pytest.mark.django_db


class FakeSession:
    def __init__(self, start, end):
        self.starts_at, self.ends_at = start, end


FIRST = FakeSession(berlin(2022, 10, 25, 13), berlin(2022, 10, 25, 15))
SECOND = FakeSession(berlin(2022, 11, 1, 13), berlin(2022, 11, 1, 15))
DEADLINE = berlin(2022, 11, 15, 23, 59)


@pytest.mark.parametrize(
    ("now", "sessions", "deadline", "completed", "expected"),
    [
        (berlin(2022, 10, 1), [FIRST, SECOND], DEADLINE, False, "upcoming"),
        (berlin(2022, 10, 25, 14), [FIRST, SECOND], DEADLINE, False, "in_progress"),
        (berlin(2022, 11, 10), [FIRST, SECOND], DEADLINE, False, "in_progress"),  # task still open
        (berlin(2022, 11, 16), [FIRST, SECOND], DEADLINE, False, "ended"),
        (berlin(2022, 11, 2), [FIRST, SECOND], None, False, "ended"),
        (berlin(2024, 1, 1), [FIRST, SECOND], DEADLINE, False, "ended"),  # years later: no longer "läuft"
        (berlin(2024, 1, 1), [FIRST, SECOND], DEADLINE, True, "completed"),
        (berlin(2024, 1, 1), [], None, False, "upcoming"),  # nothing planned yet
    ],
)
def test_module_state(now, sessions, deadline, completed, expected):
    assert module_state(sessions=sessions, completed=completed, deadline_at=deadline, now=now) == expected


def _module_card(page: str, title: str) -> str:
    start = page.index(title)
    return page[start : page.index("</article>", start)]


def test_a_2022_cohort_seen_later_shows_ended_modules_and_no_upload_form(
    client,
    cohort,
    modules,
    participant,
):
    session(cohort, modules[0], dt.date(2022, 10, 25))
    session(cohort, modules[1], dt.date(2022, 11, 8))
    TaskDeadline.objects.create(cohort=cohort, module=modules[0], due_at=berlin(2022, 11, 15, 23, 59))
    client.force_login(participant.user)
    with time_machine.travel(berlin(2024, 3, 1, 10), tick=False):
        page = client.get(reverse("modules:dashboard")).content.decode()
    first = _module_card(page, "1. Modul 1")
    assert "(beendet, nicht abgeschlossen)" in first and "(läuft)" not in first
    assert 'name="file"' not in first
    assert "Die Abgabefrist endete am 15.11.2022, 23:59 Uhr. Ein Hochladen ist nicht mehr möglich." in first
    assert 'href="mailto:kurs@example.org"' in first and "Programmkoordination" in first
    second = _module_card(page, "2. Modul 2")
    assert "(beendet, nicht abgeschlossen)" in second
    assert 'name="file"' in second  # no deadline was set for this task
    third = _module_card(page, "3. Modul 3")
    assert "(Termine noch nicht geplant)" in third


def test_while_the_task_is_open_the_module_runs_and_the_form_is_there(
    client,
    cohort,
    modules,
    participant,
):
    session(cohort, modules[0], dt.date(2022, 10, 25))
    TaskDeadline.objects.create(cohort=cohort, module=modules[0], due_at=berlin(2022, 11, 15, 23, 59))
    client.force_login(participant.user)
    with time_machine.travel(berlin(2022, 11, 15, 23, 0), tick=False):
        page = client.get(reverse("modules:dashboard")).content.decode()
        first = _module_card(page, "1. Modul 1")
        assert "(läuft)" in first and 'id="task-' in first
        response = client.post(
            reverse("modules:task_upload", args=[modules[0].pk]),
            {"kind": "task", "file": SimpleUploadedFile("aufgabe.pdf", pdf_bytes(), "application/pdf")},
            follow=True,
        )
    assert "ist eingegangen" in response.content.decode()
    assert TaskSubmission.objects.get().file_name == "aufgabe.pdf"
    with time_machine.travel(berlin(2022, 11, 16, 0, 1), tick=False):
        page = client.get(reverse("modules:dashboard")).content.decode()
    first = _module_card(page, "1. Modul 1")
    assert 'id="task-' not in first and "Die Abgabefrist endete am" in first
    assert "aufgabe.pdf" in first  # the submission itself stays visible
