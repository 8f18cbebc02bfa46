"""Certificates whose rendering got lost are handed on again after the lease, once; a task that
arrives twice renders and mails once; the coordinator sees what is stuck and starts it again."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from certificates import services
from certificates.models import Certificate
from certificates.tasks import render_certificate, sweep_certificates
from portal.mail.models import OutboxMessage
from tests.certificates.test_certificates import graduate
from tests.factories import UserFactory, berlin

pytestmark = pytest.mark.django_db

T0 = berlin(2022, 12, 20, 10)


@pytest.fixture(autouse=True)
def _media_and_lease(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PORTAL_WORK_LEASE_SECONDS = 300


def lease(settings) -> dt.timedelta:
    return dt.timedelta(seconds=settings.PORTAL_WORK_LEASE_SECONDS)


def issue(cohort, coordinator, count: int, *, lost: bool = True) -> list[Certificate]:
    """Issue ``count`` certificates; with ``lost`` their tasks never reach a worker."""
    for _ in range(count):
        graduate(cohort, coordinator)
    issued = services.issue_certificates(cohort=cohort, by=coordinator, at=T0)
    return list(Certificate.objects.filter(pk__in=[c.pk for c in issued]).order_by("sequence"))


def test_issuing_records_the_hand_over(cohort, coordinator):
    (certificate,) = issue(cohort, coordinator, 1)
    assert certificate.status == Certificate.Status.PENDING
    assert certificate.queued_at == T0 and certificate.claimed_at is None


def test_the_sweeper_leaves_work_alone_within_the_lease_and_hands_it_on_after(
    cohort, coordinator, settings, django_capture_on_commit_callbacks, time_machine
):
    first, second = issue(cohort, coordinator, 2)
    time_machine.move_to(T0 + lease(settings) - dt.timedelta(seconds=1), tick=False)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert sweep_certificates.apply().get() == {"requeued": 0, "failed": 0}
    assert callbacks == []
    time_machine.move_to(T0 + lease(settings), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_certificates.apply().get() == {"requeued": 2, "failed": 0}
    for certificate in (first, second):
        certificate.refresh_from_db()
        assert certificate.status == Certificate.Status.ISSUED
        assert certificate.render_attempts == 1
    assert OutboxMessage.objects.filter(kind="certificate-ready").count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(c.enrollment.user.email for c in (first, second))
    # Numbers stay gapless: the sweeper hands on, it never issues anew.
    assert list(Certificate.objects.order_by("sequence").values_list("sequence", flat=True)) == [1, 2]


def test_a_sweep_and_the_lost_task_arriving_late_render_and_mail_once(
    cohort, coordinator, settings, django_capture_on_commit_callbacks, time_machine
):
    (certificate,) = issue(cohort, coordinator, 1)
    time_machine.move_to(T0 + 2 * lease(settings), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        sweep_certificates.apply()
        sweep_certificates.apply()  # two beats by mistake
        render_certificate.apply(args=[certificate.pk])  # the broker hands the lost task back
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.ISSUED and certificate.render_attempts == 1
    assert len(mail.outbox) == 1
    assert OutboxMessage.objects.filter(kind="certificate-ready").count() == 1


def test_a_fresh_claim_is_neither_rendered_again_nor_swept(cohort, coordinator, settings, time_machine):
    (certificate,) = issue(cohort, coordinator, 1)
    # A worker began rendering a minute before the lease ran out, and is still at it.
    begun = T0 + lease(settings) - dt.timedelta(minutes=1)
    Certificate.objects.filter(pk=certificate.pk).update(claimed_at=begun, render_attempts=1)
    time_machine.move_to(T0 + lease(settings), tick=False)
    assert render_certificate.apply(args=[certificate.pk]).get() == "pending"  # a second delivery
    assert services.sweep_pending(now=T0 + lease(settings)) == {"requeued": 0, "failed": 0}
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.PENDING and certificate.render_attempts == 1
    assert not certificate.pdf
    # Its worker died: once the claim is older than the lease, the sweeper hands it on.
    assert services.sweep_pending(now=begun + lease(settings)) == {"requeued": 1, "failed": 0}


def test_a_certificate_begun_too_often_fails_with_the_reason(cohort, coordinator, settings):
    (certificate,) = issue(cohort, coordinator, 1)
    Certificate.objects.filter(pk=certificate.pk).update(
        claimed_at=T0, render_attempts=services.MAX_RENDER_ATTEMPTS
    )
    assert services.sweep_pending(now=T0 + lease(settings)) == {"requeued": 0, "failed": 1}
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.FAILED
    assert "5-mal begonnen" in certificate.render_error


def test_a_failed_retry_gives_its_claim_up(cohort, coordinator, monkeypatch):
    (certificate,) = issue(cohort, coordinator, 1)
    Certificate.objects.filter(pk=certificate.pk).update(claimed_at=T0, render_attempts=1)
    services.record_failure(certificate_id=certificate.pk, error="OSError: kaputt", final=False)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.PENDING and certificate.claimed_at is None


# --- "erneut anstoßen" --------------------------------------------------------------------------


def test_start_again_renders_a_stuck_certificate_with_its_number(
    cohort, coordinator, settings, django_capture_on_commit_callbacks
):
    (certificate,) = issue(cohort, coordinator, 1)
    with pytest.raises(ValidationError, match="gerade erstellt"):
        services.start_again(certificate=certificate, by=coordinator, at=T0 + dt.timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        again = services.start_again(certificate=certificate, by=coordinator, at=T0 + lease(settings))
    again.refresh_from_db()
    assert again.status == Certificate.Status.ISSUED and again.number == certificate.number
    assert len(mail.outbox) == 1
    with pytest.raises(ValidationError):
        services.start_again(certificate=again, by=coordinator, at=T0 + 3 * lease(settings))


def test_start_again_takes_up_a_failed_certificate(cohort, coordinator, django_capture_on_commit_callbacks):
    (certificate,) = issue(cohort, coordinator, 1)
    Certificate.objects.filter(pk=certificate.pk).update(
        status=Certificate.Status.FAILED, render_error="OSError: kaputt", render_attempts=4
    )
    certificate.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        again = services.start_again(certificate=certificate, by=coordinator, at=T0)
    again.refresh_from_db()
    assert again.status == Certificate.Status.ISSUED and again.render_error == ""


def page(client, cohort) -> str:
    return client.get(reverse("certificates:cohort", args=[cohort.pk])).content.decode()


@pytest.mark.parametrize("count", [1, 4])
def test_the_coordinator_sees_stuck_certificates_and_starts_them_again(
    client,
    cohort,
    coordinator,
    settings,
    count,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
    time_machine,
):
    stuck = issue(cohort, coordinator, count)
    client.force_login(coordinator)
    time_machine.move_to(T0 + dt.timedelta(minutes=1), tick=False)
    assert "erneut anstoßen" not in page(client, cohort).lower()  # within the lease: nothing stuck
    time_machine.move_to(T0 + lease(settings), tick=False)
    with django_assert_num_queries(12):
        content = page(client, cohort)
    assert "Hängengebliebene Zertifikate" in content
    for certificate in stuck:
        assert reverse("certificates:start_again", args=[certificate.pk]) in content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("certificates:start_again", args=[stuck[0].pk]))
    assert response.status_code == 302
    stuck[0].refresh_from_db()
    assert stuck[0].status == Certificate.Status.ISSUED


def test_another_cohorts_coordinator_cannot_start_a_certificate_again(client, cohort, coordinator, settings):
    (certificate,) = issue(cohort, coordinator, 1)
    stranger = UserFactory(is_staff=True)
    stranger.groups.add(Group.objects.get(name="coordinators"))
    client.force_login(stranger)
    response = client.post(reverse("certificates:start_again", args=[certificate.pk]))
    assert response.status_code == 404
    with pytest.raises(ValidationError, match="koordinieren"):
        services.start_again(certificate=certificate, by=stranger, at=T0 + lease(settings))
    participant = certificate.enrollment.user
    client.force_login(participant)
    assert client.post(reverse("certificates:start_again", args=[certificate.pk])).status_code == 404
    certificate.refresh_from_db()
    assert certificate.queued_at == T0 and certificate.render_attempts == 0
