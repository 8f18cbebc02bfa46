# ruff: noqa: F811  (the cohort and coordinator fixtures are those of test_certificates)
"""Revoking a certificate asks first: the reason on a form, then a confirmation that shows what
will happen; only the confirmed step revokes. It is audited and mails the holder, in their
language, through the outbox. An empty reason is refused at the field, naming the certificate."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from certificates import services
from certificates.models import Certificate
from portal.mail.models import OutboxMessage
from tests.factories import UserFactory

from .test_certificates import NOW, cohort, coordinator, graduate  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def certificate(cohort, coordinator):
    graduate(cohort, coordinator, first_name="Rita", last_name="Roth", email="rita@example.org")
    (certificate,) = services.issue_certificates(cohort=cohort, by=coordinator, at=NOW)
    return certificate


def test_revocation_asks_first_and_then_revokes_audited_and_mailed(
    client, certificate, coordinator, django_capture_on_commit_callbacks
):
    url = reverse("certificates:revoke", args=[certificate.pk])
    client.force_login(coordinator)
    form = client.get(url).content.decode()
    assert 'name="reason"' in form and "Weiter zur Bestätigung" in form
    confirm = client.post(url, {"action": "revoke", "reason": "Teilnahme nicht nachgewiesen"})
    page = confirm.content.decode()
    assert (
        confirm.status_code == 200
        and "Widerruf bestätigen" in page
        and "Teilnahme nicht nachgewiesen" in page
    )
    assert Certificate.objects.get().status != Certificate.Status.REVOKED  # nothing happened yet
    edit = client.post(url, {"action": "revoke", "reason": "Teilnahme nicht nachgewiesen", "edit": "1"})
    assert "Teilnahme nicht nachgewiesen</textarea>" in edit.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            url, {"action": "revoke", "reason": "Teilnahme nicht nachgewiesen", "confirmed": "1"}
        )
    assert done.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED and certificate.revoked_by == coordinator
    entry = LogEntry.objects.get_for_object(certificate).order_by("-timestamp").first()
    assert entry.actor == coordinator and "revocation_reason" in entry.changes_dict
    (message,) = OutboxMessage.objects.filter(kind="certificate-revoked")
    assert message.recipient == "rita@example.org"
    assert message.subject == f"Ihr Zertifikat {certificate.number} wurde widerrufen"
    assert "Grund: Teilnahme nicht nachgewiesen" in message.body_text


def test_an_empty_reason_is_refused_at_the_field_naming_the_certificate(client, certificate, coordinator):
    client.force_login(coordinator)
    response = client.post(
        reverse("certificates:revoke", args=[certificate.pk]),
        {"action": "revoke", "reason": "   ", "confirmed": "1"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert (
        f"Bitte geben Sie den Grund an, aus dem das Zertifikat {certificate.number} von Rita Roth widerrufen wird."
        in page
    )
    assert 'href="#id_reason"' in page and 'aria-invalid="true"' in page
    assert Certificate.objects.get().status != Certificate.Status.REVOKED


def test_the_holder_is_mailed_in_their_language(certificate, coordinator):
    holder = certificate.enrollment.user
    holder.language = "en"
    holder.save()
    services.revoke(certificate=certificate, reason="Not attended", by=coordinator, at=NOW)
    message = OutboxMessage.objects.get(kind="certificate-revoked")
    assert message.subject == f"Your certificate {certificate.number} has been revoked"
    assert "Reason: Not attended" in message.body_text


def test_reissue_after_confirmation_sends_no_revocation_mail(client, certificate, coordinator):
    client.force_login(coordinator)
    client.post(
        reverse("certificates:revoke", args=[certificate.pk]),
        {"action": "reissue", "reason": "Name falsch", "confirmed": "1"},
    )
    assert Certificate.objects.filter(status=Certificate.Status.REVOKED).count() == 1
    assert Certificate.objects.count() == 2
    assert not OutboxMessage.objects.filter(kind="certificate-revoked").exists()


def test_others_cannot_revoke(client, certificate):
    url = reverse("certificates:revoke", args=[certificate.pk])
    for intruder in (UserFactory(is_staff=True), certificate.enrollment.user):
        client.force_login(intruder)
        assert client.get(url).status_code == 404
        assert client.post(url, {"action": "revoke", "reason": "x", "confirmed": "1"}).status_code == 404
    assert Certificate.objects.get().status != Certificate.Status.REVOKED
