"""A small world of people with every kind of personal data the portal holds.

Every person's data carries a token of its own (``tok-...``), so a test can scan the whole
database and the media folder for what must be gone and what must remain.
"""

import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import models
from pypdf import PdfWriter

from applications.models import Application, DeadlineExtension, ReviewNote, Score, StatusChange
from certificates.models import Certificate
from cohorts.models import Enrollment
from modules.models import Attendance, Module, Session, TaskSubmission
from portal.mail.models import OutboxMessage
from portal.models import Municipality
from tests.factories import CohortFactory, UserFactory, berlin

PASSWORD = "ein-sicheres-Passwort-1"  # the factory's


def pdf_bytes(marker: str = "") -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if marker:
        writer.add_metadata({"/Title": marker})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def media_files(settings) -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def ended_cohort(number: int, end: dt.date):
    start = end - dt.timedelta(days=60)
    return CohortFactory(
        number=number,
        title=f"{number}. Schulungsdurchgang",
        applications_open_at=berlin(start.year, 1, 1) - dt.timedelta(days=200),
        applications_close_on=start - dt.timedelta(days=20),
        start_date=start,
        end_date=end,
    )


def make_application(cohort, applicant, *, status, token: str, sequence: int | None = None, **extra):
    """An application with every personal field filled with the person's token, and a letter."""
    draft = status == Application.Status.DRAFT
    application = Application(
        cohort=cohort,
        applicant=applicant,
        status=status,
        sequence=None if draft else sequence,
        reference="" if draft else f"SCM-{cohort.number}-{sequence:04d}",
        submitted_at=None if draft else berlin(cohort.start_date.year, 1, 2, 10),
        municipality=Municipality.objects.get(ags="12054000"),
        department=f"Amt {token}",
        position=f"Referentin {token}",
        phone=f"0331 {token}",
        role=f"Rolle {token}",
        motivation=f"Motivation {token}",
        strategy="yes",
        plans=f"Vorhaben {token}",
        funding_programme=f"Programm {token}",
        supervisor_name=f"Chefin {token}",
        supervisor_email=f"chefin-{token}@example.org",
        privacy_consent_version="2026-11",
        privacy_consent_at=berlin(cohort.start_date.year, 1, 1, 10),
        **extra,
    )
    application.endorsement_name = f"Schreiben {token}.pdf"
    application.endorsement.save("upload.pdf", ContentFile(pdf_bytes(token)), save=False)
    application.save()
    return application


@dataclass
class Person:
    user: object
    token: str
    application: Application | None = None
    enrollment: Enrollment | None = None
    certificate: Certificate | None = None
    files: list[str] = field(default_factory=list)


def review(application, reviewer, token: str, *, decision: str | None = None):
    ReviewNote.objects.create(application=application, author=reviewer, text=f"Notiz {token}")
    Score.objects.create(
        application=application,
        reviewer=reviewer,
        motivation=4,
        relevance=3,
        commitment=5,
        comment=f"Kommentar {token}",
    )
    StatusChange.objects.create(
        application=application, changed_by=application.applicant, from_status="draft", to_status="submitted"
    )
    if decision:
        StatusChange.objects.create(
            application=application,
            changed_by=reviewer,
            from_status="submitted",
            to_status=decision,
            reason=f"Begründung {token}",
        )


