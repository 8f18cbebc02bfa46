"""One consistent backup of an installation, and its restore into an empty one.

A backup is a folder:

- ``database.dump``: ``pg_dump --format=custom`` of the whole database, one snapshot;
- ``files/<name>``: every stored file, from the object store or the media folder, under its name
  in the storage; copied after the dump, so every file a row of the dump names is there (files
  are never changed in place, only added and deleted);
- ``manifest.json``: the release (version and commit), the latest migration of every app, the
  fingerprints of the keys the data depends on (``portal.ops.backup_keys``), and the size and
  SHA-256 of the dump and of every file.

A backup holds personal data and second-factor secrets: every folder is written 0700 and every
file 0600, whatever the umask. Sessions are left out (their keys are live cookies; the table comes
back empty and everyone signs in again). Given age recipients (``--recipient`` or
``PORTAL_BACKUP_RECIPIENTS``), the folder holds only ``backup.tar.age``: the same three parts in a
tar archive, encrypted to the operator's public keys; the plain parts exist only while the backup
is written, inside its 0700 folder. Restoring it needs an identity file (``--identity``).

The restore checks every checksum before it changes anything, refuses a backup written by a newer
schema than the code knows, warns of every key the restored data needs that this installation
lacks (and stops, unless told to go on), refuses a database that already holds tables, loads the dump with ``pg_restore``, migrates (a backup of an older version is
brought up to the current schema), writes every file back through the storage API and reads each
one back to compare its checksum.
"""

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyrage
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from .backup_keys import key_mismatches, recorded_fingerprints, release

MANIFEST = "manifest.json"
DUMP = "database.dump"
FILES = "files"
ENCRYPTED = "backup.tar.age"
# The table whose rows are live sign-ins: its data is never written to a backup.
EXCLUDED_TABLE_DATA = ["django_session"]


class BackupError(Exception):
    pass


def sha256_file(handle) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(1024 * 1024), b""):
        digest.update(chunk)
    return digest.hexdigest()


def latest_migrations() -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder.Migration.objects.values_list("app", "name").order_by("app", "name"):
        latest[app] = name
    return latest


def _pg_environment() -> tuple[dict, list[str]]:
    database = settings.DATABASES["default"]
    if "postgresql" not in database["ENGINE"]:
        raise BackupError("Sicherung und Wiederherstellung brauchen PostgreSQL (DATABASE_URL).")
    env = {**os.environ}
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    args = []
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if database.get(key):
            args += [option, str(database[key])]
    return env, [*args, "--dbname", database["NAME"]]


def stored_names(path: str = "") -> list[str]:
    """Every file in the default storage, by its name there."""
    directories, files = default_storage.listdir(path)
    names = [f"{path}/{name}" if path else name for name in files]
    for directory in directories:
        names += stored_names(f"{path}/{directory}" if path else directory)
    return sorted(names)


def _safe_target(root: Path, name: str) -> Path:
    target = (root / name).resolve()
    if not target.is_relative_to(root.resolve()) or name.startswith("/"):
        raise BackupError(f"Unzulässiger Dateiname im Speicher: {name!r}")
    return target


