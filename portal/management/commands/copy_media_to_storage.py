import hashlib
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError


def sha256_of(handle) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(1024 * 1024), b""):
        digest.update(chunk)
    return digest.hexdigest()


class Command(BaseCommand):
    help = (
        "Kopiert die Dateien eines lokalen Medienordners unter demselben Namen in den konfigurierten "
        "Speicher (z. B. den S3-Bucket) und prüft jede Kopie an ihrer SHA-256-Prüfsumme. "
        "Bereits vorhandene, gleiche Dateien werden übersprungen; ein erneuter Lauf schadet nicht."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--source", default=str(settings.MEDIA_ROOT), help="Lokaler Ordner (Standard: MEDIA_ROOT)"
        )
        parser.add_argument("--dry-run", action="store_true", help="Nur anzeigen, nichts kopieren")

    def handle(self, *args, source, dry_run, **options):
        root = Path(source).resolve()
        if not root.is_dir():
            raise CommandError(f"Ordner {root} gibt es nicht.")
        target_location = getattr(default_storage, "location", None)
        if not getattr(default_storage, "bucket_name", None) and target_location:
            if Path(target_location).resolve() == root:
                raise CommandError(
                    "Quelle und Ziel sind derselbe Ordner: PORTAL_S3_BUCKET ist nicht gesetzt."
                )
        copied = verified = 0
        mismatched: list[str] = []
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            name = path.relative_to(root).as_posix()
            with path.open("rb") as handle:
                expected = sha256_of(handle)
            if default_storage.exists(name):
                with default_storage.open(name, "rb") as stored:
                    if sha256_of(stored) == expected:
                        verified += 1
                        continue
                mismatched.append(name)
                self.stderr.write(f"Abweichend, nicht überschrieben: {name}")
                continue
            if dry_run:
                self.stdout.write(f"würde kopieren: {name}")
                continue
            with path.open("rb") as handle:
                saved = default_storage.save(name, File(handle, name=name))
            if saved != name:
                raise CommandError(f"Der Speicher hat {name} unter {saved} abgelegt.")
            with default_storage.open(name, "rb") as stored:
                if sha256_of(stored) != expected:
                    mismatched.append(name)
                    self.stderr.write(f"Prüfsumme der Kopie falsch: {name}")
                    continue
            copied += 1
        self.stdout.write(
            f"{copied} kopiert, {verified} schon vorhanden und gleich, {len(mismatched)} abweichend."
        )
        if mismatched:
            raise CommandError(f"{len(mismatched)} Dateien weichen ab; siehe oben.")
