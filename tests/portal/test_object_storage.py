"""Every stored file in S3-compatible object storage, against a real S3 HTTP endpoint (moto's
server mode): private objects, permission-checked streaming or short-lived signed URLs, workers
that write and read through the storage API, and the copy of an existing media folder."""

import hashlib
import io
import urllib.error
import urllib.request
import zipfile
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from certificates import services
from tests.applications.conftest import make_draft, pdf_bytes
from tests.certificates.test_certificates import NOW, cohort, coordinator, graduate  # noqa: F401
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
# The certificate tests' fixtures are used as fixtures here.
# ruff: noqa: F811


def objects(s3) -> dict[str, bytes]:
    listing = s3.list_objects_v2(Bucket=s3.bucket).get("Contents", [])
    return {item["Key"]: s3.get_object(Bucket=s3.bucket, Key=item["Key"])["Body"].read() for item in listing}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_settings_build_a_private_s3_storage_from_the_environment(s3):
    from django.core.files.storage import default_storage

    assert default_storage.__class__.__name__ == "S3Storage"
    assert default_storage.bucket_name == s3.bucket
    assert default_storage.default_acl is None and default_storage.querystring_auth is True
    assert default_storage.file_overwrite is False


def test_endorsement_is_stored_in_the_bucket_and_streamed_only_to_who_may_see_it(
    s3,
    media,
    cohort,
    client,
):
    applicant = UserFactory()
    application = make_draft(cohort, applicant)
    stored = objects(s3)
    assert list(stored) == [application.endorsement.name]
    assert stored[application.endorsement.name] == pdf_bytes()
    assert not media.exists()  # nothing on the local disk

    url = reverse("applications:endorsement", args=[application.pk])
    client.force_login(applicant)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes()
    assert response["Content-Disposition"] == 'attachment; filename="schreiben.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"

    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


def test_the_bucket_is_not_public(s3, cohort, s3_server):
    application = make_draft(cohort, UserFactory())
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{s3_server}/{s3.bucket}/{application.endorsement.name}", timeout=5)  # noqa: S310
    assert refused.value.code == 403


def test_presigned_download_is_short_lived_and_names_the_file(s3, cohort, client, settings):
    settings.PORTAL_S3_PRESIGNED_DOWNLOADS = True
    applicant = UserFactory()
    application = make_draft(cohort, applicant)
    application.endorsement_name = "Brief der Bürgermeisterin.pdf"
    application.save(update_fields=["endorsement_name"])
    client.force_login(applicant)
    response = client.get(reverse("applications:endorsement", args=[application.pk]))
    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["X-Amz-Expires"] == ["120"]
    assert query["response-content-disposition"][0].startswith("attachment;")
    with urllib.request.urlopen(response["Location"], timeout=5) as fetched:  # noqa: S310
        assert fetched.read() == pdf_bytes()
        assert fetched.headers["Content-Type"] == "application/pdf"
        assert "attachment" in fetched.headers["Content-Disposition"]
        assert "Brief" in fetched.headers["Content-Disposition"]
    # A stranger gets no URL at all.
    client.force_login(UserFactory())
    assert client.get(reverse("applications:endorsement", args=[application.pk])).status_code == 404


def test_certificate_is_rendered_into_the_bucket_and_mailed_from_it(
    s3,
    cohort,
    coordinator,
    client,
    django_capture_on_commit_callbacks,
):
    enrollment = graduate(cohort, coordinator, first_name="Jördis", last_name="Groß")
    with django_capture_on_commit_callbacks(execute=True):
        (certificate,) = services.issue_certificates(cohort=cohort, by=coordinator, at=NOW)
    certificate.refresh_from_db()
    stored = objects(s3)[certificate.pdf.name]
    assert stored[:5] == b"%PDF-"
    assert hashlib.sha256(stored).hexdigest() == certificate.sha256
    (message,) = [m for m in mail.outbox if "Zertifikat" in m.subject]
    assert message.attachments[0][1] == stored  # the outbox read the attachment from the bucket
    client.force_login(enrollment.user)
    response = client.get(reverse("certificates:download", args=[certificate.pk]))
    assert b"".join(response.streaming_content) == stored


def test_the_data_export_zip_holds_the_files_from_the_bucket(s3, cohort, client):
    applicant = UserFactory()
    make_draft(cohort, applicant)
    client.force_login(applicant)
    response = client.get(reverse("my_data_export"))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    letters = [name for name in archive.namelist() if name.endswith(".pdf")]
    assert len(letters) == 1 and archive.read(letters[0]) == pdf_bytes()


def test_copy_media_to_storage_copies_and_verifies_each_file(s3, tmp_path, capsys):
    source = tmp_path / "old-media"
    (source / "private" / "endorsements").mkdir(parents=True)
    (source / "private" / "endorsements" / "a.pdf").write_bytes(b"%PDF- a")
    (source / "private" / "certificates").mkdir(parents=True)
    (source / "private" / "certificates" / "SCM-1.pdf").write_bytes(b"%PDF- certificate")
    call_command("copy_media_to_storage", source=str(source))
    assert objects(s3) == {
        "private/endorsements/a.pdf": b"%PDF- a",
        "private/certificates/SCM-1.pdf": b"%PDF- certificate",
    }
    assert "2 kopiert, 0 schon vorhanden" in capsys.readouterr().out
    # Again: nothing copied, both verified.
    call_command("copy_media_to_storage", source=str(source))
    assert "0 kopiert, 2 schon vorhanden und gleich, 0 abweichend" in capsys.readouterr().out
    # A differing object is reported and left alone, and the command fails.
    s3.put_object(Bucket=s3.bucket, Key="private/endorsements/a.pdf", Body=b"something else")
    with pytest.raises(CommandError, match="1 Dateien weichen ab"):
        call_command("copy_media_to_storage", source=str(source))
    assert objects(s3)["private/endorsements/a.pdf"] == b"something else"
