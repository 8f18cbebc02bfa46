import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.core import mail

from applications.models import Application
from applications.tasks import send_draft_reminders, send_offer_reminders
from certificates.tasks import send_coordinator_digest
from cohorts.models import Enrollment
from modules.models import Module, Session
from modules.tasks import send_session_reminders, send_task_reminders
from portal.mail.models import OutboxMessage
from portal.mail.tasks import flush_outbox
from tests.factories import CohortFactory, EnrollmentFactory, UserFactory, berlin

from .backends import FaultyBackend

SCHEDULES = [
    send_draft_reminders,
    send_offer_reminders,
    send_session_reminders,
    send_task_reminders,
    send_coordinator_digest,
    flush_outbox,
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def backend(settings):
    settings.EMAIL_BACKEND = "tests.reminders.backends.FaultyBackend"
    settings.PORTAL_BASE_URL = "https://smartcity.example.org"
    FaultyBackend.reset()
    yield FaultyBackend
    FaultyBackend.reset()


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run tasks as beat would, and the mail tasks they enqueue after commit (eagerly)."""

    def run(*tasks):
        results = []
        with django_capture_on_commit_callbacks(execute=True):
            for task in tasks or SCHEDULES:
                results.append(task.delay().get())
        return results

    return run


@pytest.fixture
def cohort(db):
    """Applications until the end of 04.10.2022 (summer time); the course runs 24.10. to 16.12.2022."""
    cohort = CohortFactory(
        number=3,
        title="3. Schulungsdurchgang",
        applications_open_at=berlin(2022, 8, 1, 9),
        applications_close_on=dt.date(2022, 10, 4),
        start_date=dt.date(2022, 10, 24),
        end_date=dt.date(2022, 12, 16),
    )
    for position in range(1, 6):
        Module.objects.create(
            programme=cohort.programme,
            position=position,
            title=f"Modul {position}",
            title_en=f"Module {position}",
        )
    return cohort


def session(cohort, position: int, start: dt.datetime, **fields) -> Session:
    module = Module.objects.get(programme=cohort.programme, position=position)
    return Session.objects.create(
        cohort=cohort, module=module, starts_at=start, ends_at=start + dt.timedelta(hours=2), **fields
    )


def participant(cohort, **user_fields) -> Enrollment:
    return EnrollmentFactory(cohort=cohort, state=Enrollment.State.CONFIRMED, user=UserFactory(**user_fields))


def draft(cohort, **user_fields) -> Application:
    return Application.objects.create(cohort=cohort, applicant=UserFactory(**user_fields))


@pytest.fixture
def coordinator(cohort):
    user = UserFactory(
        email="koordination@example.org", first_name="Kim", last_name="Koordinatorin", is_staff=True
    )
    user.groups.add(Group.objects.get(name="coordinators"))
    cohort.coordinators.add(user)
    return user


def sent_to(address: str) -> list[str]:
    """Subjects of the mails that really went out to an address, in order."""
    return [m.subject for m in mail.outbox if m.to == [address]]


def outbox(**filters):
    return OutboxMessage.objects.filter(**filters)


@pytest.fixture
def admin_page(admin_user, client):
    """The admin as an administrator who has set up the second factor."""
    from allauth.mfa.totp.internal.auth import TOTP

    from tests.factories import STAFF_TOTP_SECRET

    TOTP.activate(admin_user, STAFF_TOTP_SECRET)
    client.force_login(admin_user)
    return client
