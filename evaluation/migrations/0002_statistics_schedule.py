"""The beat schedule that keeps the evaluation dashboard's snapshot fresh (every ten minutes),
editable in the admin ("Periodic tasks")."""

from django.db import migrations

NAME = "Auswertung: Kennzahlen neu berechnen (alle 10 Minuten)"


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    interval, _created = IntervalSchedule.objects.get_or_create(every=10, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=NAME,
        defaults={
            "task": "evaluation.tasks.refresh_statistics",
            "enabled": True,
            "description": "Berechnet die Zahlen der Auswertungsseite neu; die Seite zeigt, von wann sie sind.",
            "expire_seconds": 300,
            "interval": interval,
            "crontab": None,
        },
    )
    from django.utils import timezone

    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
