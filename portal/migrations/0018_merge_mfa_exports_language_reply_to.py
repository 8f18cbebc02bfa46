"""Joins the ground floor's migrations that were written side by side: the second factor's
encrypted secrets, the export jobs and their sweeper, the language a person chose, and the
outbox's Reply-To. None of them touches another's tables."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0016_encrypt_mfa_secrets"),
        ("portal", "0016_user_language_chosen"),
        ("portal", "0016_outbox_reply_to"),
        ("portal", "0017_export_sweep_schedule"),
    ]

    operations = []
