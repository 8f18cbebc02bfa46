import datetime as dt
import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.ops.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "Schreibt eine Sicherung: PostgreSQL-Dump, alle gespeicherten Dateien, Manifest mit Prüfsummen."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="Neuer Ordner der Sicherung (Standard: backups/<Zeitstempel>)")

    def handle(self, *args, output=None, **options):
        target = Path(output or f"backups/{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}")
        try:
            manifest = create_backup(target)
        except (BackupError, OSError, subprocess.CalledProcessError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Sicherung in {target}: Datenbank, {len(manifest['files'])} Dateien, Version {manifest['portal_version']}."
        )
