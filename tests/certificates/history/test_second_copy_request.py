"""The holder asks for the second copy of their certificate from before the portal: consent, a
worker issues it and mails them once; nobody asks for someone else's; the admin queues the same."""

from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from certificates.history.importer import run
from certificates.models import Certificate, ImportedCertificate
from portal.mail.models import OutboxMessage
from tests.factories import UserFactory

from .conftest import COHORTS_CSV, GOOD_ROWS, participants_csv

pytestmark = pytest.mark.django_db

TASK = "certificates.tasks.issue_second_copy.delay"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def imported(programme, admin_user):
    for content in (COHORTS_CSV, participants_csv(*GOOD_ROWS)):
        assert run(
            content, "f.csv", programme=programme, by=admin_user, at=timezone.now(), dry_run=False
        ).written
    return Certificate.objects.select_related("enrollment__user").get(number="SCM-2022-2-0001")


def second_copy_mails(certificate):
    return OutboxMessage.objects.filter(kind="certificate-second-copy", related_id=certificate.pk)


def test_the_holder_requests_with_consent_and_gets_one_copy_and_one_mail(
    client, imported, django_capture_on_commit_callbacks
):
    holder = imported.enrollment.user
    importer = imported.issued_by_id
    client.force_login(holder)
    dashboard = reverse("modules:dashboard")
    page = client.get(dashboard).text
    assert "Zweitschrift beantragen" in page and 'name="einwilligung"' in page
    assert reverse("certificates:download", args=[imported.pk]) not in page  # no PDF yet
    url = reverse("certificates:request_second_copy", args=[imported.pk])

    with mock.patch(TASK) as delay, django_capture_on_commit_callbacks(execute=True):
        refused = client.post(url, {}, follow=True)
    assert delay.call_count == 0 and "Bitte bestätigen Sie" in refused.text
    assert ImportedCertificate.objects.get(certificate=imported).second_copy_consent_at is None

    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(url, {"einwilligung": "on"}, follow=True)
    assert "Sie erhalten eine E-Mail, sobald sie bereitsteht" in answer.text
    record = ImportedCertificate.objects.get(certificate=imported)
    assert record.second_copy_consent_at is not None and record.second_copy_at is not None
    assert record.second_copy_consent_at <= record.second_copy_at
    imported.refresh_from_db()
    assert imported.pdf and imported.sha256
    assert imported.issued_by_id == importer  # the holder asked; nobody else issued it
    (message,) = second_copy_mails(imported)
    assert message.recipient == holder.email and "SCM-2022-2-0001" in message.subject
    assert reverse("certificates:download", args=[imported.pk]) in message.body_text
    assert "30.06.2022" in message.body_text

    # A second submit and a retry of the task: still one copy and one mail.
    from certificates.tasks import issue_second_copy

    digest = imported.sha256
    with mock.patch(TASK) as delay, django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"einwilligung": "on"})
    assert delay.call_count == 0
    issue_second_copy.apply(args=[imported.pk, holder.pk])
    imported.refresh_from_db()
    assert imported.sha256 == digest and second_copy_mails(imported).count() == 1
    page = client.get(dashboard).text
    assert "Zweitschrift beantragen" not in page
    assert reverse("certificates:download", args=[imported.pk]) in page


def test_a_double_submit_while_pending_hands_on_once_and_the_page_says_what_follows(
    client, imported, django_capture_on_commit_callbacks
):
    client.force_login(imported.enrollment.user)
    url = reverse("certificates:request_second_copy", args=[imported.pk])
    with mock.patch(TASK) as delay, django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"einwilligung": "on"})
        client.post(url, {"einwilligung": "on"})
    assert delay.call_count == 1
    page = client.get(reverse("modules:dashboard")).text
    assert "Ihre Zweitschrift wird erstellt" in page and "Zweitschrift beantragen" not in page


def test_nobody_requests_the_second_copy_of_someone_elses_certificate(
    client, imported, django_capture_on_commit_callbacks
):
    other = Certificate.objects.get(number="SCM-2022-2-0002")
    client.force_login(other.enrollment.user)
    for intruder in (other.enrollment.user, UserFactory()):
        client.force_login(intruder)
        with mock.patch(TASK) as delay, django_capture_on_commit_callbacks(execute=True):
            answer = client.post(
                reverse("certificates:request_second_copy", args=[imported.pk]), {"einwilligung": "on"}
            )
        assert answer.status_code == 404 and delay.call_count == 0
    assert ImportedCertificate.objects.get(certificate=imported).second_copy_consent_at is None


def test_a_certificate_from_the_portal_offers_no_second_copy(
    client, imported, django_capture_on_commit_callbacks
):
    client.force_login(imported.enrollment.user)
    url = reverse("certificates:request_second_copy", args=[imported.pk])
    ImportedCertificate.objects.filter(certificate=imported).delete()
    with mock.patch(TASK) as delay, django_capture_on_commit_callbacks(execute=True):
        answer = client.post(url, {"einwilligung": "on"}, follow=True)
    assert delay.call_count == 0 and "nur für Zertifikate aus der Zeit vor dem Portal" in answer.text
    assert "Zweitschrift beantragen" not in client.get(reverse("modules:dashboard")).text


def test_the_admin_queues_the_same_task_and_shows_it_under_way(
    admin_client, imported, django_capture_on_commit_callbacks
):
    record = ImportedCertificate.objects.get(certificate=imported)
    url = reverse("admin:certificates_importedcertificate_second_copy", args=[record.pk])
    with mock.patch(TASK) as delay, django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url, {})  # without consent: nothing
        assert delay.call_count == 0
        admin_client.post(url, {"einwilligung": "on"})
    delay.assert_called_once()
    assert delay.call_args.args[0] == imported.pk
    record.refresh_from_db()
    assert record.second_copy_consent_at is not None and record.second_copy_at is None
    page = admin_client.get(reverse("admin:certificates_importedcertificate_change", args=[record.pk]))
    assert "Die Zweitschrift wird erstellt" in page.text


def test_the_course_page_of_a_certified_import_shows_its_modules_completed_and_asks_no_task(client, imported):
    client.force_login(imported.enrollment.user)
    page = client.get(reverse("modules:dashboard")).text
    modules = imported.enrollment.cohort.programme.modules.count()
    assert f"{modules} von {modules} Modulen abgeschlossen" in page
    assert "nicht abgeschlossen" not in page
    assert 'name="kind" value="task"' not in page and "Die Abgabefrist endete" not in page
