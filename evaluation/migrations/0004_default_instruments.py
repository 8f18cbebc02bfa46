"""The first instruments of the waves (T0, T1, T2) and the daily beat schedule that invites and
reminds. The instruments are data: evaluators change them in the admin, as new versions."""

from django.db import migrations

NAME = "Evaluation: Befragungswellen einladen und erinnern (täglich)"


def create(apps, schema_editor):
    from evaluation.default_instruments import install

    install(
        apps.get_model("evaluation", "Instrument"),
        apps.get_model("evaluation", "InstrumentVersion"),
        apps.get_model("evaluation", "Item"),
    )
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _created = CrontabSchedule.objects.get_or_create(
        minute="30", hour="8", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Europe/Berlin"
    )
    PeriodicTask.objects.update_or_create(
        name=NAME,
        defaults={
            "task": "evaluation.tasks.run_waves",
            "enabled": True,
            "description": "Lädt zu fälligen Befragungen ein und erinnert höchstens zweimal, nur wer nicht geantwortet hat.",
            "crontab": crontab,
            "interval": None,
        },
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()
    apps.get_model("evaluation", "Instrument").objects.filter(
        key__in=["t0-einstieg", "t1-abschluss", "t2-nachbefragung"], versions__responses__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0003_waves"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
