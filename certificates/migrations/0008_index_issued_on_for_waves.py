"""The daily wave job reads the certificates issued within a window of days: an index on
issued_on (issued ones only) keeps that read from scanning the whole table."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('certificates', '0007_sweep_schedule'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='certificate',
            index=models.Index(condition=models.Q(('status', 'issued')), fields=['issued_on'], name='certificate_issued_on_idx'),
        ),
    ]
