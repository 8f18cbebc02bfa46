"""The restore drill: seed a realistic installation, back it up, wipe database and object
store, restore, and find every row and every file as it was, certificates still verifying."""

import hashlib
import io
import json
import os
import stat
import subprocess
from pathlib import Path

import pyrage
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.urls import reverse

from applications.models import Application
from certificates import keys, services
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


# --- A backup is a secret: private modes, no sessions, encrypted on request, keys checked -----


def _sql_of(dump: Path) -> str:
    """The dump as SQL text, as pg_restore reads it (nothing is restored)."""
    return subprocess.run(
        ["pg_restore", "--file=-", str(dump)], capture_output=True, text=True, check=True
    ).stdout


def _modes(root: Path) -> dict[str, int]:
    """Mode of the folder (".") and of everything in it, by path inside it."""
    return {
        path.relative_to(root).as_posix(): stat.S_IMODE(path.stat().st_mode)
        for path in [root, *root.rglob("*")]
    }


@pytest.mark.parametrize("umask", [0o000, 0o022])
def test_backup_is_written_for_its_owner_alone_and_without_sessions(s3, tmp_path, umask):
    default_storage.save("private/letters/brief.pdf", ContentFile(b"%PDF-1.7 Brief"))
    session = SessionStore()
    session["_auth_user_id"] = str(UserFactory().pk)
    session.create()
    previous = os.umask(umask)
    try:
        call_command("backup", output=str(tmp_path / "backups" / "heute"))
    finally:
        os.umask(previous)
    backup = tmp_path / "backups" / "heute"
    modes = _modes(backup)
    assert len(modes) >= 6  # the folder, the dump, the manifest, files/private/letters/brief.pdf
    assert {mode for path, mode in modes.items() if (backup / path).is_dir()} == {0o700}
    assert {mode for path, mode in modes.items() if (backup / path).is_file()} == {0o600}
    sql = _sql_of(backup / "database.dump")
    assert "CREATE TABLE public.django_session" in sql  # the table comes back, empty
    assert session.session_key not in sql
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["excluded_table_data"] == ["django_session"]
    # The release and the schema it was written by, not a fixed version number.
    assert manifest["release"]["commit"] not in {"", "unbekannt"}
    assert manifest["release"]["commit"][:12] in manifest["portal_version"]
    assert (
        manifest["migrations"]["portal"]
        == MigrationRecorder.Migration.objects.filter(app="portal").latest("id").name
    )
    assert set(manifest["keys"]) >= {"django_secret_key", "evaluation_pseudonym_key"}
    assert django_settings.SECRET_KEY not in json.dumps(manifest)


def test_an_encrypted_backup_holds_no_plain_part_and_restores_with_its_key(s3, tmp_path):
    identity = pyrage.x25519.Identity.generate()
    (tmp_path / "key.txt").write_text(f"# Schlüssel der Sicherung\n{identity}\n")
    (tmp_path / "other.txt").write_text(f"{pyrage.x25519.Identity.generate()}\n")
    user = UserFactory(email="verschluesselt@example.org", first_name="Zoë")
    default_storage.save("private/a.pdf", ContentFile(b"%PDF-1.7 Anhang"))
    call_command("backup", output=str(tmp_path / "backup"), recipient=[str(identity.to_public())])

    backup = tmp_path / "backup"
    assert [path.name for path in backup.rglob("*")] == ["backup.tar.age"]
    assert _modes(backup) == {".": 0o700, "backup.tar.age": 0o600}
    ciphertext = (backup / "backup.tar.age").read_bytes()
    assert ciphertext.startswith(b"age-encryption.org/v1")
    assert b"verschluesselt@example.org" not in ciphertext and b"Anhang" not in ciphertext
    with pytest.raises(CommandError, match="verschlüsselt"):
        call_command("restore", str(backup), check=True)
    with pytest.raises(CommandError, match="nicht entschlüsseln"):
        call_command("restore", str(backup), check=True, identity=[str(tmp_path / "other.txt")])

    wipe(s3)
    call_command("restore", str(backup), identity=[str(tmp_path / "key.txt")])
    assert type(user).objects.get(pk=user.pk).first_name == "Zoë"
    assert default_storage.open("private/a.pdf").read() == b"%PDF-1.7 Anhang"
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".restore-")] == []


