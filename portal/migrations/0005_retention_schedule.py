from django.db import migrations

NAME = "Datenschutz: Aufbewahrungsfristen anwenden (täglich)"


def create(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    # Every night at 03:15 Berlin time, outside office hours.
    schedule, _created = CrontabSchedule.objects.get_or_create(
        minute="15",
        hour="3",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Europe/Berlin",
    )
    PeriodicTask.objects.update_or_create(
        name=NAME,
        defaults={
            "task": "portal.tasks.apply_retention",
            "crontab": schedule,
            "enabled": True,
            "description": (
                "Anonymisiert abgelehnte und zurückgezogene Bewerbungen nach Ablauf der Aufbewahrungsfrist "
                "(PORTAL_RETENTION_MONTHS nach Ende des Durchgangs) und löscht gesperrte Konten, "
                "deren Aufbewahrungsfrist abgelaufen ist."
            ),
        },
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0004_user_erasure"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
