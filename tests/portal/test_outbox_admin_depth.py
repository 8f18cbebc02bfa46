"""The outbox admin offers only its first pages: no OFFSET over millions of rows."""

import pytest
from django.core.paginator import EmptyPage
from django.urls import reverse

from portal.mail.models import OutboxMessage
from portal.web.paging import DepthLimitedPaginator
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def mails(count: int) -> None:
    OutboxMessage.objects.bulk_create(
        OutboxMessage(
            idempotency_key=f"tiefe:{i}", kind="test", recipient=f"p{i}@example.org", subject=f"Nr. {i}"
        )
        for i in range(count)
    )


def test_the_paginator_keeps_the_true_count_but_offers_only_the_first_pages(monkeypatch):
    mails(7)
    monkeypatch.setattr(DepthLimitedPaginator, "MAX_PAGES", 2)
    paginator = DepthLimitedPaginator(OutboxMessage.objects.order_by("pk"), 2)
    assert paginator.count == 7
    assert paginator.num_pages == 2 and list(paginator.page_range) == [1, 2]
    assert len(paginator.page(2).object_list) == 2
    with pytest.raises(EmptyPage):
        paginator.page(3)


def test_the_outbox_list_refuses_a_page_deeper_than_offered(client, monkeypatch):
    mails(5)
    monkeypatch.setattr(DepthLimitedPaginator, "MAX_PAGES", 2)
    from portal.admin import OutboxMessageAdmin

    monkeypatch.setattr(OutboxMessageAdmin, "list_per_page", 2)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:portal_outboxmessage_changelist")
    page = client.get(url + "?p=2")
    assert page.status_code == 200 and "Nr. " in page.content.decode()
    deep = client.get(url + "?p=3")
    assert deep.status_code == 302 and "e=1" in deep["Location"]
