import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.ops.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Stellt eine Sicherung in einer leeren Installation wieder her: prüft alle Prüfsummen, lädt den "
        "Dump, migriert auf den aktuellen Stand und schreibt die Dateien zurück."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="Ordner der Sicherung (mit manifest.json)")

    def handle(self, *args, source, **options):
        try:
            manifest = restore_backup(Path(source), stdout=self.stdout)
        except (BackupError, OSError, subprocess.CalledProcessError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Wiederhergestellt: Datenbank und {len(manifest['files'])} Dateien "
            f"(Sicherung von Version {manifest['portal_version']})."
        )