@contextmanager
def _private_files() -> Iterator[None]:
    """Everything created meanwhile, by this process and by pg_dump, is its owner's alone."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def _make_private(root: Path) -> None:
    """0700 and 0600 whatever the umask was or what a tool chose."""
    root.chmod(0o700)
    for path in root.rglob("*"):
        path.chmod(0o700 if path.is_dir() else 0o600)


def _recipients(keys: list[str]) -> list:
    try:
        return [pyrage.x25519.Recipient.from_str(key.strip()) for key in keys if key.strip()]
    except pyrage.RecipientError as error:
        raise BackupError(f"Kein gültiger age-Empfänger (age1…): {error}") from error


def create_backup(output: Path, *, recipients: list[str] = ()) -> dict:
    """Write a backup into the new folder ``output``; encrypted to ``recipients`` when given."""
    keys = _recipients(list(recipients))
    with _private_files():
        output.mkdir(parents=True, exist_ok=False)
        output.chmod(0o700)
        try:
            if keys:
                with tempfile.TemporaryDirectory(dir=output, prefix=".klartext-") as plain:
                    manifest = _write_backup(Path(plain))
                    _encrypt(Path(plain), output / ENCRYPTED, keys)
            else:
                manifest = _write_backup(output)
        finally:
            _make_private(output)
    return manifest


def _write_backup(output: Path) -> dict:
    env, args = _pg_environment()
    migrations = latest_migrations()
    excluded = [f"--exclude-table-data={table}" for table in EXCLUDED_TABLE_DATA]
    subprocess.run(  # noqa: S603
        [  # noqa: S607 - pg_dump from the PATH, as the image and the README install it
            "pg_dump",
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            *excluded,
            "--file",
            str(output / DUMP),
            *args,
        ],
        env=env,
        check=True,
    )
    with (output / DUMP).open("rb") as dump:
        database = {"file": DUMP, "sha256": sha256_file(dump), "size": (output / DUMP).stat().st_size}
    files = []
    root = output / FILES
    for name in stored_names():
        target = _safe_target(root, name)
        target.parent.mkdir(parents=True, exist_ok=True)
        with default_storage.open(name, "rb") as source, target.open("wb") as copy:
            shutil.copyfileobj(source, copy, 1024 * 1024)
        with target.open("rb") as copy:
            files.append({"name": name, "sha256": sha256_file(copy), "size": target.stat().st_size})
    found = release()
    manifest = {
        "format": 2,
        "portal_version": f"{found['version']} ({found['commit'][:12]})",
        "release": found,
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "migrations": migrations,
        "keys": recorded_fingerprints(),
        "excluded_table_data": EXCLUDED_TABLE_DATA,
        "database": database,
        "files": files,
    }
    (output / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
    return manifest


def _encrypt(plain: Path, target: Path, recipients: list) -> None:
    archive = plain / ".backup.tar"
    with tarfile.open(archive, "w") as tar:
        for path in sorted(plain.iterdir()):
            if path != archive:
                tar.add(path, arcname=path.name)
    with archive.open("rb") as source, target.open("wb") as encrypted:
        pyrage.encrypt_io(source, encrypted, recipients)


def _identities(paths: list[str]) -> list:
    identities = []
    for path in paths:
        for line in Path(path).read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                try:
                    identities.append(pyrage.x25519.Identity.from_str(line.strip()))
                except pyrage.IdentityError as error:
                    raise BackupError(f"Kein gültiger age-Schlüssel in {path}.") from error
    return identities


@contextmanager
def opened_backup(source: Path, *, identities: list[str] = ()) -> Iterator[Path]:
    """The backup's plain folder: ``source`` itself, or an encrypted backup decrypted into a
    private temporary folder, removed afterwards."""
    encrypted = source / ENCRYPTED if source.is_dir() else source
    if not (encrypted.is_file() and encrypted.name.endswith(".age")):
        yield source  # a plain backup (or none: verify_backup says what is missing)
        return
    if not identities:
        raise BackupError("Die Sicherung ist verschlüsselt: bitte den age-Schlüssel angeben (--identity).")
    keys = _identities(list(identities))
    # Beside the backup, where there is room for it; the system's temporary folder where the
    # backup lies on a read-only mount.
    beside = encrypted.parent if os.access(encrypted.parent, os.W_OK) else None
    with _private_files(), tempfile.TemporaryDirectory(dir=beside, prefix=".restore-") as folder:
        archive = Path(folder) / "backup.tar"
        try:
            with encrypted.open("rb") as source_file, archive.open("wb") as plain:
                pyrage.decrypt_io(source_file, plain, keys)
        except pyrage.DecryptError as error:
            raise BackupError("Die Sicherung lässt sich mit diesem Schlüssel nicht entschlüsseln.") from error
        try:
            with tarfile.open(archive) as tar:
                tar.extractall(Path(folder) / "plain", filter="data")
        except tarfile.TarError as error:
            raise BackupError("Die entschlüsselte Sicherung ist kein lesbares Archiv.") from error
        archive.unlink()
        yield Path(folder) / "plain"


def verify_backup(source: Path) -> dict:
    """The manifest, after checking the dump's and every file's checksum against it."""
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"Kein lesbares {MANIFEST} in {source}.") from error
    with (source / DUMP).open("rb") as dump:
        if sha256_file(dump) != manifest["database"]["sha256"]:
            raise BackupError(f"Prüfsumme von {DUMP} stimmt nicht.")
    for entry in manifest["files"]:
        path = _safe_target(source / FILES, entry["name"])
        if not path.is_file():
            raise BackupError(f"Datei fehlt in der Sicherung: {entry['name']}")
        with path.open("rb") as handle:
            if sha256_file(handle) != entry["sha256"]:
                raise BackupError(f"Prüfsumme stimmt nicht: {entry['name']}")
    return manifest


def unknown_migrations(manifest: dict) -> list[str]:
    """Migrations of the backup that this code does not have: a newer schema than it can run."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return sorted(f"{app}.{name}" for app, name in manifest["migrations"].items() if (app, name) not in known)


