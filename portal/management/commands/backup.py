import datetime as dt
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.ops.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Schreibt eine Sicherung: PostgreSQL-Dump (ohne Sitzungen), alle gespeicherten Dateien, Manifest "
        "mit Prüfsummen, Stand und Schlüssel-Fingerabdrücken; nur für den Eigentümer lesbar, auf Wunsch "
        "mit age verschlüsselt."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", help="Neuer Ordner der Sicherung (Standard: PORTAL_BACKUP_DIR/<Zeitstempel>)"
        )
        parser.add_argument(
            "--recipient",
            action="append",
            default=None,
            help="Öffentlicher age-Schlüssel (age1…), an den verschlüsselt wird; mehrfach möglich "
            "(Standard: PORTAL_BACKUP_RECIPIENTS).",
        )

    def handle(self, *args, output=None, recipient=None, **options):
        target = Path(
            output or Path(settings.PORTAL_BACKUP_DIR) / f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}"
        )
        recipients = recipient if recipient is not None else settings.PORTAL_BACKUP_RECIPIENTS
        try:
            manifest = create_backup(target, recipients=recipients)
        except (BackupError, OSError, subprocess.CalledProcessError) as error:
            raise CommandError(str(error)) from error
        encrypted = f", verschlüsselt an {len(recipients)} Schlüssel" if recipients else ", unverschlüsselt"
        self.stdout.write(
            f"Sicherung in {target}: Datenbank, {len(manifest['files'])} Dateien, "
            f"Version {manifest['portal_version']}{encrypted}."
        )
