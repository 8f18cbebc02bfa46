"""The beat schedule of the exchange's weekly digest, editable in the admin ("Periodic tasks").
Mondays at 7:30 Europe/Berlin; the task is safe to run twice (one mail per member and week)."""

from django.db import migrations

NAME = "Netzwerk: Wochenübersicht des Austauschs (montags)"


def create(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    crontab, _created = CrontabSchedule.objects.get_or_create(
        minute="30",
        hour="7",
        day_of_week="1",
        day_of_month="*",
        month_of_year="*",
        timezone="Europe/Berlin",
    )
    PeriodicTask.objects.update_or_create(
        name=NAME,
        defaults={
            "task": "community.tasks.send_exchange_digest",
            "enabled": True,
            "description": "Montags um 7:30 Uhr: neue Beiträge der beobachteten Themen an Mitglieder, "
            "die die Wochenübersicht bestellt haben.",
            "expire_seconds": 3600,
            "crontab": crontab,
            "interval": None,
        },
    )
    from django.utils import timezone

    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0003_exchange_threads_posts_digest"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
