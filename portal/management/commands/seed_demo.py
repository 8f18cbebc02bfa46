from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import module_has_submodule


class Command(BaseCommand):
    help = "Legt Demodaten an: Programm, Schulungsdurchgänge, Module und je einen Zugang pro Rolle."

    def handle(self, *args, **options):
        from importlib import import_module

        with transaction.atomic():
            for config in apps.get_app_configs():
                if config.name in {
                    "portal",
                    "cohorts",
                    "applications",
                    "modules",
                    "certificates",
                    "evaluation",
                } and (module_has_submodule(config.module, "demo")):
                    import_module(f"{config.name}.demo").seed(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demodaten sind angelegt."))
