from django.db import migrations

from portal.municipalities import load_municipalities


def load(apps, schema_editor):
    load_municipalities(apps.get_model("portal", "Municipality"))


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
