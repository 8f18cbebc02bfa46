"""The world of the one-time-link tests (test_secret_mail*.py): two cohorts, an applicant with a
reset link in the outbox, a reviewer and coordinators, and mails about each of their objects."""

import datetime as dt
import re
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.urls import reverse

from applications.models import Application
from modules.models import Module, Session
from portal.accounts.models import User
from portal.mail import queue_mail
from portal.mail.models import OutboxMessage
from tests.factories import CohortFactory, UserFactory, berlin

pytestmark = pytest.mark.django_db

RESET_LINK = re.compile(r"https?://[^/\s]+(/konto/password/reset/key/([^\s/]+)/)")
CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/konto/confirm-email/([^\s/]+)/)")
LINK_PLACEHOLDER = "[Link nur in der zugestellten E-Mail]"
NEW_PASSWORD = "Neues-Passwort-2026!"


@dataclass
class World:
    cohort_a: object
    cohort_b: object
    ada: User
    application_a: Application
    application_b: Application
    draft: Application
    staff: dict[str, User]
    reset: OutboxMessage = None
    reset_link: str = ""
    reset_key: str = ""
    confirmation: OutboxMessage = None
    confirm_key: str = ""
    about: dict[str, OutboxMessage] = field(default_factory=dict)

    def secrets(self) -> list[str]:
        return [self.reset_key, self.confirm_key]


def application(cohort, applicant, sequence, status=Application.Status.SUBMITTED) -> Application:
    draft = status == Application.Status.DRAFT
    return Application.objects.create(
        cohort=cohort,
        applicant=applicant,
        status=status,
        sequence=None if draft else sequence,
        reference="" if draft else f"SCM-{cohort.number}-{sequence:04d}",
        submitted_at=None if draft else berlin(2022, 9, 1, 10),
    )


def cohort(number: int):
    return CohortFactory(
        number=number,
        applications_open_at=berlin(2022, 8, 1, 9),
        applications_close_on=dt.date(2022, 10, 4),
        start_date=dt.date(2022, 10, 24),
        end_date=dt.date(2022, 12, 16),
    )


def staff_member(email: str, group: str | None = None, **fields) -> User:
    user = UserFactory(email=email, is_staff=True, **fields)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def note(subject: str, related) -> OutboxMessage:
    return queue_mail(
        recipient="ada@example.org",
        subject=subject,
        body_text=f"Text: {subject}",
        kind="test",
        related=related,
    )


@pytest.fixture
def world(db, settings, django_capture_on_commit_callbacks) -> World:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cohort_a, cohort_b = cohort(3), cohort(4)
    ada = UserFactory(email="ada@example.org", first_name="Ada", last_name="Lovelace")
    world = World(
        cohort_a=cohort_a,
        cohort_b=cohort_b,
        ada=ada,
        application_a=application(cohort_a, ada, 1),
        application_b=application(cohort_b, UserFactory(email="bea@example.org"), 1),
        draft=application(cohort_a, UserFactory(email="carl@example.org"), None, Application.Status.DRAFT),
        staff={
            "superuser": staff_member("root@example.org", is_superuser=True),
            "reviewer": staff_member("gutachterin@example.org", "reviewers"),
            "coordinator": staff_member("koordination@example.org", "coordinators"),
            "evaluator": staff_member("evaluation@example.org", "evaluators"),
        },
    )
    cohort_a.coordinators.add(world.staff["coordinator"])
    module = Module.objects.create(programme=cohort_a.programme, position=1, title="Modul 1")
    sessions = [
        Session.objects.create(
            cohort=c, module=module, starts_at=berlin(2022, 11, 1, 13), ends_at=berlin(2022, 11, 1, 15)
        )
        for c in (cohort_a, cohort_b)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        # Anyone may ask for a reset of any address, without an account.
        Client().post(reverse("account_reset_password"), {"email": "ada@example.org"})
        Client().post(
            reverse("account_signup"),
            {
                "first_name": "Neu",
                "last_name": "Person",
                "email": "neu@example.org",
                "password1": NEW_PASSWORD,
                "password2": NEW_PASSWORD,
            },
        )
        world.about = {
            "application_a": note("Entscheidung A", world.application_a),
            "application_b": note("Entscheidung B", world.application_b),
            "draft": note("Erinnerung Entwurf", world.draft),
            "session_a": note("Sitzung A", sessions[0]),
            "session_b": note("Sitzung B", sessions[1]),
        }
    delivered = "\n".join(message.body for message in mail.outbox)
    match = RESET_LINK.search(delivered)
    world.reset_link, world.reset_key = match.group(1), match.group(2)
    world.confirm_key = CONFIRM_LINK.search(delivered).group(2)
    world.reset = OutboxMessage.objects.get(kind="account:password_reset_key")
    world.confirmation = OutboxMessage.objects.get(kind="account:email_confirmation_signup")
    return world


def logged_in(user: User) -> Client:
    """Staff signed in (``UserFactory`` gives them their second factor)."""
    client = Client()
    client.force_login(user)
    return client


def assert_no_secret(world: World, text: str) -> None:
    for secret in world.secrets():
        assert secret not in text
    assert "/password/reset/key/" not in text
    assert "/confirm-email/" not in text


def follow_reset_link(link: str) -> None:
    """The recipient follows the delivered link, sets a new password and signs in with it."""
    client = Client()
    form_url = client.get(link)["Location"]
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    client = Client()
    client.post(reverse("account_login"), {"login": "ada@example.org", "password": NEW_PASSWORD})
    assert int(client.session["_auth_user_id"]) == User.objects.get(email="ada@example.org").pk


# --- what is stored and delivered -----------------------------------------------------------
