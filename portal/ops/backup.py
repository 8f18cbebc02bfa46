"""One consistent backup of an installation, and its restore into an empty one.

A backup is a folder:

- ``database.dump``: ``pg_dump --format=custom`` of the whole database, one snapshot;
- ``files/<name>``: every stored file, from the object store or the media folder, under its name
  in the storage; copied after the dump, so every file a row of the dump names is there (files
  are never changed in place, only added and deleted);
- ``manifest.json``: the portal's version, the latest migration of every app, and the size and
  SHA-256 of the dump and of every file.

The restore checks every checksum before it changes anything, refuses a database that already
holds tables, loads the dump with ``pg_restore``, migrates (a backup of an older version is
brought up to the current schema), writes every file back through the storage API and reads each
one back to compare its checksum.
"""

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
from importlib import metadata
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

MANIFEST = "manifest.json"
DUMP = "database.dump"
FILES = "files"


class BackupError(Exception):
    pass


def sha256_file(handle) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(1024 * 1024), b""):
        digest.update(chunk)
    return digest.hexdigest()


def portal_version() -> str:
    try:
        return metadata.version("smart-city-manager-portal")
    except metadata.PackageNotFoundError:
        import tomllib

        return tomllib.loads((settings.BASE_DIR / "pyproject.toml").read_text())["project"]["version"]


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


def create_backup(output: Path) -> dict:
    output.mkdir(parents=True, exist_ok=False)
    env, args = _pg_environment()
    migrations = latest_migrations()
    subprocess.run(  # noqa: S603
        ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(output / DUMP), *args],  # noqa: S607
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
    manifest = {
        "format": 1,
        "portal_version": portal_version(),
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "migrations": migrations,
        "database": database,
        "files": files,
    }
    (output / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
    return manifest


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


def restore_backup(source: Path, *, stdout=None) -> dict:
    manifest = verify_backup(source)
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
