"""The import in the admin: upload → dry run → confirm; the templates; the letters; invitations."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from certificates.history.columns import KINDS, detect
from certificates.history.reader import read
from certificates.models import Certificate, ImportedEnrollment, ImportRun
from cohorts.models import Cohort
from portal.mail.models import OutboxMessage
from tests.factories import UserFactory

from .conftest import COHORTS_CSV, GOOD_ROWS, participants_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user, programme, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(admin_user)
    return client


def _upload(client, content, name):
    return client.post(
        reverse("admin:certificates_importrun_import"), {"datei": SimpleUploadedFile(name, content)}
    )


def test_dry_run_then_confirm_imports_and_offers_the_letters(admin_client):
    response = _upload(admin_client, COHORTS_CSV, "durchgaenge.csv")
    assert response.status_code == 200
    assert not Cohort.objects.exists()
    confirm = response.context["confirm"]
    assert confirm is not None and "Jetzt importieren" in response.text
    response = admin_client.post(reverse("admin:certificates_importrun_confirm"), confirm.initial)
    assert response.context["report"].written
    assert Cohort.objects.count() == 2

    response = _upload(admin_client, participants_csv(*GOOD_ROWS), "durchgang-2.csv")
    response = admin_client.post(
        reverse("admin:certificates_importrun_confirm"), response.context["confirm"].initial
    )
    run = ImportRun.objects.get(kind="teilnahmen")
    letters = admin_client.get(reverse("admin:certificates_importrun_letters", args=[run.pk]))
    certificate = Certificate.objects.get(number="SCM-2022-2-0001")
    assert certificate.verification_code in letters.text and "SCM-2022-2-0002" in letters.text


def test_a_file_with_errors_cannot_be_confirmed_and_says_row_and_column(admin_client):
    _upload(admin_client, COHORTS_CSV, "d.csv")  # dry run only: the cohorts are not there
    response = _upload(admin_client, participants_csv(*GOOD_ROWS), "t.csv")
    assert response.context["confirm"] is None
    assert "Zeile 2, Spalte A (durchgang)" in response.text
    assert "Den Durchgang 2 gibt es nicht" in response.text


def test_a_tampered_or_stale_confirmation_writes_nothing(admin_client):
    response = _upload(admin_client, COHORTS_CSV, "d.csv")
    data = dict(response.context["confirm"].initial, sha256="0" * 64)
    response = admin_client.post(reverse("admin:certificates_importrun_confirm"), data)
    assert response.status_code == 302 and not Cohort.objects.exists()


def test_staff_without_the_permission_cannot_import(client, programme):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert _upload(client, COHORTS_CSV, "d.csv").status_code == 403


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.slug)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_each_template_is_recognised_as_its_kind(admin_client, kind, fmt):
    response = admin_client.get(reverse("admin:certificates_importrun_template", args=[kind.slug, fmt]))
    sheet = read(response.content, f"vorlage.{fmt}")
    assert sheet.header == kind.columns and detect(sheet.header) is kind and len(sheet.rows) == 1


def test_invitation_mails_the_claim_link_privacy_notice_and_code(admin_client, programme, admin_user):
    from django.utils import timezone

    from certificates.history.importer import run
    from certificates.history.services import invite

    run(COHORTS_CSV, "d.csv", programme=programme, by=admin_user, at=timezone.now(), dry_run=False)
    run(
        participants_csv(*GOOD_ROWS),
        "t.csv",
        programme=programme,
        by=admin_user,
        at=timezone.now(),
        dry_run=False,
    )
    assert not OutboxMessage.objects.exists()
    record = ImportedEnrollment.objects.get(enrollment__user__email="anna.alt@example.org")
    assert invite(imported=[record], by=admin_user, at=timezone.now()) == 1
    message = OutboxMessage.objects.get(recipient="anna.alt@example.org")
    code = Certificate.objects.get(number="SCM-2022-2-0001").verification_code
    assert code in message.body_text and "/datenschutz/" in message.body_text
    record.refresh_from_db()
    assert record.invited_at is not None


def test_admin_registers_a_scan_and_issues_the_second_copy(
    admin_client, programme, admin_user, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from certificates.history.importer import run
    from certificates.models import ImportedCertificate

    for content in (COHORTS_CSV, participants_csv(*GOOD_ROWS)):
        run(content, "f.csv", programme=programme, by=admin_user, at=timezone.now(), dry_run=False)
    record = ImportedCertificate.objects.get(certificate__number="SCM-2022-2-0001")
    page = admin_client.get(reverse("admin:certificates_importedcertificate_change", args=[record.pk]))
    assert "Zweitschrift ausstellen" in page.text and "Fingerabdruck erfassen" in page.text
    scan = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n% scan\n")
    admin_client.post(
        reverse("admin:certificates_importedcertificate_fingerprint", args=[record.pk]), {"datei": scan}
    )
    assert record.certificate.fingerprints.count() == 1
    url = reverse("admin:certificates_importedcertificate_second_copy", args=[record.pk])
    admin_client.post(url, {})  # without consent: nothing
    record.refresh_from_db()
    assert record.second_copy_at is None
    with django_capture_on_commit_callbacks(execute=True):  # the worker issues it
        admin_client.post(url, {"einwilligung": "on"})
    record.refresh_from_db()
    assert record.second_copy_at is not None and record.certificate.pdf
    assert record.certificate.issued_by == admin_user


def test_the_invitation_link_lets_the_person_set_a_password(client, programme, admin_user):
    from django.utils import timezone

    from certificates.history.importer import run
    from certificates.history.services import claim_url
    from portal.accounts.models import User

    run(COHORTS_CSV, "d.csv", programme=programme, by=admin_user, at=timezone.now(), dry_run=False)
    run(
        participants_csv(*GOOD_ROWS),
        "t.csv",
        programme=programme,
        by=admin_user,
        at=timezone.now(),
        dry_run=False,
    )
    anna = User.objects.get(email="anna.alt@example.org")
    page = client.get(claim_url(anna), follow=True)
    assert page.status_code == 200 and 'name="password1"' in page.text


def test_the_letters_page_takes_the_same_queries_for_few_or_many_certificates(
    admin_client, programme, admin_user
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from certificates.history.importer import run

    run(COHORTS_CSV, "d.csv", programme=programme, by=admin_user, at=timezone.now(), dry_run=False)
    third = GOOD_ROWS[0].replace("anna.alt", "cleo.cramer").replace("0001", "0003")
    counts = []
    for rows in ([GOOD_ROWS[0]], [GOOD_ROWS[1], third]):
        report = run(
            participants_csv(*rows),
            "t.csv",
            programme=programme,
            by=admin_user,
            at=timezone.now(),
            dry_run=False,
        )
        url = reverse("admin:certificates_importrun_letters", args=[report.run_id])
        with CaptureQueriesContext(connection) as queries:
            page = admin_client.get(url)
        assert page.text.count('class="letter"') == len(rows)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_coordinator_invites_the_imported_people_of_their_own_cohorts_only(admin_client, client):
    from django.contrib.auth.models import Group

    from portal.accounts import roles

    for content, name in [(COHORTS_CSV, "d.csv"), (participants_csv(*GOOD_ROWS), "t.csv")]:
        response = _upload(admin_client, content, name)
        admin_client.post(
            reverse("admin:certificates_importrun_confirm"), response.context["confirm"].initial
        )
    run = ImportRun.objects.get(kind="teilnahmen")
    certificate = Certificate.objects.get(number="SCM-2022-2-0001")
    imported = ImportedEnrollment.objects.filter(enrollment__cohort=certificate.cohort)
    changelist = reverse("admin:certificates_importedenrollment_changelist")

    def coordinator_of(cohort):
        user = UserFactory(is_staff=True)
        user.groups.add(Group.objects.get(name=roles.COORDINATORS))
        cohort.coordinators.add(user)
        return user

    # Another cohort's coordinator: none of these people, no letters with their codes.
    client.force_login(coordinator_of(Cohort.objects.exclude(pk=certificate.cohort_id).first()))
    page = client.get(changelist)
    assert page.status_code == 200 and imported.first().enrollment.user.get_full_name() not in page.text
    letters = client.get(reverse("admin:certificates_importrun_letters", args=[run.pk]))
    assert letters.status_code == 403 and certificate.verification_code not in letters.text
    response = client.post(
        changelist, {"action": "invite", "_selected_action": [str(e.pk) for e in imported]}
    )
    assert not OutboxMessage.objects.exists()

    # The cohort's own coordinator sees them and invites them; the mail carries number and code.
    client.force_login(coordinator_of(certificate.cohort))
    assert imported.first().enrollment.user.get_full_name() in client.get(changelist).text
    response = client.post(
        changelist, {"action": "invite", "_selected_action": [str(e.pk) for e in imported]}
    )
    assert response.status_code == 302
    assert OutboxMessage.objects.filter(recipient=certificate.enrollment.user.email).exists()
