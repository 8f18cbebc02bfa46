"""Both worlds of the federal benchmark measured in alternation, round by round.

The small world and the rollout are two databases (tests/bench/federal_snapshot.py keeps both).
This process switches its database connection, and the cache's key prefix with it, between them
outside the clock: round n times a page (or a job) in the small world and then in the rollout,
round n+1 the other way round, so that a slow moment of the machine falls on both sides of a
round. Warm-up rounds are not kept.
"""

import itertools
import time

from django.core.cache import caches
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from .rounds import MIN_ROUNDS

WARMUPS = 2
# Every request comes from an address of its own, so that the verification page's limit per
# visitor (30 checks in 10 minutes) answers every round with the page, not with 429.
_ADDRESSES = (f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}" for n in itertools.count(1))


def use(database: str) -> None:
    """Point this process at one world's database (and its own cache keys)."""
    default = connections["default"]
    if default.settings_dict["NAME"] != database:
        default.close()
        default.settings_dict["NAME"] = database
    default.ensure_connection()
    caches["default"].key_prefix = database


def _page_once(database: str, client, path: str) -> float:
    use(database)
    address = next(_ADDRESSES)
    started = time.perf_counter()
    client.get(path, REMOTE_ADDR=address)
    return time.perf_counter() - started


def _page_first(database: str, client, path: str) -> dict:
    use(database)
    client.get(path, REMOTE_ADDR=next(_ADDRESSES))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, REMOTE_ADDR=next(_ADDRESSES))
    return {"status": response.status_code, "queries": len(queries), "times": []}


def pages(worlds: dict[str, str], clients: dict, paths: dict[str, dict[str, str]]) -> dict:
    """``worlds``: side → database; ``clients``: side → {user key: client}; ``paths``: side →
    {page: (user key, path)}. Returns side → page → figures."""
    sides = list(worlds)
    out = {side: {} for side in sides}
    for page in paths[sides[0]]:
        for side in sides:
            user, path = paths[side][page]
            out[side][page] = _page_first(worlds[side], clients[side][user], path)
        for number in range(WARMUPS + MIN_ROUNDS):
            order = sides if number % 2 == 0 else sides[::-1]
            for side in order:
                user, path = paths[side][page]
                elapsed = _page_once(worlds[side], clients[side][user], path)
                if number >= WARMUPS:
                    out[side][page]["times"].append(elapsed)
        for side in sides:
            times = sorted(out[side][page]["times"])
            out[side][page]["time"] = times[len(times) // 2]
    return out


def _job_once(database: str, job) -> tuple[float, object, list]:
    use(database)
    with transaction.atomic():
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = job()
            elapsed = time.perf_counter() - started
        statements = [q["sql"] for q in captured.captured_queries]
        transaction.set_rollback(True)
    return elapsed, result, statements


def jobs(worlds: dict[str, str], catalogue: dict, explain, count_work) -> dict:
    """Each job in both worlds, alternating; its first run per world is explained, not timed."""
    sides = list(worlds)
    out = {side: {} for side in sides}
    for name, (job, counter) in catalogue.items():
        for side in sides:
            _elapsed, result, statements = _job_once(worlds[side], job)
            out[side][name] = {
                "times": [],
                "queries": len(statements),
                "plans": explain(statements),
                "work": counter() if counter else count_work(result),
                "counted": bool(counter),
            }
        for number in range(1 + MIN_ROUNDS):
            order = sides if number % 2 == 0 else sides[::-1]
            for side in order:
                elapsed, _result, _statements = _job_once(worlds[side], job)
                if number >= 1:
                    out[side][name]["times"].append(elapsed)
    return out
