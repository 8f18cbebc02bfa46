"""The waves through a real Celery worker on Redis and PostgreSQL: beat's task invites once, and a
mail queued before a consent was withdrawn or a certificate revoked is not sent."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.utils import timezone

from certificates.models import Certificate
from config.celery import app
from evaluation import waves
from evaluation.models import Invitation
from evaluation.tasks import run_waves
from portal.mail.models import OutboxMessage
from tests.evaluation.waves_world import build


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.celery_worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_each_invitation_once_and_none_that_is_no_longer_due(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    world = build(people=4, issued_days_ago=1, now=timezone.now())
    app.conf.task_always_eager = False
    # Beat's run while no worker is up: four invitations, their mails waiting in the broker.
    run_waves()
    mine = list(Invitation.objects.filter(enrollment__in=world.enrollments))
    keys = [f"reminder:wave-invitation:invitation:{invitation.pk}" for invitation in mine]
    assert len(mine) == 4 and OutboxMessage.objects.filter(idempotency_key__in=keys).count() == 4
    withdrawn, opted, revoked, kept = world.enrollments
    waves.withdraw_consent(
        user=withdrawn.user, programme=world.programme, at=Invitation.objects.first().opens_at
    )
    waves.opt_out(user=opted.user, programme=world.programme, at=Invitation.objects.first().opens_at)
    Certificate.objects.filter(enrollment=revoked).update(status=Certificate.Status.REVOKED)
    with start_worker(app, perform_ping_check=False, pool="solo", concurrency=1, shutdown_timeout=10):
        run_waves.delay()
        run_waves.delay()  # beat fired twice more
        wait_for(
            lambda: (
                not OutboxMessage.objects.filter(kind="reminder-wave-invitation", status="queued").exists()
                and OutboxMessage.objects.filter(kind="reminder-wave-invitation", status="sent").exists()
            ),
            30,
            "every invitation handled",
        )
        time.sleep(1)
    assert OutboxMessage.objects.filter(idempotency_key__in=keys).count() == 4  # beat twice more: no more
    ours = {enrollment.user.email for enrollment in world.enrollments}
    assert [message.to[0] for message in mail.outbox if message.to[0] in ours] == [kept.user.email]
