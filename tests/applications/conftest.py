import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from applications.models import Application
from cohorts.models import Cohort, ReviewPhase
from portal.models import Municipality
from tests.factories import CohortFactory, UserFactory, berlin


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_upload(name="Schreiben der Bürgermeisterin.pdf", content=None):
    return SimpleUploadedFile(
        name, content if content is not None else pdf_bytes(), content_type="application/pdf"
    )


@pytest.fixture
def cohort(db):
    # Open from 01.08.2022 09:00 until the end of 04.10.2022 (summer time).
    return CohortFactory(
        number=3,
        title="3. Schulungsdurchgang",
        applications_open_at=berlin(2022, 8, 1, 9),
        applications_close_on=dt.date(2022, 10, 4),
        start_date=dt.date(2022, 10, 24),
        end_date=dt.date(2022, 12, 16),
        # Most tests here decide; those about scoring or the phases move it themselves.
        review_phase=ReviewPhase.DECISION,
    )


def move_to(cohort, phase, **dates):
    """Put the cohort in ``phase`` (as an admin would), with optional phase dates."""
    Cohort.objects.filter(pk=cohort.pk).update(review_phase=phase, **dates)
    cohort.refresh_from_db()
    return cohort


@pytest.fixture
def reviewer(db):
    from django.contrib.auth.models import Group

    user = UserFactory(email="rita@example.org", first_name="Rita", last_name="Referat", is_staff=True)
    user.groups.add(Group.objects.get(name="reviewers"))
    return user


@pytest.fixture
def applicant(db):
    return UserFactory(first_name="Jördis", last_name="Groß-Nüßlein", email="joerdis@example.org")


def form_data(**overrides):
    data = {
        "municipality": str(Municipality.objects.get(ags="12054000").pk),
        "other_employer": "",
        "department": "Stadtplanung",
        "position": "Sachbearbeiterin",
        "phone": "0331 123456",
        "role": "Koordination der Digitalisierung im Fachbereich.",
        "motivation": "Ich möchte die Smart-City-Strategie voranbringen. 🌆",
        "strategy": "in_progress",
        "plans": "Eine Strategie bis 2024.",
        "funding_programme": "",
        "supervisor_name": "Dr. Hanna Schulze",
        "supervisor_email": "h.schulze@example.org",
        "privacy_consent": "on",
        "action": "save",
    }
    data.update(overrides)
    return data


def make_draft(cohort, applicant, **fields) -> Application:
    values = {
        "municipality": Municipality.objects.get(ags="12054000"),
        "department": "Stadtplanung",
        "position": "Sachbearbeiterin",
        "phone": "0331 123456",
        "role": "Koordination",
        "motivation": "Motivation",
        "strategy": "yes",
        "supervisor_name": "Dr. Hanna Schulze",
        "supervisor_email": "h.schulze@example.org",
        "privacy_consent_version": "2026-11",
        "privacy_consent_at": berlin(2022, 9, 1, 10),
    }
    values.update(fields)
    application = Application(cohort=cohort, applicant=applicant, **values)
    application.endorsement.save("x.pdf", pdf_upload(), save=False)
    application.endorsement_name = "schreiben.pdf"
    application.save()
    return application


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
