"""The outbox admin's first page is read in index order: no sort, however many mails there are."""

import json

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.mail.models import OutboxMessage
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def nodes(plan: dict) -> list[str]:
    return [plan["Node Type"], *(n for child in plan.get("Plans", []) for n in nodes(child))]


def test_the_newest_mails_come_from_the_index_without_sorting(client):
    now = timezone.now()
    OutboxMessage.objects.bulk_create(
        OutboxMessage(
            idempotency_key=f"plan:{index}",
            kind="reminder-session",
            recipient="a@example.org",
            subject="Erinnerung",
            body_text="Text",
            created_at=now,
        )
        for index in range(300)
    )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"/{settings.ADMIN_URL}portal/outboxmessage/").content.decode()
    assert page.count("Erinnerung") >= 100  # a full first page
    listing = next(
        q["sql"]
        for q in queries.captured_queries
        if 'FROM "portal_outboxmessage"' in q["sql"] and "LIMIT" in q["sql"] and "reltuples" not in q["sql"]
    )
    assert 'ORDER BY "portal_outboxmessage"."created_at" DESC, "portal_outboxmessage"."id" DESC' in listing
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN (FORMAT JSON) " + listing)
        raw = cursor.fetchone()[0]
    plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
    found = nodes(plan)
    assert "Sort" not in found and "Incremental Sort" not in found, found
