# ruff: noqa: F811  (the cohort and coordinator fixtures are those of test_certificates)
"""A cohort's certificates go to the worker in batches: one task renders several, stores each
together with its mail, and hands the batch's mails over at once; a certificate that fails holds
up no other and is the only one tried again."""

import pytest
from django.core import mail

from certificates import batch, services
from certificates.models import Certificate
from certificates.tasks import render_certificate, render_certificates
from portal.mail.models import OutboxMessage
from portal.mail.tasks import send_outbox_batch

from .test_certificates import NOW, cohort, coordinator, graduate  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def issued(cohort, coordinator, count: int, django_capture_on_commit_callbacks) -> list[int]:
    """Issue ``count`` certificates, their renderings left in the queue."""
    for index in range(count):
        graduate(cohort, coordinator, first_name=f"G{index}", last_name="Absolvent")
    with django_capture_on_commit_callbacks(execute=False):
        certificates = services.issue_certificates(cohort=cohort, by=coordinator, at=NOW)
    return [certificate.pk for certificate in certificates]


@pytest.mark.parametrize(
    ("count", "sizes"),
    [(1, [1]), (7, [1] * 7), (20, [2] * 10), (100, [10] * 10), (253, [10] * 25 + [3])],
)
def test_a_cohort_is_shared_among_tasks_of_at_most_ten(count, sizes):
    ids = list(range(1, count + 1))
    shared = batch.batches(ids)
    assert [len(part) for part in shared] == sizes
    assert [pk for part in shared for pk in part] == ids


def test_issuing_queues_one_task_per_batch(
    cohort, coordinator, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(render_certificates, "delay", queued.append)
    monkeypatch.setattr(render_certificate, "delay", lambda pk: queued.append([pk]))
    for index in range(16):
        graduate(cohort, coordinator, first_name=f"G{index}", last_name="Absolvent")
    with django_capture_on_commit_callbacks(execute=True):
        certificates = services.issue_certificates(cohort=cohort, by=coordinator, at=NOW)
    assert queued == [[c.pk for c in certificates[i : i + 2]] for i in range(0, 16, 2)]
    assert {c.queued_at for c in Certificate.objects.all()} == {NOW}


def test_a_batch_stores_each_certificate_with_its_mail_and_hands_the_mails_over_at_once(
    cohort, coordinator, monkeypatch, django_capture_on_commit_callbacks
):
    ids = issued(cohort, coordinator, 3, django_capture_on_commit_callbacks)
    handed_over = []
    monkeypatch.setattr(send_outbox_batch, "delay", handed_over.append)
    with django_capture_on_commit_callbacks(execute=True):
        render_certificates.apply(args=[ids])
    messages = OutboxMessage.objects.filter(kind="certificate-ready").order_by("pk")
    assert [m.related_id for m in messages] == ids
    assert handed_over == [[m.pk for m in messages]]  # one task for the batch's mails
    for certificate in Certificate.objects.filter(pk__in=ids):
        assert certificate.status == Certificate.Status.ISSUED and certificate.render_attempts == 1
        assert certificate.pdf and messages.get(related_id=certificate.pk).attachment == certificate.pdf.name
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        render_certificates.apply(args=[ids])  # delivered twice: nothing rendered or recorded again
    assert set(Certificate.objects.values_list("render_attempts", flat=True)) == {1}
    assert OutboxMessage.objects.filter(kind="certificate-ready").count() == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        Certificate.objects.values_list("enrollment__user__email", flat=True)
    )


def test_a_failing_certificate_holds_up_no_other_and_only_it_is_tried_again(
    cohort, coordinator, monkeypatch, django_capture_on_commit_callbacks
):
    import certificates.render as render

    ids = issued(cohort, coordinator, 3, django_capture_on_commit_callbacks)
    real_render, rendered = render.render_certificate_pdf, []

    def flaky(certificate, *args):
        rendered.append(certificate.pk)
        if certificate.pk == ids[1] and rendered.count(ids[1]) == 1:
            raise OSError("Speicher voll")
        return real_render(certificate, *args)

    monkeypatch.setattr(render, "render_certificate_pdf", flaky)
    with django_capture_on_commit_callbacks(execute=True):
        # The retry runs at once, as tasks run eagerly here.
        render_certificates.apply(args=[ids], throw=False)
    assert rendered == [*ids, ids[1]]
    attempts = dict(Certificate.objects.values_list("pk", "render_attempts"))
    assert attempts == {ids[0]: 1, ids[1]: 2, ids[2]: 1}
    assert set(Certificate.objects.values_list("status", flat=True)) == {Certificate.Status.ISSUED}
    assert len(mail.outbox) == 3


def test_a_batch_whose_retries_run_out_fails_the_certificate_with_its_reason(
    cohort, coordinator, monkeypatch, django_capture_on_commit_callbacks
):
    import certificates.render as render

    ids = issued(cohort, coordinator, 2, django_capture_on_commit_callbacks)
    real_render = render.render_certificate_pdf

    def broken_for_the_first(certificate, *args):
        if certificate.pk == ids[0]:
            raise OSError("kaputt")
        return real_render(certificate, *args)

    monkeypatch.setattr(render, "render_certificate_pdf", broken_for_the_first)
    monkeypatch.setattr(render_certificates, "max_retries", 1)
    with django_capture_on_commit_callbacks(execute=True):
        render_certificates.apply(args=[ids], throw=False)
    first, second = Certificate.objects.filter(pk__in=ids).order_by("pk")
    assert first.status == Certificate.Status.FAILED and first.render_error == "OSError: kaputt"
    assert first.render_attempts == 2  # the first try and the one retry
    assert second.status == Certificate.Status.ISSUED and len(mail.outbox) == 1


def test_a_certificate_revoked_while_it_renders_stays_revoked_and_unmailed(
    cohort, coordinator, monkeypatch, django_capture_on_commit_callbacks
):
    import certificates.render as render

    (pk,) = issued(cohort, coordinator, 1, django_capture_on_commit_callbacks)
    real_render = render.render_certificate_pdf

    def revoked_meanwhile(certificate, *args):
        Certificate.objects.filter(pk=certificate.pk).update(status=Certificate.Status.REVOKED)
        return real_render(certificate, *args)

    monkeypatch.setattr(render, "render_certificate_pdf", revoked_meanwhile)
    with django_capture_on_commit_callbacks(execute=True):
        assert render_certificate.apply(args=[pk]).get() == Certificate.Status.REVOKED
    certificate = Certificate.objects.get(pk=pk)
    assert not certificate.pdf and not OutboxMessage.objects.exists() and mail.outbox == []


def test_a_worker_process_loads_the_schema_and_the_keys_when_it_starts(settings):
    from celery.signals import worker_process_init

    from certificates import keys, openbadges, seal

    settings.CERTIFICATE_SEALING = "on"
    for cached in (openbadges._validator, keys._signing_key, seal._signer):
        cached.cache_clear()
    worker_process_init.send(sender=None)
    for cached in (openbadges._validator, keys._signing_key, seal._signer):
        assert cached.cache_info().currsize == 1


def test_missing_keys_do_not_keep_a_worker_process_from_starting(settings, caplog, monkeypatch):
    from celery.signals import worker_process_init

    from certificates import keys

    def missing():
        raise keys.KeysMissing("OB_SIGNING_KEY_FILE")

    monkeypatch.setattr(keys, "signing_key", missing)
    worker_process_init.send(sender=None)
    assert "could not be loaded in advance" in caplog.text
