import datetime as dt
import io
import socket
import threading

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from certificates import selectors, services
from certificates.models import Certificate
from certificates.render import certificate_html, qr_svg, verification_url
from certificates.tasks import render_certificate
from cohorts.models import Enrollment
from modules.models import Attendance, Module, Session, TaskSubmission
from portal.mail.models import OutboxMessage
from portal.pdf import FetchRefused, safe_url_fetcher
from tests.factories import CohortFactory, EnrollmentFactory, UserFactory, berlin

pytestmark = pytest.mark.django_db

NOW = berlin(2022, 12, 20, 10)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def cohort(db):
    cohort = CohortFactory(
        number=3,
        start_date=dt.date(2022, 10, 24),
        end_date=dt.date(2022, 12, 16),
        applications_open_at=berlin(2022, 8, 1),
        applications_close_on=dt.date(2022, 10, 4),
    )
    for position in range(1, 6):
        module = Module.objects.create(
            programme=cohort.programme,
            position=position,
            title=f"Modul {position}",
            description=f"Inhalte von Modul {position}",
        )
        start = berlin(2022, 10, 25 + position, 13)
        Session.objects.create(
            cohort=cohort, module=module, starts_at=start, ends_at=start + dt.timedelta(hours=2)
        )
    return cohort


@pytest.fixture
def coordinator(cohort):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="coordinators"))
    cohort.coordinators.add(user)
    return user


def graduate(cohort, coordinator, **user_fields):
    enrollment = EnrollmentFactory(
        cohort=cohort, state=Enrollment.State.CONFIRMED, user=UserFactory(**user_fields)
    )
    for session in cohort.sessions.all():
        Attendance.objects.create(
            session=session, enrollment=enrollment, status="present", recorded_by=coordinator
        )
        TaskSubmission.objects.create(
            enrollment=enrollment,
            module=session.module,
            kind="task",
            state="accepted",
            file="x.pdf",
            file_name="x.pdf",
            submitted_at=session.starts_at,
        )
    return enrollment


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def no_network(monkeypatch):
    def refuse(self, address):
        raise AssertionError(f"network access attempted: {address}")

    monkeypatch.setattr(socket.socket, "connect", refuse)


def test_render_a_real_pdfa_with_umlauts_qr_and_no_network(
    cohort, coordinator, no_network, django_capture_on_commit_callbacks
):
    enrollment = graduate(cohort, coordinator, first_name="Jördis", last_name="Groß-Łęcka")
    with django_capture_on_commit_callbacks(execute=True):
        (certificate,) = services.issue_certificates(cohort=cohort, by=coordinator, at=NOW)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.ISSUED
    assert certificate.number == "SCM-2022-3-0001"
    content = certificate.pdf.read()
    text = pdf_text(content)
    assert "Jördis Groß-Łęcka" in text and "SCM-2022-3-0001" in text and "Modul 5" in text
    reader = PdfReader(io.BytesIO(content))
    assert b"pdfaid:part" in reader.xmp_metadata.stream.get_data()
    assert reader.metadata.title == "Zertifikat Smart City Manager:in SCM-2022-3-0001"
    import hashlib

    assert certificate.sha256 == hashlib.sha256(content).hexdigest()
    url = verification_url(certificate)
    assert url == (
        f"http://127.0.0.1:8000/zertifikat/pruefen/?nummer=SCM-2022-3-0001&code="
        f"{certificate.verification_code}"
    )
    assert qr_svg(url) in certificate_html(certificate)
    # The participant gets it by mail, with the PDF attached, once.
    (message,) = [m for m in mail.outbox if "Zertifikat" in m.subject]
    assert message.to == [enrollment.user.email]
    assert message.attachments[0][0] == "Zertifikat-SCM-2022-3-0001.pdf"
    assert message.attachments[0][1] == content


