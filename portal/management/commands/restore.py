import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.ops.backup import BackupError, opened_backup, preflight, restore_backup


class Command(BaseCommand):
    help = (
        "Stellt eine Sicherung in einer leeren Installation wieder her: prüft alle Prüfsummen, den Stand "
        "und die eingerichteten Schlüssel, lädt den Dump, migriert auf den aktuellen Stand und schreibt "
        "die Dateien zurück."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="Ordner der Sicherung (mit manifest.json oder backup.tar.age)")
        parser.add_argument(
            "--identity",
            action="append",
            default=[],
            help="age-Schlüsseldatei einer verschlüsselten Sicherung",
        )
        parser.add_argument(
            "--check", action="store_true", help="Nur prüfen (Prüfsummen, Stand, Schlüssel), nichts ändern"
        )
        parser.add_argument(
            "--accept-key-change",
            action="store_true",
            help="Trotz abweichender Schlüssel wiederherstellen (was dann nicht mehr geht, steht in den Warnungen)",
        )

    def handle(self, *args, source, identity, check, accept_key_change, **options):
        try:
            with opened_backup(Path(source), identities=identity) as folder:
                if check:
                    manifest = preflight(folder, accept_key_change=accept_key_change, stdout=self.stdout)
                    self.stdout.write(
                        f"Sicherung geprüft: {len(manifest['files'])} Dateien, passt zu dieser Installation."
                    )
                    return
                manifest = restore_backup(folder, accept_key_change=accept_key_change, stdout=self.stdout)
        except (BackupError, OSError, subprocess.CalledProcessError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Wiederhergestellt: Datenbank und {len(manifest['files'])} Dateien "
            f"(Sicherung von Version {manifest['portal_version']})."
        )
