"""PostgreSQL estimates the applications of one cohort from a sample of the column's values. With
the default sample, a cohort that is not among the most common values is estimated at the average
size of all cohorts: at federal scale 250 rows for an open cohort of ten, and the planner then
hashes every municipality and every account to join them to ten rows. A larger sample keeps every
cohort of a normal size among the most common values, so that a small cohort is estimated as
small and its rows are joined by key."""

from django.db import migrations

TARGET = 1000


def raise_target(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE applications_application ALTER COLUMN cohort_id SET STATISTICS {TARGET}"
    )
    schema_editor.execute("ANALYZE applications_application")


def reset_target(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE applications_application ALTER COLUMN cohort_id SET STATISTICS -1")


class Migration(migrations.Migration):
    dependencies = [("applications", "0008_merge_review_workspace_drafts")]

    operations = [migrations.RunPython(raise_target, reset_target, elidable=False)]
