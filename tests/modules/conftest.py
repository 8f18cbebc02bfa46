"""The cohort most curriculum tests share: the 3rd cohort (24.10.–16.12.2022) with its five
modules, a coordinator assigned to it and a confirmed participant; and helpers that schedule a
session and build office documents for uploads."""

import datetime as dt
import io
import zipfile

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from cohorts.models import Enrollment
from modules.models import Module, Session
from tests.factories import CohortFactory, EnrollmentFactory, UserFactory, berlin


@pytest.fixture
def cohort(db):
    return CohortFactory(
        number=3,
        start_date=dt.date(2022, 10, 24),
        end_date=dt.date(2022, 12, 16),
        applications_open_at=berlin(2022, 8, 1),
        applications_close_on=dt.date(2022, 10, 4),
    )


@pytest.fixture
def modules(cohort):
    return [
        Module.objects.create(programme=cohort.programme, position=i, title=f"Modul {i}") for i in range(1, 6)
    ]


@pytest.fixture
def coordinator(cohort):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="coordinators"))
    cohort.coordinators.add(user)
    return user


@pytest.fixture
def participant(cohort):
    return EnrollmentFactory(cohort=cohort, state=Enrollment.State.CONFIRMED)


def session(cohort, module, day, hour=13):
    start = berlin(2022, day.month, day.day, hour)
    return Session.objects.create(
        cohort=cohort, module=module, starts_at=start, ends_at=start + dt.timedelta(hours=2)
    )


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def odt_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def upload(name, content):
    return SimpleUploadedFile(name, content)
