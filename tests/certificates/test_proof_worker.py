"""A cohort sealed and credentialled by a real Celery worker on PostgreSQL."""

import time

import pytest
from django.utils import timezone
from openbadgeslib.ob3 import OB3Verifier

from certificates import openbadges, services
from certificates.models import Certificate
from certificates.seal import check_seal
from tests.certificates import test_certificates as base
from tests.certificates.test_openbadges import fetch_with, public_pem, write_key

cohort = base.cohort
coordinator = base.coordinator


@pytest.mark.postgres
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_seals_and_credentials_a_cohort(client, cohort, coordinator, settings, tmp_path):
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.OB_SIGNING_KEY_FILE = str(write_key(tmp_path / "ob.pem"))
    for _ in range(4):
        base.graduate(cohort, coordinator)
    app.conf.task_always_eager = False
    with start_worker(app, perform_ping_check=False, pool="solo", concurrency=1, shutdown_timeout=30):
        issued = services.issue_certificates(cohort=cohort, by=coordinator, at=timezone.now())
        for _ in range(600):
            if not Certificate.objects.exclude(status=Certificate.Status.ISSUED).exists():
                break
            time.sleep(0.1)
    certificates = list(Certificate.objects.filter(pk__in=[c.pk for c in issued]).order_by("sequence"))
    assert [c.status for c in certificates] == [Certificate.Status.ISSUED] * 4
    verifier = OB3Verifier(pubkey_pem=public_pem(settings.OB_SIGNING_KEY_FILE))
    download = fetch_with(client)
    for certificate in certificates:
        seal = check_seal(certificate.pdf.read())
        assert seal.valid, (certificate.number, seal.message)
        credential = verifier.verify(certificate.credential_jwt, check_status=True, download=download)
        assert credential.id == certificate.credential_id == openbadges.credential_id(certificate.number)
    assert len({c.credential_id for c in certificates}) == 4