def test_names_with_markup_render_as_text(
    cohort, coordinator, no_network, django_capture_on_commit_callbacks
):
    graduate(cohort, coordinator, first_name="<img src=file:///etc/passwd>", last_name="<b>Bold</b>")
    with django_capture_on_commit_callbacks(execute=True):
        (certificate,) = services.issue_certificates(cohort=cohort, by=coordinator, at=NOW)
    certificate.refresh_from_db()
    assert "<img src=file:///etc/passwd> <b>Bold</b>" in pdf_text(certificate.pdf.read())


@pytest.mark.parametrize(
    "url",
    ["http://example.org/x.png", "https://example.org/font.ttf", "file:///etc/passwd", "ftp://example.org/x"],
)
def test_the_fetcher_refuses_everything_outside_the_pdf_assets(url):
    with pytest.raises((FetchRefused, ValueError)):
        safe_url_fetcher().fetch(url)


def test_the_fetcher_serves_the_shipped_fonts():
    from portal.pdf import ASSET_DIR

    response = safe_url_fetcher().fetch((ASSET_DIR / "fonts" / "FiraSans-Regular.ttf").as_uri())
    assert response.read()[:4] == b"\x00\x01\x00\x00"


def test_only_graduates_are_eligible_and_numbers_are_gapless(cohort, coordinator):
    first, second = graduate(cohort, coordinator), graduate(cohort, coordinator)
    partial = EnrollmentFactory(cohort=cohort, state=Enrollment.State.CONFIRMED)
    assert {e.pk for e in selectors.eligible_enrollments(cohort)} == {first.pk, second.pk}
    issued = services.issue_certificates(cohort=cohort, by=coordinator, at=NOW)
    assert [c.number for c in issued] == ["SCM-2022-3-0001", "SCM-2022-3-0002"]
    assert services.issue_certificates(cohort=cohort, by=coordinator, at=NOW) == []
    assert Certificate.objects.count() == 2
    assert partial.certificates.count() == 0


def _killed(**_kwargs):
    raise SystemExit("killed")


def test_a_retried_render_neither_renders_nor_mails_twice(
    cohort, coordinator, django_capture_on_commit_callbacks, monkeypatch, settings
):
    import certificates.batch as batch

    graduate(cohort, coordinator)
    (certificate,) = services.issue_certificates(cohort=cohort, by=coordinator, at=NOW)
    # The worker dies while the mail is recorded: the file is not kept without its mail.
    real_queue = batch.queue_templated_mail
    monkeypatch.setattr(batch, "queue_templated_mail", _killed)
    with pytest.raises(SystemExit):
        services.store_rendering(certificate_id=certificate.pk, at=NOW)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.PENDING and not certificate.pdf
    assert not OutboxMessage.objects.exists()
    monkeypatch.setattr(batch, "queue_templated_mail", real_queue)
    # Within the lease its claim holds; after it, the rendering is begun again, and this time the
    # worker dies after storing the certificate with its mail, before handing the mail over.
    later = NOW + dt.timedelta(seconds=settings.PORTAL_WORK_LEASE_SECONDS)
    assert batch.render_batch([certificate.pk], final=False, at=later - dt.timedelta(seconds=1)).statuses == {
        certificate.pk: Certificate.Status.PENDING
    }
    monkeypatch.setattr(batch, "enqueue", lambda ids: _killed())
    with pytest.raises(SystemExit):
        batch.render_batch([certificate.pk], final=False, at=later)
    certificate.refresh_from_db()
    first_hash = certificate.sha256
    assert certificate.status == Certificate.Status.ISSUED and certificate.render_attempts == 2
    assert OutboxMessage.objects.get(kind="certificate-ready").status == OutboxMessage.Status.QUEUED
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        render_certificate.apply(args=[certificate.pk])
        render_certificate.apply(args=[certificate.pk])
    certificate.refresh_from_db()
    assert certificate.sha256 == first_hash and certificate.render_attempts == 2
    assert OutboxMessage.objects.filter(kind="certificate-ready").count() == 1
    assert len(mail.outbox) == 1


