"""A filtered admin list of a big table is not counted row by row: above a threshold the count is
PostgreSQL's estimate from the query's plan; below it, and on other databases, it is exact."""

import json

import pytest
from django.db import connection

from portal.mail.models import OutboxMessage
from portal.web import paging
from portal.web.paging import EstimatedCountPaginator

pytestmark = pytest.mark.django_db


def mails(count: int, status: str = "sent") -> None:
    OutboxMessage.objects.bulk_create(
        OutboxMessage(
            idempotency_key=f"zahl:{status}:{i}", kind="test", recipient="p@example.org", status=status
        )
        for i in range(count)
    )


def test_a_narrow_filter_is_counted_exactly():
    mails(7)
    mails(3, status="queued")
    paginator = EstimatedCountPaginator(OutboxMessage.objects.filter(status="queued").order_by("pk"), 2)
    assert paginator.count == 3
    assert paginator.num_pages == 2


@pytest.mark.postgres
def test_a_filter_expected_to_match_many_rows_takes_the_plans_estimate(monkeypatch):
    mails(40)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE portal_outboxmessage")
    OutboxMessage.objects.bulk_create(  # rows the statistics have not seen yet
        OutboxMessage(idempotency_key=f"neu:{i}", kind="test", recipient="p@example.org", status="sent")
        for i in range(20)
    )
    queryset = OutboxMessage.objects.filter(status="sent").order_by("pk")
    sql, params = queryset.values("pk").order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        raw = cursor.fetchone()[0]
    estimate = int((json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]["Plan Rows"])
    monkeypatch.setattr(paging, "EXACT_BELOW", 1)
    assert EstimatedCountPaginator(queryset, 10).count == estimate
    monkeypatch.setattr(paging, "EXACT_BELOW", 10**9)
    assert EstimatedCountPaginator(queryset, 10).count == 60
