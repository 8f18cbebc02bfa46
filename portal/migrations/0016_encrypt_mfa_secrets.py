"""Seal the second-factor secrets stored before they were encrypted at rest
(see portal.accounts.secret_storage). Reversible: the reverse opens them again."""

from django.db import migrations


def _convert(apps, convert) -> None:
    from portal.accounts.secret_storage import convert_data

    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.only("pk", "data").iterator():
        data = convert_data(authenticator.data, convert)
        if data != authenticator.data:
            Authenticator.objects.filter(pk=authenticator.pk).update(data=data)


def seal_existing(apps, schema_editor) -> None:
    from portal.accounts.secret_storage import seal_secret

    _convert(apps, seal_secret)


def open_existing(apps, schema_editor) -> None:
    from portal.accounts.secret_storage import open_secret

    _convert(apps, open_secret)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0015_accessibility_feedback_created_index"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(seal_existing, open_existing, elidable=False)]
