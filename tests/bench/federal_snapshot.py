"""Keeping the federal benchmark's two worlds, so that a second run measures without building.

A run copies the database twice, with PostgreSQL's ``CREATE DATABASE … TEMPLATE``: once when the
small world is built and once when the rollout is. ``make bench SCALE=federal REUSE=1`` (option
``--reuse``) starts from those copies instead of building again: the small world's copy is
measured, then the rollout's. Each measurement starts from a fresh copy, so what one run writes
(sign-ups, export jobs) is not seen by the next. The copies are named after the benchmark
database with ``_small`` and ``_federal`` appended; what the world needs to find its people
again, and the rollout's counts, are kept in the copy's comment.
"""

import contextlib
import json
import os
from urllib.parse import urlparse

SMALL, FEDERAL = "small", "federal"


@contextlib.contextmanager
def _admin_cursor():
    connection = _admin_connection()
    try:
        with connection.cursor() as cursor:
            yield cursor
    finally:
        connection.close()


def _admin_connection():
    import psycopg2

    url = urlparse(os.environ["DATABASE_URL"])
    connection = psycopg2.connect(
        dbname="postgres",
        user=url.username or "postgres",
        password=url.password or None,
        host=url.hostname or "127.0.0.1",
        port=url.port or 5432,
        connect_timeout=5,
    )
    connection.autocommit = True
    return connection


def _names(kind: str) -> tuple[str, str]:
    name = urlparse(os.environ["DATABASE_URL"]).path.lstrip("/")
    return name, f"{name}_{kind}"


def _close_django() -> None:
    from django.db import connections

    connections.close_all()


def save(kind: str, memo: dict) -> None:
    """Copy the benchmark database as it is now; ``memo`` travels with the copy."""
    from psycopg2 import sql

    _close_django()
    live, copy = _names(kind)
    with _admin_cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(copy)))
        cursor.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
                sql.Identifier(copy), sql.Identifier(live)
            )
        )
        cursor.execute(
            sql.SQL("COMMENT ON DATABASE {} IS %s").format(sql.Identifier(copy)), [json.dumps(memo)]
        )


def memo(kind: str) -> dict | None:
    """The memo of a kept copy, or None where there is none."""
    _live, copy = _names(kind)
    with _admin_cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [copy]
        )
        row = cursor.fetchone()
    return json.loads(row[0]) if row and row[0] else None


def live_name() -> str:
    return urlparse(os.environ["DATABASE_URL"]).path.lstrip("/")


def restore(kind: str, *, as_name: str = "") -> str:
    """A fresh copy of the kept world, as the benchmark database or, with ``as_name``, as a
    database of that suffix beside it; returns the database's name."""
    from psycopg2 import sql

    _close_django()
    live, copy = _names(kind)
    if as_name:
        live = f"{live}_{as_name}"
    with _admin_cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(live)))
        cursor.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
                sql.Identifier(live), sql.Identifier(copy)
            )
        )
    return live


def available() -> bool:
    return memo(SMALL) is not None and memo(FEDERAL) is not None
