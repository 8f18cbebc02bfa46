"""What operations show people: the coordinator finds a stuck certificate and starts it again;
a reviewer follows an export built in the worker, on a page that updates itself, and downloads it. Both pages pass axe-core and
reflow at 1366, 390 and 320 px (``PORTAL_SCREENSHOTS=<folder>`` saves what they look like)."""

# ruff: noqa: F811 - the certificates' fixtures are imported by name

import datetime as dt
import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from certificates import services as certificate_services
from certificates.models import Certificate
from portal.exports import services as export_services
from portal.exports.models import ExportJob
from tests.applications.test_review import submitted
from tests.certificates.test_certificates import cohort, coordinator, graduate  # noqa: F401 - fixtures
from tests.e2e.test_account_journeys import log_in
from tests.factories import CohortFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "ein-sicheres-Passwort-1"
SCREENSHOTS = os.environ.get("PORTAL_SCREENSHOTS", "")


def look(page, axe, role: str, name: str) -> None:
    for width in (1366, 390, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()
        axe()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), width
        if SCREENSHOTS:
            folder = Path(SCREENSHOTS) / role
            folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(folder / f"{width}-{name}.png"), full_page=True)


def test_the_coordinator_starts_a_stuck_certificate_again(
    page, axe, live_server, cohort, coordinator, settings
):
    coordinator.set_password(PASSWORD)
    coordinator.save()
    for _ in range(2):
        graduate(cohort, coordinator)
    long_ago = timezone.now() - dt.timedelta(seconds=settings.PORTAL_WORK_LEASE_SECONDS + 60)
    stuck = certificate_services.issue_certificates(cohort=cohort, by=coordinator, at=long_ago)
    # Their tasks got lost before a worker began (here the eager tasks ran; undo what they did).
    Certificate.objects.filter(pk__in=[c.pk for c in stuck]).update(
        status="pending", queued_at=long_ago, claimed_at=None, pdf="", render_attempts=0
    )
    log_in(page, axe, live_server.url, coordinator.email, PASSWORD)
    page.goto(live_server.url + reverse("certificates:cohort", args=[cohort.pk]))
    axe()
    expect(page.get_by_role("heading", name="Hängengebliebene Zertifikate")).to_be_visible()
    look(page, axe, "coordinator", "stuck-certificates")
    page.get_by_role("button", name=f"{stuck[0].number} erneut anstoßen").click()
    axe()
    expect(page.get_by_text(f"Das Zertifikat {stuck[0].number} wird erneut erstellt.")).to_be_visible()
    assert Certificate.objects.get(pk=stuck[0].pk).status == "issued"


def test_the_reviewer_follows_and_downloads_an_export_built_in_the_worker(
    page, axe, live_server, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    reviewer = UserFactory(email="rita@example.org", is_staff=True)
    reviewer.set_password(PASSWORD)
    reviewer.save()
    reviewer.groups.add(Group.objects.get(name="reviewers"))
    applications_cohort = CohortFactory(number=3)
    for _ in range(3):
        submitted(applications_cohort)
    ids = list(applications_cohort.applications.order_by("pk").values_list("pk", flat=True))
    waiting = export_services.request_export(
        owner=reviewer,
        model_label="applications.Application",
        permission="applications.view_application",
        object_ids=ids,
        fields=["reference", "name"],
        file_format="xlsx",
        filename="Bewerbungen-2026-12-07.xlsx",
        at=timezone.now(),
    )
    ExportJob.objects.filter(pk=waiting.pk).update(status="running", done=1, file="")
    log_in(page, axe, live_server.url, reviewer.email, PASSWORD)
    page.goto(live_server.url + reverse("exports:status", args=[waiting.pk]))
    axe()
    expect(page.get_by_text("1 von 3 Zeilen")).to_be_visible()
    look(page, axe, "reviewer", "export-running")
    expect(page.get_by_role("link", name="Stand aktualisieren")).to_be_hidden()  # the page polls
    ExportJob.objects.filter(pk=waiting.pk).update(done=2)
    expect(page.get_by_text("2 von 3 Zeilen")).to_be_visible()
    assert page.locator("#export-progress").evaluate("bar => bar.value") == 2
    page.evaluate("window.stayedOnPage = true")
    ExportJob.objects.filter(pk=waiting.pk).update(status="queued", claimed_at=None)
    export_services.build(job_id=waiting.pk, at=timezone.now())
    # No reload: the result arrives in the polite status region, download included.
    expect(page.get_by_role("status")).to_contain_text("Der Export ist fertig: 3 Zeilen.")
    assert page.evaluate("window.stayedOnPage === true")
    expect(page.get_by_role("link", name="Datei herunterladen (XLSX)")).to_be_visible()
    axe()
    look(page, axe, "reviewer", "export-done")
    with page.expect_download() as download:
        page.get_by_role("link", name="Datei herunterladen (XLSX)").click()
    assert download.value.suggested_filename == "Bewerbungen-2026-12-07.xlsx"
