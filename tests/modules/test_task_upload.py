"""Uploading a practical task: at the deadline's boundary, and what a refusal tells the person."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cohorts.models import Enrollment
from modules.models import Module, TaskDeadline, TaskSubmission
from tests.applications.conftest import pdf_bytes
from tests.factories import CohortFactory, EnrollmentFactory, berlin

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def cohort(db):
    return CohortFactory(
        number=3,
        start_date=dt.date(2022, 10, 10),
        end_date=dt.date(2022, 12, 16),
        applications_open_at=berlin(2022, 8, 1),
        applications_close_on=dt.date(2022, 9, 30),
    )


@pytest.fixture
def module(cohort):
    return Module.objects.create(programme=cohort.programme, position=1, title="Modul 1")


@pytest.fixture
def participant(client, cohort):
    enrollment = EnrollmentFactory(cohort=cohort, state=Enrollment.State.CONFIRMED)
    client.force_login(enrollment.user)
    return enrollment


def pdf(name="aufgabe.pdf"):
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


@pytest.mark.parametrize(
    ("day", "shown"),
    [
        (dt.date(2022, 10, 28), "28.10.2022, 23:59"),  # summer time
        (dt.date(2022, 11, 6), "06.11.2022, 23:59"),  # winter time
    ],
)
def test_a_task_due_at_2359_is_taken_at_235959_and_refused_at_midnight(
    client, module, participant, day, shown
):
    # Coordinators enter "23:59"; the whole minute counts, as the page says "bis 23:59 Uhr".
    TaskDeadline.objects.create(
        cohort=participant.cohort, module=module, due_at=berlin(day.year, day.month, day.day, 23, 59)
    )
    url = reverse("modules:task_upload", args=[module.pk])
    with time_machine.travel(berlin(day.year, day.month, day.day, 23, 59, 59), tick=False):
        response = client.post(url, {"kind": "task", "file": pdf("rechtzeitig.pdf")})
    assert response["Location"] == reverse("modules:dashboard")
    assert TaskSubmission.objects.get().file_name == "rechtzeitig.pdf"

    next_day = day + dt.timedelta(days=1)
    with time_machine.travel(berlin(next_day.year, next_day.month, next_day.day, 0, 0, 0), tick=False):
        response = client.post(url, {"kind": "task", "file": pdf("zu-spaet.pdf")})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Die Datei wurde nicht gespeichert." in html
    assert f"Die Abgabefrist endete am {shown} Uhr." in html
    assert f'href="#module-{module.pk}"' in html  # the message leads to the module concerned
    assert f'id="task-{module.pk}"' not in html  # after the deadline the page offers no upload
    assert TaskSubmission.objects.get().file_name == "rechtzeitig.pdf"


@time_machine.travel(berlin(2022, 11, 1, 10), tick=False)
def test_a_refused_file_says_it_was_not_kept_and_why(client, module, participant):
    response = client.post(
        reverse("modules:task_upload", args=[module.pk]),
        {"kind": "task", "file": SimpleUploadedFile("aufgabe.pdf", b"MZ\x90\x00")},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Die Datei wurde nicht gespeichert. Diese Datei hat kein erlaubtes Format." in html
    # The reason stands at the upload's own form as well, tied to its input.
    field = f"task-{module.pk}"
    assert f'id="{field}_error"' in html and f'aria-describedby="{field}_error"' in html
    assert 'aria-invalid="true"' in html
    assert not TaskSubmission.objects.exists()


@time_machine.travel(berlin(2022, 11, 1, 10), tick=False)
def test_sending_without_a_file_asks_for_one_at_the_form(client, module, participant):
    response = client.post(reverse("modules:task_upload", args=[module.pk]), {"kind": "task"})
    assert response.status_code == 400
    assert "Bitte wählen Sie eine Datei aus." in response.content.decode()
    assert f'id="task-{module.pk}_error"' in response.content.decode()


@time_machine.travel(berlin(2022, 11, 1, 10), tick=False)
def test_too_many_uploads_say_the_file_was_not_kept(client, module, participant):
    url = reverse("modules:task_upload", args=[module.pk])
    for _ in range(30):
        client.post(url, {"kind": "task", "file": pdf()})
    response = client.post(url, {"kind": "task", "file": pdf("einunddreissig.pdf")})
    assert response.status_code == 400
    assert "Die Datei wurde nicht gespeichert. Sie haben in kurzer Zeit sehr viele Dateien" in (
        response.content.decode()
    )
    assert TaskSubmission.objects.get().file_name == "aufgabe.pdf"
