"""A function that counts the rows of a query only where PostgreSQL expects few of them: for a
filtered admin list of a big table, the planner's estimate instead of a count of every row
(portal.web.paging.EstimatedCountPaginator). PostgreSQL only; elsewhere nothing is created."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION portal_planned_row_count(query text, exact_below bigint) RETURNS bigint AS $$
DECLARE
    plan json;
    estimate bigint;
    exact bigint;
BEGIN
    EXECUTE 'EXPLAIN (FORMAT JSON) ' || query INTO plan;
    estimate := (plan -> 0 -> 'Plan' ->> 'Plan Rows')::bigint;
    IF estimate >= exact_below THEN
        RETURN estimate;
    END IF;
    EXECUTE 'SELECT count(*) FROM (' || query || ') AS counted' INTO exact;
    RETURN exact;
END
$$ LANGUAGE plpgsql VOLATILE
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS portal_planned_row_count(text, bigint)")


class Migration(migrations.Migration):
    dependencies = [("portal", "0019_operator_texts")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
