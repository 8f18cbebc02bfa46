"""Admin lists that stay fast when a table holds millions of rows.

Django's admin counts every list twice: once for the paginator (the filtered rows) and once for
"N in total" (``show_full_result_count``). On an unfiltered list of a big table both are a full
scan. Lists of big tables switch the second count off and use :class:`EstimatedCountPaginator`,
which takes PostgreSQL's own row estimate for an unfiltered list, and for a filtered one the
estimate of the query's plan where that expects more than ``EXACT_BELOW`` rows; a filter or search
that narrows the list is counted exactly (those counts run on an index and stay small).
"""

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property

# Below this estimate an exact count is cheap enough and never off by a row.
EXACT_BELOW = 50_000


def table_count(model) -> int | None:
    """The rows of the model's table in one statement: PostgreSQL's estimate (kept by ANALYZE and
    autovacuum) for a big table, an exact count for a small one. None elsewhere than PostgreSQL."""
    connection = connections["default"]
    if connection.vendor != "postgresql":
        return None
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT CASE WHEN reltuples >= %s THEN reltuples::bigint "  # noqa: S608 (a quoted table name)
            f"ELSE (SELECT COUNT(*) FROM {table}) END FROM pg_class WHERE oid = %s::regclass",
            [EXACT_BELOW, model._meta.db_table],
        )
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] is not None else None


def planned_count(queryset) -> int | None:
    """The rows of a filtered query in one statement: PostgreSQL's estimate from the query's plan
    where it expects many rows, an exact count where it expects few (the function of migration
    portal 0019). None elsewhere than PostgreSQL."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        # The query as text, its values quoted by the driver, for the function to plan or count.
        query = cursor.mogrify(sql, params)
        query = query.decode() if isinstance(query, bytes) else query
        cursor.execute("SELECT portal_planned_row_count(%s, %s)", [query, EXACT_BELOW])
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] is not None else None


class EstimatedCountPaginator(Paginator):
    """The unfiltered list counts by the table's estimate, a filtered one by its plan's estimate
    when that is above :data:`EXACT_BELOW` (every cohort at once: about 100,000 applications),
    and exactly otherwise (one cohort, a search: a few hundred rows)."""

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        query = getattr(queryset, "query", None)
        if query is not None and not query.where:
            rows = table_count(queryset.model)
            if rows is not None:
                return rows
        if query is not None:
            rows = planned_count(queryset)
            if rows is not None:
                return rows
        return super().count


class DepthLimitedPaginator(EstimatedCountPaginator):
    """An admin list that offers only its first ``MAX_PAGES`` pages.

    Page n costs an OFFSET over every row before it: page 2000 of the outbox took two seconds,
    and nobody reads a list that deep. The count stays true; deeper pages are not offered and
    asking for one gives the admin's "wrong page" answer. Older rows are found with the filters
    (date, status, kind) and the search, which narrow the list on an index."""

    MAX_PAGES = 50

    @cached_property
    def num_pages(self) -> int:
        return min(super().num_pages, self.MAX_PAGES)
