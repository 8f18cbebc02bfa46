"""The restore drill: seed a realistic installation, back it up, wipe database and object
store, restore, and find every row and every file as it was, certificates still verifying."""

import hashlib
import json

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.urls import reverse

from applications.models import Application
from certificates import services
from certificates.models import Certificate
from portal.mail import queue_mail
from portal.mail.models import OutboxMessage
from tests.applications.conftest import make_draft
from tests.certificates.test_certificates import NOW, cohort, coordinator, graduate  # noqa: F401
from tests.factories import UserFactory

# ruff: noqa: F811 - the certificate tests' fixtures are used as fixtures here

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def every_row() -> dict[str, list[dict]]:
    return {
        model._meta.db_table: list(model.objects.order_by("pk").values())
        for model in apps.get_models(include_auto_created=True)
    }


def every_object(s3) -> dict[str, bytes]:
    listing = s3.list_objects_v2(Bucket=s3.bucket).get("Contents", [])
    return {item["Key"]: s3.get_object(Bucket=s3.bucket, Key=item["Key"])["Body"].read() for item in listing}


def wipe(s3) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    for key in every_object(s3):
        s3.delete_object(Bucket=s3.bucket, Key=key)
    assert connection.introspection.table_names() == [] and every_object(s3) == {}


def seed(cohort, coordinator, django_capture_on_commit_callbacks):
    applicant = UserFactory(first_name="Jördis", last_name="Groß-Nüßlein")
    make_draft(cohort, applicant)
    submitted = make_draft(cohort, UserFactory())
    Application.objects.filter(pk=submitted.pk).update(
        status="submitted", sequence=1, reference="SCM-3-0001", submitted_at=NOW
    )
    graduate(cohort, coordinator, first_name="Łucja", last_name="Wójcik")
    graduate(cohort, coordinator, first_name="Ömer", last_name="Çelik")
    with django_capture_on_commit_callbacks(execute=True):
        certificates = services.issue_certificates(cohort=cohort, by=coordinator, at=NOW)
    queue_mail(recipient="wartet@example.org", subject="Noch nicht versandt", body_text="…", kind="test")
    return certificates


def test_restore_drill_brings_back_every_row_and_file(
    s3, cohort, coordinator, client, tmp_path, django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    certificates = seed(cohort, coordinator, django_capture_on_commit_callbacks)
    assert len(certificates) == 2 and OutboxMessage.objects.exclude(attachment="").count() == 2
    rows, files = every_row(), every_object(s3)
    assert len(files) == 4  # two letters, two certificates

    call_command("backup", output=str(tmp_path / "backup"))
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["portal_version"] and manifest["migrations"]["certificates"]
    assert {entry["name"]: entry["sha256"] for entry in manifest["files"]} == {
        name: hashlib.sha256(content).hexdigest() for name, content in files.items()
    }

    wipe(s3)
    call_command("restore", str(tmp_path / "backup"))

    assert every_row() == rows
    assert every_object(s3) == files
    for certificate in Certificate.objects.all():
        content = certificate.pdf.read()
        assert hashlib.sha256(content).hexdigest() == certificate.sha256
        response = client.post(reverse("certificates:verify"), {"datei": _upload(content)})
        result = response.context["pdf_result"]
        assert result.genuine and result.certificate == certificate
    # The sequences came back too: new rows get new keys.
    new = queue_mail(recipient="neu@example.org", subject="Neu", body_text="…", kind="test")
    assert new.pk > max(row["id"] for row in rows["portal_outboxmessage"])


def _upload(content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("zertifikat.pdf", content, content_type="application/pdf")


def test_restore_refuses_a_tampered_backup_and_a_non_empty_installation(s3, tmp_path):
    UserFactory()
    call_command("backup", output=str(tmp_path / "backup"))
    with pytest.raises(CommandError, match="nur in eine leere Installation"):
        call_command("restore", str(tmp_path / "backup"))
    dump = tmp_path / "backup" / "database.dump"
    dump.write_bytes(dump.read_bytes() + b"x")
    wipe(s3)
    with pytest.raises(CommandError, match="Prüfsumme von database.dump"):
        call_command("restore", str(tmp_path / "backup"))
    call_command("migrate", verbosity=0)  # leave a usable schema for the next test


def test_a_backup_of_an_older_schema_is_migrated_on_restore(s3, tmp_path):
    loader = MigrationLoader(connection)
    (leaf,) = loader.graph.leaf_nodes("certificates")
    previous = next(
        parent for parent in loader.graph.node_map[leaf].parents if parent.key[0] == "certificates"
    )
    user = UserFactory(email="alt@example.org")
    call_command("migrate", "certificates", previous.key[1], verbosity=0)
    call_command("backup", output=str(tmp_path / "backup"))
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["migrations"]["certificates"] == previous.key[1]

    wipe(s3)
    call_command("restore", str(tmp_path / "backup"))
    assert MigrationRecorder.Migration.objects.filter(app="certificates", name=leaf[1]).exists()
    assert type(user).objects.get(pk=user.pk).email == "alt@example.org"