def test_a_failing_render_is_retried_and_then_shown_with_its_reason(cohort, coordinator, monkeypatch):
    graduate(cohort, coordinator)
    (certificate,) = services.issue_certificates(cohort=cohort, by=coordinator, at=NOW)
    import certificates.render as render

    monkeypatch.setattr(
        render, "render_layered_pdf", lambda html, **options: (_ for _ in ()).throw(OSError("kaputt"))
    )
    monkeypatch.setattr(render_certificate, "max_retries", 0)
    assert render_certificate.apply(args=[certificate.pk]).get() == "failed"
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.FAILED
    assert certificate.render_error == "OSError: kaputt"


def test_revoke_and_reissue(cohort, coordinator):
    graduate(cohort, coordinator)
    (certificate,) = services.issue_certificates(cohort=cohort, by=coordinator, at=NOW)
    with pytest.raises(ValidationError, match="Grund"):
        services.revoke(certificate=certificate, reason=" ", by=coordinator, at=NOW)
    new = services.reissue(certificate=certificate, reason="Name falsch geschrieben", by=coordinator, at=NOW)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED and certificate.replaced_by == new
    assert new.number == "SCM-2022-3-0002" and new.enrollment == certificate.enrollment


def test_a_coordinator_of_another_cohort_cannot_issue(cohort, coordinator):
    graduate(cohort, coordinator)
    stranger = UserFactory(is_staff=True)
    stranger.groups.add(Group.objects.get(name="coordinators"))
    with pytest.raises(ValidationError, match="koordinieren"):
        services.issue_certificates(cohort=cohort, by=stranger, at=NOW)
    assert not Certificate.objects.exists()


# --- the public verification page --------------------------------------------------------------


