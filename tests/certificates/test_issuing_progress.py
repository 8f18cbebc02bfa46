# ruff: noqa: F811  (the cohort and coordinator fixtures are those of test_certificates)
"""Issuing a cohort's certificates shows its progress: the request only queues the work, the
page's status region asks for the counts by itself until nothing is in progress, each failure
shows its reason, and everyone who cannot receive a certificate yet is told what is missing."""

import pytest
from django.urls import reverse

from certificates import services
from certificates.models import Certificate
from cohorts.models import Enrollment
from modules.models import TaskSubmission
from tests.factories import EnrollmentFactory, UserFactory

from .test_certificates import NOW, cohort, coordinator, graduate  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_issuing_returns_at_once_and_the_page_polls_until_done(
    client, cohort, coordinator, django_capture_on_commit_callbacks
):
    graduates = [graduate(cohort, coordinator, first_name=f"G{i}", last_name="Absolvent") for i in range(3)]
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(reverse("certificates:issue", args=[cohort.pk]))
    assert response.status_code == 302 and len(queued) == 3  # the rendering waits for the worker
    page = client.get(reverse("certificates:cohort", args=[cohort.pk])).content.decode()
    status_url = reverse("certificates:progress", args=[cohort.pk])
    assert f'data-poll-url="{status_url}" data-poll>' in page and "In Erstellung: 3" in page
    assert "js/poll.js" in page
    status = client.get(status_url)
    assert "X-Poll-Done" not in status and "In Erstellung: 3" in status.content.decode()
    queued[0]()  # the worker renders one certificate
    Certificate.objects.filter(enrollment=graduates[1]).update(
        status=Certificate.Status.FAILED, render_error="Der Name passt nicht auf das Zertifikat."
    )
    body = client.get(status_url).content.decode()
    assert "Ausgestellt: 1" in body and "In Erstellung: 1" in body and "Fehlgeschlagen: 1" in body
    assert "G1 Absolvent:</strong> Der Name passt nicht auf das Zertifikat." in body
    queued[2]()
    done = client.get(status_url)
    assert done["X-Poll-Done"] == "1" and "Ausgestellt: 2" in done.content.decode()
    assert "Liste mit den PDFs aktualisieren" in done.content.decode()
    assert "data-poll>" not in client.get(reverse("certificates:cohort", args=[cohort.pk])).content.decode()


def test_with_eager_tasks_the_page_shows_the_result_and_does_not_poll(
    client, cohort, coordinator, django_capture_on_commit_callbacks
):
    graduate(cohort, coordinator)
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("certificates:issue", args=[cohort.pk]))
    page = client.get(reverse("certificates:cohort", args=[cohort.pk])).content.decode()
    assert "Ausgestellt: 1" in page and "In Erstellung: 0" in page and "data-poll>" not in page


def test_everyone_not_eligible_is_told_what_is_missing(client, cohort, coordinator):
    graduate(cohort, coordinator, first_name="Greta", last_name="Fertig")
    almost = graduate(cohort, coordinator, first_name="Anton", last_name="Fastfertig")
    module = cohort.sessions.order_by("starts_at")[2].module
    TaskSubmission.objects.filter(enrollment=almost, module=module).update(state="returned")
    almost.attendances.filter(session__module__position=4).delete()
    EnrollmentFactory(
        cohort=cohort, state=Enrollment.State.CONFIRMED, user=UserFactory(first_name="Neu", last_name="Ling")
    )
    client.force_login(coordinator)
    page = client.get(reverse("certificates:cohort", args=[cohort.pk])).content.decode()
    assert "Noch nicht berechtigt: 2 Teilnehmer:innen" in page
    assert "<li>Modul 3: Praxisaufgabe zur Überarbeitung zurückgegeben</li>" in page
    assert "<li>Modul 4: Anwesenheit fehlt</li>" in page
    assert "<li>Modul 1: Anwesenheit fehlt, Praxisaufgabe fehlt</li>" in page
    eligible = page[page.index("Berechtigt, noch ohne Zertifikat") : page.index("Noch nicht berechtigt")]
    assert "Greta Fertig" in eligible and "Anton" not in eligible


def test_the_page_costs_the_same_for_few_and_many(client, cohort, coordinator, django_assert_num_queries):
    graduate(cohort, coordinator)
    services.issue_certificates(cohort=cohort, by=coordinator, at=NOW)
    client.force_login(coordinator)
    url = reverse("certificates:cohort", args=[cohort.pk])
    status_url = reverse("certificates:progress", args=[cohort.pk])
    with django_assert_num_queries(12):
        client.get(url)
    with django_assert_num_queries(6):
        client.get(status_url)
    for _ in range(12):
        graduate(cohort, coordinator)
    services.issue_certificates(cohort=cohort, by=coordinator, at=NOW)
    for _ in range(5):
        graduate(cohort, coordinator)
    with django_assert_num_queries(12):
        page = client.get(url).content.decode()
    assert page.count('<th scope="row">SCM-2022-3-') == 13
    with django_assert_num_queries(6):
        client.get(status_url)


def test_only_the_cohorts_coordinators_see_the_progress(client, cohort, coordinator):
    graduate(cohort, coordinator)
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("certificates:progress", args=[cohort.pk])).status_code == 404
    client.force_login(cohort.enrollments.first().user)
    assert client.get(reverse("certificates:progress", args=[cohort.pk])).status_code == 404
