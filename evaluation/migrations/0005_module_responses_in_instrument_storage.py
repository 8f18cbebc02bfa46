"""A response may belong to the questionnaire after a module (enrollment and module) instead of a
wave's invitation; items get a short name for the column heads; the evaluation's permissions move
to the responses, whose model stays."""

import django.db.models.deletion
from django.db import migrations, models

PERMISSIONS = [
    ("view_statistics", "Kann die Auswertung des Programms sehen"),
    ("export_pseudonymised", "Kann pseudonymisierte Daten für die Evaluation herunterladen"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("cohorts", "0008_review_phases"),
        ("evaluation", "0004_default_instruments"),
        ("modules", "0004_material_own_cohort_only"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="waveresponse",
            options={
                "default_permissions": (),
                "permissions": PERMISSIONS,
                "verbose_name": "Antwort auf eine Befragung",
                "verbose_name_plural": "Antworten auf Befragungen",
            },
        ),
        migrations.AddField(
            model_name="item",
            name="label",
            field=models.CharField(
                blank=True, help_text="Spaltenkopf in der Auswertung.", max_length=60, verbose_name="Kurzname"
            ),
        ),
        migrations.AddField(
            model_name="item",
            name="label_en",
            field=models.CharField(blank=True, max_length=60, verbose_name="Kurzname (Englisch)"),
        ),
        migrations.AddField(
            model_name="waveresponse",
            name="enrollment",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="module_responses",
                to="cohorts.enrollment",
                verbose_name="Teilnahme",
            ),
        ),
        migrations.AddField(
            model_name="waveresponse",
            name="module",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="modules.module",
                verbose_name="Modul",
            ),
        ),
        migrations.AlterField(
            model_name="item",
            name="maximum",
            field=models.IntegerField(
                blank=True,
                help_text="Bei kurzem Text: höchstens so viele Zeichen.",
                null=True,
                verbose_name="größter Wert",
            ),
        ),
        migrations.AlterField(
            model_name="waveresponse",
            name="invitation",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="response",
                to="evaluation.invitation",
                verbose_name="Einladung",
            ),
        ),
        migrations.AddConstraint(
            model_name="waveresponse",
            constraint=models.UniqueConstraint(
                fields=("enrollment", "module"), name="one_module_response_per_module"
            ),
        ),
        migrations.AddConstraint(
            model_name="waveresponse",
            constraint=models.CheckConstraint(
                condition=models.Q(invitation__isnull=False, enrollment__isnull=True, module__isnull=True)
                | models.Q(invitation__isnull=True, enrollment__isnull=False, module__isnull=False),
                name="response_to_invitation_or_module",
            ),
        ),
    ]