@pytest.fixture
def issued(cohort, coordinator, django_capture_on_commit_callbacks):
    graduate(cohort, coordinator, first_name="Erika", last_name="Ähnlich", email="erika.ae@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        (certificate,) = services.issue_certificates(cohort=cohort, by=coordinator, at=NOW)
    certificate.refresh_from_db()
    return certificate


def test_verification_shows_validity_and_nothing_else_about_the_person(client, issued):
    page = client.get(
        reverse("certificates:verify"),
        {"nummer": issued.number.lower(), "code": issued.verification_code.lower()},
    ).content.decode()
    assert "Das Zertifikat ist gültig." in page and "Erika Ähnlich" in page and "20.12.2022" in page
    result = page[page.index("kern-alert--success") : page.index("</dl>")]
    assert "erika.ae@example.org" not in page and "Potsdam" not in result


def test_verification_of_unknown_or_mistyped_codes(client, issued):
    page = client.get(
        reverse("certificates:verify"), {"nummer": issued.number, "code": "AAAAAAAA"}
    ).content.decode()
    assert "gibt es kein Zertifikat" in page and "Erika" not in page


def test_revoked_certificates_say_so_with_the_reason(client, issued, coordinator):
    services.revoke(certificate=issued, reason="Teilnahme nicht nachgewiesen", by=coordinator, at=NOW)
    page = client.get(
        reverse("certificates:verify"), {"nummer": issued.number, "code": issued.verification_code}
    ).content.decode()
    assert "Das Zertifikat wurde widerrufen." in page and "Teilnahme nicht nachgewiesen" in page


def test_verification_is_rate_limited(client, issued):
    for _ in range(20):
        assert (
            client.get(reverse("certificates:verify"), {"nummer": "SCM-2022-3-9999", "code": "X"}).status_code
            == 200
        )
    response = client.get(
        reverse("certificates:verify"), {"nummer": issued.number, "code": issued.verification_code}
    )
    assert response.status_code == 429
    assert "Erika" not in response.content.decode()


def test_uploaded_pdf_is_checked_against_the_original(client, issued):
    original = issued.pdf.read()
    page = client.post(
        reverse("certificates:verify"), {"datei": SimpleUploadedFile("z.pdf", original)}
    ).content.decode()
    assert "unverändertes, gültiges Zertifikat" in page
    tampered = original.replace(b"Erika", b"Erikb", 1) if b"Erika" in original else original + b"%"
    page = client.post(
        reverse("certificates:verify"), {"datei": SimpleUploadedFile("z.pdf", tampered)}
    ).content.decode()
    assert "stimmt mit keinem ausgestellten Zertifikat überein" in page


def test_participant_downloads_own_certificate_only(client, issued, cohort, coordinator):
    client.force_login(issued.enrollment.user)
    response = client.get(reverse("certificates:download", args=[issued.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="Zertifikat-SCM-2022-3-0001.pdf"'
    assert "SCM-2022-3-0001" in client.get(reverse("modules:dashboard")).content.decode()
    client.force_login(UserFactory())
    assert client.get(reverse("certificates:download", args=[issued.pk])).status_code == 404


def test_coordinator_page_shows_eligible_and_progress(
    client, cohort, coordinator, django_capture_on_commit_callbacks
):
    waiting = graduate(cohort, coordinator, first_name="Wanda", last_name="Wartend")
    client.force_login(coordinator)
    page = client.get(reverse("certificates:cohort", args=[cohort.pk])).content.decode()
    assert "Wanda Wartend" in page and "Ausgestellt: 0" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("certificates:issue", args=[cohort.pk]), {"enrollment": [waiting.pk]})
    page = client.get(reverse("certificates:cohort", args=[cohort.pk])).content.decode()
    assert "Ausgestellt: 1" in page and "SCM-2022-3-0001" in page


# --- PostgreSQL and a real worker ---------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_issuing_a_cohort_twice_at_once_gives_one_certificate_each(cohort, coordinator):
    for _ in range(6):
        graduate(cohort, coordinator)
    barrier = threading.Barrier(2)
    errors = []

    def issue():
        try:
            barrier.wait(timeout=30)
            services.issue_certificates(cohort=cohort, by=coordinator, at=NOW)
        except Exception as exc:  # asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(Certificate.objects.values_list("sequence", flat=True)) == [1, 2, 3, 4, 5, 6]
    assert Certificate.objects.values("enrollment").distinct().count() == 6


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_renders_and_mails_a_certificate(cohort, coordinator, settings):
    import time

    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    graduate(cohort, coordinator)
    app.conf.task_always_eager = False
    with start_worker(app, perform_ping_check=False, pool="solo", concurrency=1, shutdown_timeout=30):
        (certificate,) = services.issue_certificates(cohort=cohort, by=coordinator, at=timezone.now())
        for _ in range(300):
            if OutboxMessage.objects.filter(kind="certificate-ready", status="sent").exists():
                break
            time.sleep(0.1)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.ISSUED
    assert [m.subject for m in mail.outbox] == [
        f"Ihr Zertifikat „Smart City Manager:in“ ({certificate.number})"
    ]


def test_english_version_on_request_with_the_same_number(client, issued, django_capture_on_commit_callbacks):
    client.force_login(issued.enrollment.user)
    assert "Englische Fassung anfordern" in client.get(reverse("modules:dashboard")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("certificates:request_translation", args=[issued.pk]))
    issued.refresh_from_db()
    response = client.get(reverse("certificates:download", args=[issued.pk]) + "?fassung=en")
    content = b"".join(response.streaming_content)
    text = pdf_text(content)
    assert "Certificate" in text and issued.number in text and "Erika Ähnlich" in text
    assert response["Content-Disposition"] == 'attachment; filename="Zertifikat-SCM-2022-3-0001-en.pdf"'
    page = client.post(reverse("certificates:verify"), {"datei": SimpleUploadedFile("en.pdf", content)})
    assert "unverändertes, gültiges Zertifikat" in page.content.decode()
    assert "Englische Fassung herunterladen" in client.get(reverse("modules:dashboard")).content.decode()
