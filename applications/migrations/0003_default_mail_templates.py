from django.db import migrations

from applications.default_mail_templates import create_defaults


def load(apps, schema_editor):
    create_defaults(apps.get_model("applications", "MailTemplate"))


class Migration(migrations.Migration):
    dependencies = [("applications", "0002_alter_application_options_application_enrollment_and_more")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
