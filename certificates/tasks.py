"""The certificates' Celery tasks. They take primary keys, load fresh state and call a service;
each imports its service inside its body (``services`` enqueues these tasks). The names are
given explicitly: they are stored in the beat schedule and in queued messages."""

import logging

from celery import shared_task
from celery.signals import worker_process_init
from django.utils import timezone

from portal.mail.reminders import dispatch

from .reminders import DIGEST

logger = logging.getLogger(__name__)


# A rendering task (one certificate or a batch, see certificates.batch) is cut off after
# RENDER_TIME_LIMIT seconds; the work lease (PORTAL_WORK_LEASE_SECONDS) must be longer, so that a
# claim expires only when its worker is gone.
RENDER_TIME_LIMIT = 120


@worker_process_init.connect
def _prepare_certificates(**_kwargs):
    """Each worker process loads the credential's schema and the keys when it starts."""
    from .batch import prepare

    prepare()


def _retry_delay(retries: int) -> int:
    return 10 * 2**retries


@shared_task(
    name="certificates.tasks.render_certificates",
    bind=True,
    max_retries=3,
    acks_late=True,
    ignore_result=True,  # nothing reads it: the certificates record their outcome
    time_limit=RENDER_TIME_LIMIT,
    soft_time_limit=RENDER_TIME_LIMIT - 20,
)
def render_certificates(self, certificate_ids: list[int]) -> dict[int, str]:
    """Render, store and mail a batch of certificates (see ``certificates.batch``). Safe to run
    twice; a failure is retried, for the certificates that failed only, and then recorded with
    its reason, never silently lost. A name that cannot be printed or does not fit fails at once,
    with the reason for the coordinator."""
    from .batch import render_batch

    outcome = render_batch(certificate_ids, final=self.request.retries >= self.max_retries)
    if outcome.retry:
        raise self.retry(args=[outcome.retry], countdown=_retry_delay(self.request.retries))
    return outcome.statuses


@shared_task(
    name="certificates.tasks.render_certificate",
    bind=True,
    max_retries=3,
    acks_late=True,
    ignore_result=True,
    time_limit=RENDER_TIME_LIMIT,
    soft_time_limit=RENDER_TIME_LIMIT - 20,
)
def render_certificate(self, certificate_id: int) -> str:
    """One certificate, as ``render_certificates`` renders a batch; returns its status."""
    from .batch import render_batch

    outcome = render_batch([certificate_id], final=self.request.retries >= self.max_retries)
    if outcome.retry:
        raise self.retry(countdown=_retry_delay(self.request.retries))
    return outcome.statuses.get(certificate_id, "missing")


@shared_task(name="certificates.tasks.send_coordinator_digest", acks_late=True)
def send_coordinator_digest() -> dict:
    """Coordinators' weekly digest of their cohorts (beat schedule, Monday morning). Safe to run
    twice: one digest per coordinator and calendar week."""
    return dispatch(DIGEST)


@shared_task(
    name="certificates.tasks.render_certificate_translation",
    acks_late=True,
    time_limit=120,
    soft_time_limit=100,
    autoretry_for=(OSError,),
    max_retries=3,
    retry_backoff=True,
)
def render_certificate_translation(certificate_id: int) -> str:
    """The other language's version of an issued certificate, on the participant's request."""
    from . import services

    return services.store_translation(certificate_id=certificate_id).translation_language


@shared_task(name="certificates.tasks.sweep_certificates", acks_late=True, expires=50, ignore_result=True)
def sweep_certificates() -> dict:
    """Every minute (beat): hand on again the certificates whose rendering got lost (a worker
    killed, Redis emptied). Safe to run twice; see "Leases" in ``certificates.services``."""
    from . import services

    return services.sweep_pending(now=timezone.now())


@shared_task(
    name="certificates.tasks.issue_second_copy",
    acks_late=True,
    ignore_result=True,
    time_limit=RENDER_TIME_LIMIT,
    soft_time_limit=RENDER_TIME_LIMIT - 20,
    autoretry_for=(OSError,),
    max_retries=3,
    retry_backoff=True,
)
def issue_second_copy(certificate_id: int, by_id: int) -> None:
    """The second copy of a certificate issued before the portal, on its holder's request with
    their consent: issued and mailed once, however often this runs."""
    from django.core.exceptions import ValidationError

    from .history.second_copy import deliver_second_copy

    try:
        deliver_second_copy(certificate_id=certificate_id, by_id=by_id, at=timezone.now())
    except ValidationError as error:  # revoked meanwhile, or no keys: a retry would not help
        logger.warning("second copy of certificate %s not issued: %s", certificate_id, error.messages)
