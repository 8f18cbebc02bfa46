"""Every page of every role costs the same number of queries in a small world and after the data
around it has grown: more programmes, cohorts, applications, participants, certificates and mails.

The worlds are the federal benchmark's (tests/bench/federal.py), built small: the benchmark
measures time at 100,000 applications, this test pins the statement counts on every build.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.bench.federal import World, grow
from tests.bench.pages import _client

# The worlds are grown with PostgreSQL's own SQL (INSERT … SELECT over arrays), as the benchmark grows them.
pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

GROWN = {
    "programmes": 3,
    "municipalities": 600,
    "cohorts": 8,
    "applications": 120,
    "enrollments": 30,
    "certificates": 30,
    "outbox": 300,
}

# The statements each page sends once its session is warm.
PINNED = {
    "Landing page": 4,
    "Applicant dashboard": 5,  # with the open Rückfragen
    "Application form": 5,
    # One statement finds the cohort in review, the list's default filter.
    "Admin application list": 9,
    "Admin list, filtered": 9,
    "Admin list, search": 9,
    # With the reviewer's queue progress, rubric, assignments, conflicts and Rückfragen.
    "Admin application detail": 19,
    "Reviewer queue": 6,
    "Review overview": 11,
    "Coordinator progress matrix": 11,  # with the task deadlines, for each module's state
    "Participant dashboard": 11,
    "Evaluation dashboard": 4,
    "Verification page": 1,
    "Outbox admin": 4,
}


def _queries(world: World) -> dict[str, tuple[int, int]]:
    counts = {}
    for name, user, path in world.pages():
        client = _client(user)
        client.get(path)  # warm: session, caches, the evaluation snapshot
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        counts[name] = (response.status_code, len(queries))
    return counts


def test_every_page_costs_the_same_queries_in_a_small_and_a_grown_world():
    world = World()
    small = _queries(world)
    grow(world, GROWN)
    grown = _queries(world)
    assert {name: status for name, (status, _n) in small.items()} == dict.fromkeys(PINNED, 200)
    assert {name: n for name, (_s, n) in small.items()} == PINNED
    assert {name: n for name, (_s, n) in grown.items()} == PINNED
