"""A list longer than the threshold is exported in the worker: the reviewer follows the progress
on a page and downloads the file there; nobody else can, and the file is as the streamed one."""

# ruff: noqa: F811 - the applications' fixtures are imported by name

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from openpyxl import load_workbook

from portal.exports import services
from portal.exports.models import ExportJob
from tests.applications.conftest import cohort, reviewer  # noqa: F401 - fixtures
from tests.applications.test_review import submitted
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FORM = {
    "resource": "0",
    "applicationresource_reference": "on",
    "applicationresource_name": "on",
    "applicationresource_status": "on",
}


@pytest.fixture(autouse=True)
def _small_threshold(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PORTAL_EXPORT_BACKGROUND_ROWS = 2


def export(client, file_format: str, **filters):
    url = reverse("admin:applications_application_export")
    query = "?" + "&".join(f"{k}={v}" for k, v in filters.items()) if filters else ""
    return client.post(url + query, {**FORM, "format": "0" if file_format == "csv" else "1"})


def test_a_short_list_is_still_streamed_at_once(client, cohort, reviewer):
    submitted(cohort)
    client.force_login(reviewer)
    response = export(client, "csv")
    assert response.status_code == 200 and response.streaming
    assert not ExportJob.objects.exists()


def test_a_long_list_is_built_in_the_worker_and_downloaded_when_ready(
    client, cohort, reviewer, django_capture_on_commit_callbacks
):
    applications = [submitted(cohort, motivation='=HYPERLINK("x")') for _ in range(3)]
    client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True):  # eager: the worker's task runs here
        response = export(client, "csv")
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("exports:status", args=[job.pk])
    assert job.owner == reviewer and job.total == 3 and job.status == ExportJob.Status.DONE
    page = client.get(response["Location"]).content.decode()
    assert "Der Export ist fertig: 3 Zeilen." in page
    download = client.get(reverse("exports:download", args=[job.pk]))
    assert download.status_code == 200
    assert download["Cache-Control"] == "private, no-store"
    assert "attachment" in download["Content-Disposition"]
    rows = list(
        csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig")), delimiter=";")
    )
    assert rows[0] == ["Aktenzeichen", "Name", "Status"]
    assert [row[0] for row in rows[1:]] == [a.reference for a in applications]


def test_the_xlsx_export_in_the_worker_keeps_the_filter(
    client, cohort, reviewer, django_capture_on_commit_callbacks
):
    for _ in range(3):
        submitted(cohort)
    submitted(cohort, municipality=None, other_employer="Landkreis Barnim")
    client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        export(client, "xlsx", **{"municipality__district": "Potsdam"})
    job = ExportJob.objects.get()
    assert job.total == 3 and job.file_format == "xlsx"
    content = b"".join(client.get(reverse("exports:download", args=[job.pk])).streaming_content)
    sheet = load_workbook(io.BytesIO(content)).active
    references = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert references == ["SCM-3-0001", "SCM-3-0002", "SCM-3-0003"]


def test_progress_shows_while_the_worker_builds(client, cohort, reviewer):
    for _ in range(3):
        submitted(cohort)
    client.force_login(reviewer)
    response = export(client, "csv")  # no commit callbacks: the task has not run yet
    job = ExportJob.objects.get()
    ExportJob.objects.filter(pk=job.pk).update(status="running", done=1)
    page = client.get(response["Location"]).content.decode()
    assert "1 von 3 Zeilen" in page and "<progress" in page
    assert client.get(reverse("exports:download", args=[job.pk])).status_code == 404


