"""The beat schedule of the certificates' sweeper (every minute): certificates whose rendering was
handed to a worker longer than the lease ago and never finished are handed on again. Editable in
the admin ("Periodic tasks")."""

from django.db import migrations
from django.utils import timezone

NAME = "Zertifikate: liegengebliebene erneut anstoßen (jede Minute)"


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    interval, _created = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=NAME,
        defaults={
            "task": "certificates.tasks.sweep_certificates",
            "enabled": True,
            "description": (
                "Übergibt Zertifikate erneut an die Erstellung, deren Auftrag verloren ging "
                "(Worker beendet, Redis geleert). Mehrfaches Ausführen erstellt nichts doppelt."
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
        ("certificates", "0006_certificate_render_lease"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
