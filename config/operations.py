"""Settings for running the portal through failures, read from the environment: how long the
database and the cache may keep a page waiting, how long work is leased to a worker, and how long
the broker waits before it hands an unacknowledged task to another worker. ``config.settings``
takes its values from here; README ("Betrieb") says what each is for.

Read in ``config.settings`` directly, documented here:

- ``PORTAL_WORKER_HEARTBEAT_MAX_AGE`` (60 s), ``PORTAL_BEAT_HEARTBEAT_MAX_AGE`` (120 s): the
  liveness probes (``manage.py probe worker|beat``) fail when their process has not reported in
  for so long; ``/readyz?full=1`` names the workers that lag behind and flags beat when its last
  tick is older than its limit. The heartbeat files lie in
  ``PORTAL_HEARTBEAT_DIR`` (the temporary folder by default) of the container running the process.
- ``PORTAL_EXPORT_BACKGROUND_ROWS`` (5000): admin exports of more rows are built in the worker
  (``portal.exports``); their files are deleted after ``PORTAL_EXPORT_KEEP_DAYS`` (7) days.
- ``PORTAL_CACHE_RETRY_SECONDS`` (10): see ``cache`` below.
"""

from django.core.exceptions import ImproperlyConfigured


def database(env, database: dict) -> dict:
    """The database settings with timeouts, for PostgreSQL.

    A database that hangs must not hang the pages: a connection that is not up within
    ``PORTAL_DB_CONNECT_TIMEOUT`` seconds fails (libpq counts at least 2), and the portal answers
    with its 503 page (``portal.ops.unavailable``); no statement runs longer than
    ``PORTAL_DB_STATEMENT_TIMEOUT`` seconds (0 switches it off, e.g. for a one-off migration of a
    very large table).

    PostgreSQL's JIT compilation is off: it starts for any statement the planner costs above
    ``jit_above_cost``, which at federal scale includes a page's count of a few thousand rows,
    and then spends 30–40 ms compiling a statement that runs in 5. The portal's statements are
    short and many; none runs long enough to repay compiling it.
    """
    if "postgresql" not in database["ENGINE"]:
        return database
    options = dict(database.get("OPTIONS", {}))
    options["connect_timeout"] = env.int("PORTAL_DB_CONNECT_TIMEOUT", default=3)
    statement_timeout = env.int("PORTAL_DB_STATEMENT_TIMEOUT", default=30) * 1000
    options["options"] = (
        f"{options.get('options', '')} -c statement_timeout={statement_timeout} -c jit=off".strip()
    )
    return {**database, "OPTIONS": options}


def work_lease(env) -> int:
    """Seconds a certificate's rendering or a mail's sending is leased to a worker.

    The database holds the intent, the broker only carries it: a certificate to render and a mail
    to send are rows, handed to a worker with a lease. A sweeper (beat, every minute) hands on again
    what has waited longer than the lease, so a worker killed in the middle or a Redis that comes
    back empty strands nothing; the tasks are safe to run twice. The lease must be longer than the
    longest run of a task it guards (a certificate's rendering is cut off after 120 s).
    """
    return env.int("PORTAL_WORK_LEASE_SECONDS", default=300)


def broker_transport_options(env, *, task_time_limit: int) -> dict:
    """Redis as Celery's broker.

    ``visibility_timeout``: how long Redis waits for a worker to acknowledge a task it took before
    it hands the task to another worker (Celery's default is an hour). Tasks are acknowledged after
    they ran (``acks_late``), so it must be longer than any task may run plus the longest wait of
    a retry; else a task still running is handed out a second time. A lost task does not wait for
    it: the sweeper picks up its record after the lease. A Redis that does not answer fails an
    enqueue within seconds; the recorded work is sent later by the sweeper.
    """
    visibility_timeout = env.int("PORTAL_BROKER_VISIBILITY_TIMEOUT", default=900)
    if visibility_timeout <= task_time_limit + 60:
        raise ImproperlyConfigured(
            "PORTAL_BROKER_VISIBILITY_TIMEOUT must be longer than the task time limit plus a minute "
            f"({task_time_limit + 60} s)."
        )
    return {"visibility_timeout": visibility_timeout, "socket_connect_timeout": 3, "socket_timeout": 10}


def cache(env, redis_url: str) -> dict:
    """The shared cache. A cache that does not answer degrades instead of failing the page: after
    a short socket timeout the page renders without the cache, and for ``PORTAL_CACHE_RETRY_SECONDS``
    the process does not ask it again (``portal.ops.cache``). Sessions are then read from their
    database copy (``cached_db``)."""
    if not redis_url:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    timeout = env.float("PORTAL_CACHE_SOCKET_TIMEOUT", default=0.5)
    return {
        "BACKEND": "portal.ops.cache.ResilientRedisCache",
        "LOCATION": redis_url,
        "OPTIONS": {"socket_connect_timeout": timeout, "socket_timeout": timeout},
    }
