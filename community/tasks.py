"""The network's Celery task: the exchange's weekly digest (beat, Mondays). Safe to run twice:
the outbox key holds the week."""

from celery import shared_task
from django.utils import timezone


@shared_task(name="community.tasks.send_exchange_digest")
def send_exchange_digest() -> int:
    from .digest import send_all

    return send_all(at=timezone.now())
