"""The rows of the federal benchmark's worlds, one builder per model: the small world creates them
through the ORM, the rollout (federal_grow.py) in bulk."""

import datetime as dt
import hashlib

from django.conf import settings
from django.db import connection
from django.utils import timezone


def certificate(enrollment, cohort, sequence: int, *, issued_by):
    from certificates.models import Certificate

    number = f"{cohort.programme.reference_prefix}-{cohort.end_date.year}-{cohort.programme_id}x{cohort.number}-{sequence:04d}"
    return Certificate(
        enrollment=enrollment,
        cohort=cohort,
        sequence=sequence,
        number=number,
        holder_name=f"{enrollment.user.first_name} {enrollment.user.last_name}",
        municipality_name="Musterstadt",
        programme_title=cohort.programme.title,
        cohort_title=cohort.title,
        cohort_start=cohort.start_date,
        cohort_end=cohort.end_date,
        issued_on=cohort.end_date,
        status=Certificate.Status.ISSUED,
        issued_by=issued_by,
        sha256=hashlib.sha256(number.encode()).hexdigest(),
        rendered_at=timezone.now(),
    )


def submitted_application(user, cohort, sequence: int, *, status: str, at: dt.datetime, municipality=None):
    from applications.models import Application

    return Application(
        cohort=cohort,
        applicant=user,
        municipality=municipality,
        other_employer="" if municipality else "Landkreis Musterkreis",
        status=status,
        sequence=sequence,
        reference=f"{cohort.programme.reference_prefix}-{cohort.programme_id}x{cohort.number}-{sequence:04d}",
        department="Stabsstelle Digitalisierung",
        position="Sachbearbeitung",
        phone="+49 331 000000",
        role="Koordination der Digitalisierung in der Verwaltung.",
        motivation="Smart City gemeinsam gestalten.",
        strategy=Application.Strategy.YES,
        supervisor_name="Dr. Erika Muster",
        supervisor_email="leitung@bench.example.org",
        endorsement="private/bench/schreiben.pdf",
        endorsement_name="schreiben.pdf",
        privacy_consent_at=at - dt.timedelta(days=30),
        privacy_consent_version=settings.PRIVACY_NOTICE_VERSION,
        submitted_at=at - dt.timedelta(days=5),
        decided_at=None if status in ("submitted", "in_review") else at - dt.timedelta(days=2),
    )


def applications_for(enrollments, *, cohort, reviewer) -> None:
    """Accepted applications behind participants, as the intake left them."""
    from applications.models import Application

    now = timezone.now()
    rows = []
    for sequence, enrollment in enumerate(enrollments, start=1):
        row = submitted_application(
            enrollment.user,
            cohort,
            sequence,
            status=Application.Status.ACCEPTED,
            at=now - dt.timedelta(days=900),
            municipality=enrollment.municipality,
        )
        row.enrollment = enrollment
        rows.append(row)
    Application.objects.bulk_create(rows)


def mail(index: int, *, user, status: str, at: dt.datetime, tag: str = "sent", related=None):
    from portal.mail.models import OutboxMessage

    return OutboxMessage(
        idempotency_key=f"bench:{tag}:{user.pk if user else 0}:{index}",
        kind="decision-rejected" if index % 3 else "reminder-session",
        recipient=user.email if user else f"person-{index}@bench.example.org",
        user=user,
        related_model="applications.application" if related else "",
        related_id=related,
        subject="Ihre Bewerbung",
        body_text="Guten Tag,\n\nvielen Dank für Ihre Bewerbung.\n",
        status=status,
        attempts=1 if status == "sent" else 0,
        sent_at=at if status == "sent" else None,
        next_attempt_at=None if status == "sent" else at - dt.timedelta(minutes=1),
    )


def analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def certificate_row(enrollment, sequence: int, *, issued_by):
    return certificate(enrollment, enrollment.cohort, sequence, issued_by=issued_by)
