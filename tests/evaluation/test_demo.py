"""The demo gives the evaluator a dashboard with something to show, and seeding twice adds nothing."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from applications.models import Application
from cohorts.models import Cohort
from evaluation.models import WaveResponse
from modules.models import Attendance, Session, TaskSubmission
from portal.accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def counts():
    return (
        Application.objects.count(),
        Session.objects.count(),
        Attendance.objects.count(),
        TaskSubmission.objects.count(),
        WaveResponse.objects.filter(module__isnull=False).count(),
    )


def test_the_demo_evaluator_sees_the_history_of_the_first_cohorts(client):
    call_command("seed_demo", stdout=io.StringIO())
    first = counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert counts() == first

    cohorts = {c.number: c for c in Cohort.objects.filter(programme__slug="smart-city-manager")}
    for number in (1, 2, 3):
        cohort = cohorts[number]
        participants = cohort.enrollments.confirmed().exclude(user__email="teilnehmer@example.org").count()
        # Everybody with a seat applied, and seven did not get one.
        assert cohort.applications.filter(status="accepted").count() == participants
        assert cohort.applications.count() == participants + 7
        # Cohort 1 comes through the import of earlier cohorts, whose records list attendance per
        # module (one session each); the others have two sessions per module.
        assert cohort.sessions.count() == (5 if number == 1 else 10)
        assert WaveResponse.objects.filter(module__isnull=False, enrollment__cohort=cohort).exists()
    # The demo participant keeps exactly what the curriculum demo gave them.
    assert not WaveResponse.objects.filter(
        module__isnull=False, enrollment__user__email="teilnehmer@example.org"
    ).exists()
    assert not Application.objects.filter(applicant__email="teilnehmer@example.org").exists()

    client.force_login(User.objects.get(email="evaluation@example.org"))
    response = client.get(reverse("evaluation:dashboard"))
    assert response.status_code == 200
    assert "1. Schulungsdurchgang (4. Quartal 2021)" in response.content.decode()
    export = client.get(reverse("evaluation:export", args=["teilnahme", "csv"]))
    assert export.status_code == 200
    assert "teilnahme-1-01@example.org" not in b"".join(export.streaming_content).decode()
