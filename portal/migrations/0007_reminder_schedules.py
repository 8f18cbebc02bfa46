"""The beat schedules of the mail path and the reminders, editable in the admin
("Periodic tasks"). Times are Europe/Berlin. Every task is safe to run twice."""

from django.db import migrations

# name, task, crontab (minute, hour, day_of_week) or None for every minute, description
SCHEDULES = [
    (
        "E-Mail: fällige Sendungen und Wiederholungen (jede Minute)",
        "portal.tasks.flush_outbox",
        None,
        "Versendet E-Mails, deren nächster Versuch fällig ist (nach Fehlern mit wachsendem Abstand), "
        "und solche, deren Versandauftrag verloren ging.",
    ),
    (
        "Erinnerung: Bewerbung nicht abgesendet (7 und 1 Tag vor Fristende)",
        "applications.tasks.send_draft_reminders",
        ("0", "9", "*"),
        "Täglich um 9 Uhr: Entwürfe, deren Bewerbungsfrist in 7 Tagen oder morgen endet.",
    ),
    (
        "Erinnerung: angebotenen Platz bestätigen (3 Tage vor der Frist)",
        "applications.tasks.send_offer_reminders",
        ("0", "9", "*"),
        "Täglich um 9 Uhr: angebotene, noch nicht bestätigte Plätze, deren Frist in 3 Tagen endet.",
    ),
    (
        "Erinnerung: Sitzung morgen",
        "modules.tasks.send_session_reminders",
        ("0", "10", "*"),
        "Täglich um 10 Uhr: Teilnehmer:innen der Sitzungen des nächsten Tages (Zeit, Link, Materialien).",
    ),
    (
        "Erinnerung: Praxisaufgabe in 3 Tagen fällig",
        "modules.tasks.send_task_reminders",
        ("30", "9", "*"),
        "Täglich um 9:30 Uhr: Teilnehmer:innen ohne Abgabe, deren Abgabefrist in 3 Tagen endet.",
    ),
    (
        "Wochenübersicht für Koordinator:innen (montags)",
        "certificates.tasks.send_coordinator_digest",
        ("0", "7", "1"),
        "Montags um 7 Uhr: fehlende Praxisaufgaben, Abwesenheiten der letzten Woche und "
        "Teilnehmer:innen, die ein Zertifikat erhalten können.",
    ),
]


def create(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    for name, task, cron, description in SCHEDULES:
        schedule = {"interval": None, "crontab": None}
        if cron is None:
            schedule["interval"], _created = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
        else:
            minute, hour, day_of_week = cron
            schedule["crontab"], _created = CrontabSchedule.objects.get_or_create(
                minute=minute,
                hour=hour,
                day_of_week=day_of_week,
                day_of_month="*",
                month_of_year="*",
                timezone="Europe/Berlin",
            )
        PeriodicTask.objects.update_or_create(
            name=name,
            defaults={
                "task": task,
                "enabled": True,
                "description": description,
                # A run that waited too long in the queue is dropped; the next one does the work.
                "expire_seconds": 50 if cron is None else 3600,
                **schedule,
            },
        )
    # Tells a running beat to reload its schedules.
    from django.utils import timezone

    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, *_rest in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0006_reminders_outbox"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