def preflight(source: Path, *, accept_key_change: bool = False, stdout=None) -> dict:
    """Everything a restore checks before it changes anything: checksums, schema, keys."""
    manifest = verify_backup(source)
    newer = unknown_migrations(manifest)
    if newer:
        raise BackupError(
            "Die Sicherung stammt von einer neueren Version (unbekannte Migrationen: "
            f"{', '.join(newer)}). Bitte erst auf deren Stand ({manifest.get('portal_version')}) aktualisieren."
        )
    if "keys" not in manifest:
        warnings = [
            "Die Sicherung nennt keine Schlüssel (älteres Format): bitte die Schlüssel selbst prüfen."
        ]
    else:
        warnings = key_mismatches(manifest["keys"])
    for warning in warnings:
        if stdout is not None:
            stdout.write(f"WARNUNG: {warning}")
    if warnings and "keys" in manifest and not accept_key_change:
        raise BackupError(
            "Die eingerichteten Schlüssel passen nicht zur Sicherung (siehe Warnungen); nichts wurde "
            "verändert. Schlüssel einrichten, oder mit --accept-key-change trotzdem wiederherstellen."
        )
    return manifest


def restore_backup(source: Path, *, accept_key_change: bool = False, stdout=None) -> dict:
    manifest = preflight(source, accept_key_change=accept_key_change, stdout=stdout)
    env, args = _pg_environment()
    if connection.introspection.table_names():
        raise BackupError(
            "Die Datenbank enthält schon Tabellen: Wiederherstellen nur in eine leere Installation."
        )
    existing = stored_names()
    if existing:
        raise BackupError(f"Der Dateispeicher ist nicht leer ({len(existing)} Dateien).")
    connection.close()
    subprocess.run(  # noqa: S603
        ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", *args, str(source / DUMP)],  # noqa: S607
        env=env,
        check=True,
    )
    call_command("migrate", interactive=False, verbosity=1 if stdout else 0, stdout=stdout)
    for entry in manifest["files"]:
        path = _safe_target(source / FILES, entry["name"])
        with path.open("rb") as handle:
            saved = default_storage.save(entry["name"], File(handle, name=entry["name"]))
        if saved != entry["name"]:
            raise BackupError(f"Der Speicher hat {entry['name']} unter {saved} abgelegt.")
        with default_storage.open(saved, "rb") as stored:
            if sha256_file(stored) != entry["sha256"]:
                raise BackupError(f"Prüfsumme nach dem Zurückschreiben falsch: {saved}")
    return manifest
