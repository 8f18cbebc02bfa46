"""Liveness probe of a background process, run inside its container:
``python manage.py probe worker`` or ``python manage.py probe beat``. Exit 0 when the process
reported in recently, 1 otherwise (see ``portal.ops.liveness``). Touches neither the database
nor Redis, so an outage there never gets a healthy worker restarted."""

from django.core.management.base import BaseCommand, CommandError

from portal.ops.liveness import KINDS, probe


class Command(BaseCommand):
    help = "Liveness of the Celery worker or beat running in this container."
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=KINDS)

    def handle(self, *args, kind: str, **options):
        alive, detail = probe(kind)
        if not alive:
            raise CommandError(detail)
        self.stdout.write(detail)
