"""The beat schedule of the exports' sweeper (every minute): exports whose build got lost are
handed on again, files of old exports deleted. Editable in the admin ("Periodic tasks")."""

from django.db import migrations
from django.utils import timezone

NAME = "Exporte: liegengebliebene erneut anstoßen, alte Dateien löschen (jede Minute)"


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    interval, _created = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=NAME,
        defaults={
            "task": "portal.tasks.sweep_exports",
            "enabled": True,
            "description": (
                "Übergibt Exporte erneut an den Worker, deren Auftrag verloren ging, und löscht die "
                "Dateien alter Exporte. Mehrfaches Ausführen erstellt nichts doppelt."
            ),
            "expire_seconds": 50,
            "interval": interval,
            "crontab": None,
        },
    )
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0016_export_jobs"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