def participate(
    person: Person, cohort, coordinator, *, certificate_sequence: int | None, issued: bool = True
):
    """A confirmed seat with attendance, an accepted practical task and (optionally) a certificate."""
    enrollment = Enrollment.objects.create(
        cohort=cohort,
        user=person.user,
        municipality=Municipality.objects.get(ags="12054000"),
        state=Enrollment.State.CONFIRMED,
    )
    person.user.groups.add(Group.objects.get(name="participants"))
    module = Module.objects.get_or_create(
        programme=cohort.programme, position=1, defaults={"title": "Modul 1"}
    )[0]
    start = berlin(cohort.start_date.year, cohort.start_date.month, cohort.start_date.day, 13)
    session = Session.objects.get_or_create(
        cohort=cohort, module=module, defaults={"starts_at": start, "ends_at": start + dt.timedelta(hours=2)}
    )[0]
    Attendance.objects.create(
        session=session, enrollment=enrollment, status="present", recorded_by=coordinator
    )
    submission = TaskSubmission(
        enrollment=enrollment,
        module=module,
        kind="task",
        state="accepted",
        file_name=f"Aufgabe {person.token}.pdf",
        comment=f"Rückmeldung {person.token}",
        submitted_at=start,
        reviewed_by=coordinator,
        reviewed_at=start,
    )
    submission.file.save("aufgabe.pdf", ContentFile(pdf_bytes(person.token)), save=False)
    submission.save()
    person.files.append(submission.file.name)
    person.enrollment = enrollment
    if certificate_sequence is not None:
        content = pdf_bytes(f"Zertifikat {person.token}")
        certificate = Certificate(
            enrollment=enrollment,
            cohort=cohort,
            sequence=certificate_sequence,
            number=f"SCM-{cohort.end_date.year}-{cohort.number}-{certificate_sequence:04d}",
            holder_name=person.user.get_full_name(),
            municipality_name="Potsdam",
            programme_title="Smart City Manager:in",
            cohort_title=cohort.title,
            cohort_start=cohort.start_date,
            cohort_end=cohort.end_date,
            issued_on=cohort.end_date,
            status=Certificate.Status.ISSUED if issued else Certificate.Status.PENDING,
            sha256=hashlib.sha256(content).hexdigest(),
        )
        certificate.pdf.save("z.pdf", ContentFile(content), save=False)
        certificate.save()
        certificate.content = content
        person.certificate = certificate
        person.files.append(certificate.pdf.name)
    return enrollment


def person(token: str, **fields) -> Person:
    user = UserFactory(first_name="Erika", last_name=f"Name-{token}", email=f"{token}@example.org", **fields)
    OutboxMessage.objects.create(
        idempotency_key=f"test-mail:{user.pk}",
        kind="application-submitted",
        recipient=user.email,
        user=user,
        subject=f"Ihre Bewerbung {token}",
        body_text=f"Guten Tag {token}",
        status=OutboxMessage.Status.SENT,
    )
    return Person(user=user, token=token)


@pytest.fixture
def reviewer(db):
    return UserFactory(
        is_staff=True, email="gutachterin-geheim@example.org", first_name="Gudrun", last_name="Gutachter"
    )


@pytest.fixture
def coordinator(db):
    return UserFactory(is_staff=True, email="koordination-geheim@example.org", last_name="Koordinatorin")


def with_letter(person: Person, application: Application) -> Person:
    person.application = application
    person.files.append(application.endorsement.name)
    return person


def grant_extension(application, reviewer, token):
    DeadlineExtension.objects.create(
        application=application, until=berlin(2030, 1, 1), reason=f"Verlängert {token}", granted_by=reviewer
    )


# --- Scanning ---------------------------------------------------------------------------------

SCANNED_APPS = ["portal", "cohorts", "applications", "modules", "certificates", "account", "auditlog", "axes"]


def db_rows_containing(token: str) -> list[str]:
    """Every text or JSON value in the portal's tables (and allauth's, the audit log's and
    the sign-in log's) that contains the token, as "model.field#pk"."""
    found = []
    token = token.lower()
    for label in SCANNED_APPS:
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        for model in config.get_models():
            text_fields = [
                f.name
                for f in model._meta.concrete_fields
                if isinstance(f, models.CharField | models.TextField | models.JSONField | models.FileField)
            ]
            if not text_fields:
                continue
            # Audit log entries say which kind of object they are about.
            about = ["content_type__app_label", "content_type__model"] if label == "auditlog" else []
            for row in model.objects.values("pk", *about, *text_fields):
                where = f"[{row['content_type__app_label']}.{row['content_type__model']}]" if about else ""
                for name in text_fields:
                    if token in str(row[name]).lower():
                        found.append(f"{model._meta.label}{where}.{name}#{row['pk']}")
    return found
