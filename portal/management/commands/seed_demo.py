from django.core.management.base import BaseCommand
from django.db import transaction

from portal import hooks


class Command(BaseCommand):
    help = "Legt Demodaten an: Programm, Schulungsdurchgänge, Module und je einen Zugang pro Rolle."

    def handle(self, *args, **options):
        with transaction.atomic():
            for module in hooks.app_modules("demo"):
                module.seed(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demodaten sind angelegt."))