def _rsa_key_file(path: Path) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return str(path)


def _public_key_file(private: str, path: Path) -> str:
    key = serialization.load_pem_private_key(Path(private).read_bytes(), password=None)
    path.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return str(path)


def test_restore_warns_before_other_keys_would_break_verification(s3, tmp_path, settings):
    original_secret, original_pseudonym = settings.SECRET_KEY, settings.EVALUATION_PSEUDONYM_KEY
    settings.CERTIFICATE_DEV_KEY_DIR = tmp_path / "keys-alt"
    keys.seal_material()  # the old installation's (test) seal
    settings.OB_SIGNING_KEY_FILE = old_key = _rsa_key_file(tmp_path / "credential-alt.pem")
    UserFactory()
    call_command("backup", output=str(tmp_path / "backup"))

    # Another host: a seal under another CA, another credential key, another secret and pseudonym key.
    settings.CERTIFICATE_DEV_KEY_DIR = tmp_path / "keys-neu"
    keys.seal_material()
    settings.OB_SIGNING_KEY_FILE = _rsa_key_file(tmp_path / "credential-neu.pem")
    settings.SECRET_KEY = "ein-anderer-schluessel-" * 3
    settings.EVALUATION_PSEUDONYM_KEY = "ein-anderer-pseudonym-schluessel"
    out = io.StringIO()
    with pytest.raises(CommandError, match="Schlüssel passen nicht zur Sicherung"):
        call_command("restore", str(tmp_path / "backup"), stdout=out)
    warnings = out.getvalue()
    for key in ("Siegel", "Signaturschlüssel der Nachweise", "DJANGO_SECRET_KEY", "EVALUATION_PSEUDONYM_KEY"):
        assert key in warnings

    # The operator brings the old keys back: the old credential key as a retired one (its public
    # half suffices), the old secret as a fallback, the old seal folder and pseudonym key.
    settings.OB_RETIRED_KEY_FILES = [_public_key_file(old_key, tmp_path / "credential-alt.pub")]
    settings.SECRET_KEY_FALLBACKS = [original_secret]
    settings.CERTIFICATE_DEV_KEY_DIR = tmp_path / "keys-alt"
    settings.EVALUATION_PSEUDONYM_KEY = original_pseudonym
    out = io.StringIO()
    call_command("restore", str(tmp_path / "backup"), check=True, stdout=out)
    assert "WARNUNG" not in out.getvalue() and "passt zu dieser Installation" in out.getvalue()

    # Going on regardless is possible, and said; the restore's own checks still hold.
    settings.EVALUATION_PSEUDONYM_KEY = "noch-ein-anderer"
    with pytest.raises(CommandError, match="nur in eine leere Installation"):
        call_command("restore", str(tmp_path / "backup"), accept_key_change=True, stdout=io.StringIO())


def test_restore_refuses_a_backup_of_a_newer_schema(tmp_path):
    (tmp_path / "backup").mkdir()
    dump = tmp_path / "backup" / "database.dump"
    dump.write_bytes(b"dump")
    manifest = {
        "portal_version": "9.0.0 (abcdef)",
        "migrations": {"portal": "9999_from_the_future"},
        "keys": {},
        "database": {"file": "database.dump", "sha256": hashlib.sha256(b"dump").hexdigest()},
        "files": [],
    }
    (tmp_path / "backup" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match="neueren Version.*portal.9999_from_the_future"):
        call_command("restore", str(tmp_path / "backup"), check=True)
