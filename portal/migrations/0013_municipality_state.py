from django.db import migrations, models


class Migration(migrations.Migration):
    """Municipalities belong to a state, so that a database can hold several states' lists. Every
    row loaded so far comes from the Brandenburg list (state key 12)."""

    dependencies = [
        ("portal", "0012_accessibility_feedback"),
    ]

    operations = [
        migrations.AddField(
            model_name="municipality",
            name="state",
            field=models.CharField(
                choices=[
                    ("01", "Schleswig-Holstein"),
                    ("02", "Hamburg"),
                    ("03", "Niedersachsen"),
                    ("04", "Bremen"),
                    ("05", "Nordrhein-Westfalen"),
                    ("06", "Hessen"),
                    ("07", "Rheinland-Pfalz"),
                    ("08", "Baden-Württemberg"),
                    ("09", "Bayern"),
                    ("10", "Saarland"),
                    ("11", "Berlin"),
                    ("12", "Brandenburg"),
                    ("13", "Mecklenburg-Vorpommern"),
                    ("14", "Sachsen"),
                    ("15", "Sachsen-Anhalt"),
                    ("16", "Thüringen"),
                ],
                default="12",
                max_length=2,
                verbose_name="Land",
            ),
            preserve_default=False,
        ),
        migrations.AddIndex(
            model_name="municipality",
            index=models.Index(fields=["state", "district", "name"], name="municipality_state_list_idx"),
        ),
    ]
