"""The questionnaire after a module is answered as an instrument now; its old table, copied by the
previous migration, goes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0006_module_questionnaire_into_instrument")]

    operations = [
        migrations.DeleteModel(name="QuestionnaireResponse"),
    ]
