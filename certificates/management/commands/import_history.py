"""Import earlier cohorts from a CSV or XLSX file: a dry run unless ``--confirm`` is given."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from certificates.history.importer import run
from certificates.history.report import render_text
from cohorts.models import Programme
from cohorts.selectors import programme_slug
from portal.accounts.models import User


class Command(BaseCommand):
    help = (
        "Importiert frühere Durchgänge (Durchgänge, Teilnehmer:innen, Anwesenheit, Abschluss, Zertifikate) "
        "aus einer CSV- oder XLSX-Datei. Ohne --confirm nur Probelauf: nichts wird gespeichert."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV- oder XLSX-Datei nach einer der Vorlagen")
        parser.add_argument("--user", required=True, help="E-Mail-Adresse der importierenden Person")
        parser.add_argument(
            "--programme", default="", help="Kürzel des Programms (ohne Angabe: das Programm dieses Portals)"
        )
        parser.add_argument("--confirm", action="store_true", help="wirklich importieren")

    def handle(self, *args, file, user, programme, confirm, **options):
        by = User.objects.filter(email__iexact=user, is_staff=True).first()
        if by is None:
            raise CommandError(f"Keine Verwaltungsperson mit der Adresse {user}.")
        programmes = Programme.objects.filter(slug=programme or programme_slug())
        if programmes.count() != 1:
            raise CommandError(f"Kein Programm mit dem Kürzel {programme or 'dieses Portals'}.")
        path = Path(file)
        report = run(
            path.read_bytes(),
            path.name,
            programme=programmes.get(),
            by=by,
            at=timezone.now(),
            dry_run=not confirm,
        )
        self.stdout.write(render_text(report))
        if not report.ok:
            raise CommandError("Nichts importiert: Die Datei hat Fehler.")
