"""The exports of admin lists are in the data-protection registry: the person's own archive lists
them, erasure deletes them with their files, and the retention run deletes them after the
export period (``PORTAL_EXPORT_KEEP_DAYS``), files included."""

import datetime as dt
import io
import json
import zipfile

import pytest
from django.core.files.base import ContentFile

from portal.exports.models import ExportJob
from portal.privacy import registry as data_protection
from tests.factories import UserFactory

from .conftest import media_files

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 7, 12, tzinfo=dt.UTC)


def job(owner, *, at=NOW, status=ExportJob.Status.DONE, content=b"Referenz;Name\nSCM-1;Anna Beispiel\n"):
    made = ExportJob.objects.create(
        owner=owner,
        model_label="applications.Application",
        permission="applications.view_application",
        object_ids=[1],
        file_format="csv",
        filename=f"Bewerbungen-{owner.pk}.csv",
        status=status,
        total=1,
        done=1,
        created_at=at,
        finished_at=at if status == ExportJob.Status.DONE else None,
    )
    if content is not None:
        made.file.save(made.filename, ContentFile(content))
    return made


def test_the_archive_lists_the_persons_exports_but_not_the_files_of_other_peoples_data():
    reviewer, other = UserFactory(is_staff=True), UserFactory(is_staff=True)
    job(reviewer)
    job(other)
    buffer = data_protection.build_archive(reviewer, at=NOW)
    archive = zipfile.ZipFile(io.BytesIO(buffer.read()))
    listed = json.loads(archive.read("exporte.json"))
    assert [(row["filename"], row["rows"], row["file_kept"]) for row in listed] == [
        (f"Bewerbungen-{reviewer.pk}.csv", 1, True)
    ]
    assert "Anna Beispiel" not in "".join(archive.read(name).decode() for name in archive.namelist())


def test_erasure_deletes_the_persons_exports_and_their_files(settings, django_capture_on_commit_callbacks):
    reviewer, other = UserFactory(is_staff=True), UserFactory(is_staff=True)
    own, kept = job(reviewer), job(other)
    assert {own.file.name, kept.file.name} <= media_files(settings)
    with django_capture_on_commit_callbacks(execute=True):
        data_protection.erase_account(user=reviewer, at=NOW)
    assert not ExportJob.objects.filter(owner_id=reviewer.pk).exists()
    assert own.file.name not in media_files(settings)
    assert ExportJob.objects.filter(pk=kept.pk).exists() and kept.file.name in media_files(settings)


def test_retention_deletes_exports_after_the_period_with_their_files(
    settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_EXPORT_KEEP_DAYS = 7
    reviewer = UserFactory(is_staff=True)
    old = job(reviewer, at=NOW - dt.timedelta(days=8))
    never_built = job(reviewer, at=NOW - dt.timedelta(days=8), status=ExportJob.Status.FAILED, content=None)
    young = job(reviewer, at=NOW - dt.timedelta(days=6))
    with django_capture_on_commit_callbacks(execute=True):
        counts = data_protection.run_retention(at=NOW)
    assert counts["exports_deleted"] == 2
    assert list(ExportJob.objects.values_list("pk", flat=True)) == [young.pk]
    assert media_files(settings) == {young.file.name}
    assert not ExportJob.objects.filter(pk__in=[old.pk, never_built.pk]).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert data_protection.run_retention(at=NOW)["exports_deleted"] == 0  # safe to run again


def test_the_notice_names_the_exports_and_their_configured_period(client, settings):
    from django.urls import reverse

    settings.PORTAL_EXPORT_KEEP_DAYS = 5
    html = client.get(reverse("privacy")).content.decode()
    assert "löschen sie nach 5 Tagen mitsamt dem Auftrag" in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(reverse("privacy"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "together with the request, after 5 days" in english