def test_nobody_else_can_see_or_download_an_export(
    client, cohort, reviewer, django_capture_on_commit_callbacks
):
    for _ in range(3):
        submitted(cohort)
    client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        export(client, "csv")
    job = ExportJob.objects.get()
    colleague = UserFactory(is_staff=True)
    colleague.groups.add(Group.objects.get(name="reviewers"))
    coordinator = UserFactory(is_staff=True)
    coordinator.groups.add(Group.objects.get(name="coordinators"))
    for other in (
        colleague,
        coordinator,
        UserFactory(is_staff=True, is_superuser=True),
    ):
        client.force_login(other)
        assert client.get(reverse("exports:status", args=[job.pk])).status_code == 404
        assert client.get(reverse("exports:download", args=[job.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("exports:download", args=[job.pk])).status_code == 302  # to the login
    # The owner who lost the right to read the list loses the file too.
    reviewer.groups.clear()
    client.force_login(reviewer)
    assert client.get(reverse("exports:download", args=[job.pk])).status_code == 404


def test_a_lost_export_is_handed_on_and_built_once(
    cohort, reviewer, settings, django_capture_on_commit_callbacks
):
    for _ in range(3):
        submitted(cohort)
    from django.utils import timezone

    at = timezone.now()
    job = services.request_export(
        owner=reviewer,
        model_label="applications.Application",
        permission="applications.view_application",
        object_ids=list(cohort.applications.order_by("pk").values_list("pk", flat=True)),
        fields=["reference"],
        file_format="csv",
        filename="bewerbungen.csv",
        at=at,
    )  # its task never reached a worker
    assert services.sweep(now=at + dt.timedelta(seconds=settings.PORTAL_WORK_LEASE_SECONDS - 1)) == {
        "requeued": 0,
        "expired": 0,
    }
    later = at + dt.timedelta(seconds=settings.PORTAL_WORK_LEASE_SECONDS)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep(now=later)["requeued"] == 1
        assert services.sweep(now=later)["requeued"] == 0  # handed over again just now
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.attempts == 1
    first = job.file.name
    assert services.build(job_id=job.pk, at=later).file.name == first  # a late duplicate changes nothing
    # Files hold personal data: they are deleted after the keeping period.
    gone = job.finished_at + dt.timedelta(days=settings.PORTAL_EXPORT_KEEP_DAYS)
    assert services.sweep(now=gone) == {"requeued": 0, "expired": 1}
    job.refresh_from_db()
    assert job.status == ExportJob.Status.EXPIRED and not job.file and job.object_ids == []


def test_the_page_asks_for_its_progress_and_is_offered_the_download_when_done(
    client, cohort, reviewer, django_capture_on_commit_callbacks, django_assert_num_queries
):
    for _ in range(3):
        submitted(cohort)
    client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = export(client, "csv")
    job = ExportJob.objects.get()
    ExportJob.objects.filter(pk=job.pk).update(status="running", done=1)
    progress_url = reverse("exports:progress", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert f'data-export-progress="{progress_url}"' in page and "js/export-progress.js" in page
    assert '<div id="export-result" role="status"></div>' in page  # announced once, when finished
    assert "Stand aktualisieren" in page  # without JavaScript: the button reloads
    with django_assert_num_queries(5):  # session, user, the job, its permission (own and groups)
        running = client.get(progress_url)
    assert running["Cache-Control"] == "no-store"
    state = running.json()
    assert state["finished"] is False and (state["done"], state["total"], state["percent"]) == (1, 3, 33)
    assert state["progress_text"] == "Der Export wird im Hintergrund erstellt: 1 von 3 Zeilen."
    assert state["download_url"] is None and state["result_html"] == ""
    ExportJob.objects.filter(pk=job.pk).update(status="queued", claimed_at=None)
    for callback in queued:
        callback()
    finished = client.get(progress_url).json()
    assert finished["finished"] is True and finished["status"] == "done"
    download = reverse("exports:download", args=[job.pk])
    assert finished["download_url"] == download and f'href="{download}"' in finished["result_html"]
    assert "Der Export ist fertig: 3 Zeilen." in finished["result_html"]
    page = client.get(response["Location"]).content.decode()
    assert "data-export-progress" not in page and "export-progress.js" not in page
    # Nobody else learns anything about the job through its progress.
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(progress_url).status_code == 404


def test_an_export_of_all_cohorts_in_the_worker_keeps_the_rows_of_every_cohort(
    client, cohort, reviewer, django_capture_on_commit_callbacks
):
    from tests.factories import CohortFactory

    earlier = CohortFactory(number=cohort.number + 5)
    rows = [submitted(cohort) for _ in range(2)] + [submitted(earlier) for _ in range(2)]
    client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = export(client, "csv", durchgang="alle")
    job = ExportJob.objects.get()
    assert response.status_code == 302 and job.total == 4 and job.status == ExportJob.Status.DONE
    download = client.get(reverse("exports:download", args=[job.pk]))
    exported = list(
        csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig")), delimiter=";")
    )
    assert sorted(row[0] for row in exported[1:]) == sorted(a.reference for a in rows)
