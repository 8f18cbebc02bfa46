"""The limits that keep the portal up are set on purpose: the broker's visibility timeout, the
database's timeouts, and a cache that degrades within its socket timeout."""

import time
from unittest import mock

import environ
import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config import operations
from config.celery import app
from portal.ops import cache as resilient


def test_the_visibility_timeout_is_set_and_longer_than_any_task_may_run():
    options = app.conf.broker_transport_options
    assert (
        options["visibility_timeout"] == settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] == 900
    )
    assert options["visibility_timeout"] > settings.CELERY_TASK_TIME_LIMIT + 60
    assert settings.PORTAL_WORK_LEASE_SECONDS > 120  # longer than a certificate may render
    with mock.patch.dict("os.environ", {"PORTAL_BROKER_VISIBILITY_TIMEOUT": "300"}):
        with pytest.raises(ImproperlyConfigured, match="VISIBILITY_TIMEOUT"):
            operations.broker_transport_options(environ.Env(), task_time_limit=300)


def test_postgresql_gets_connect_and_statement_timeouts():
    with mock.patch.dict(
        "os.environ", {"PORTAL_DB_CONNECT_TIMEOUT": "2", "PORTAL_DB_STATEMENT_TIMEOUT": "15"}
    ):
        database = operations.database(
            environ.Env(),
            {"ENGINE": "django.db.backends.postgresql", "OPTIONS": {"options": "-c search_path=x"}},
        )
    assert database["OPTIONS"]["connect_timeout"] == 2
    assert database["OPTIONS"]["options"] == "-c search_path=x -c statement_timeout=15000 -c jit=off"
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": "x"}
    assert operations.database(environ.Env(), sqlite) == sqlite


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_portal_connection_compiles_no_statement():
    """A count of a few thousand rows costs above jit_above_cost and would spend 30–40 ms in JIT."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "30s"


@pytest.fixture
def frozen_cache(settings, blackhole):
    settings.PORTAL_CACHE_RETRY_SECONDS = 10
    resilient.reset_outage()
    backend = resilient.ResilientRedisCache(
        f"redis://127.0.0.1:{blackhole}/0",
        {"OPTIONS": {"socket_connect_timeout": 0.3, "socket_timeout": 0.3}},
    )
    yield backend
    resilient.reset_outage()


def test_a_frozen_cache_answers_as_an_empty_one_and_is_left_alone_for_a_while(frozen_cache):
    started = time.monotonic()
    assert frozen_cache.get("seite", "ohne Cache") == "ohne Cache"
    assert time.monotonic() - started < 1.5  # one socket timeout
    started = time.monotonic()
    assert frozen_cache.add("zähler", 1) is True
    assert frozen_cache.get_or_set("teil", lambda: "berechnet") == "berechnet"
    assert frozen_cache.get_many(["a", "b"]) == {}
    with pytest.raises(ValueError):
        frozen_cache.incr("zähler")  # as for a key that expired: the rate limit starts anew
    assert time.monotonic() - started < 0.2  # the outage is remembered: no more waiting
    assert resilient.cache_unavailable()
