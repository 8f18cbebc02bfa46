"""The group's cast: a running cohort with a participant, an earlier cohort with graduates, the
programme staff, and outsiders (an applicant, a graduate whose certificate was revoked)."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from certificates.models import Certificate
from cohorts.models import Enrollment
from modules.models import Module
from portal.accounts import roles
from portal.accounts.models import User
from tests.factories import STAFF_TOTP_SECRET, CohortFactory, EnrollmentFactory, UserFactory


def graduate(cohort, *, status=Certificate.Status.ISSUED, municipality=None, **user) -> User:
    enrollment = EnrollmentFactory(
        cohort=cohort,
        user=UserFactory(**user),
        **({"municipality": municipality} if municipality else {}),
    )
    sequence = Certificate.objects.filter(cohort=cohort).count() + 1
    Certificate.objects.create(
        enrollment=enrollment,
        cohort=cohort,
        sequence=sequence,
        number=f"SCM-{cohort.number}-{sequence:04d}",
        holder_name=enrollment.user.get_full_name(),
        programme_title="Smart City Manager:in",
        cohort_title=cohort.title,
        cohort_start=cohort.start_date,
        cohort_end=cohort.end_date,
        issued_on=cohort.end_date,
        status=status,
    )
    return enrollment.user


def staff(role: str) -> User:
    user = UserFactory(is_staff=role != roles.EVALUATORS)
    user.groups.add(Group.objects.get(name=role))
    if not user.is_staff:  # evaluators need the second factor too
        from allauth.mfa.totp.internal.auth import TOTP

        TOTP.activate(user, STAFF_TOTP_SECRET)
    return user


@dataclass
class Cast:
    running: object
    past: object
    participant: User
    graduate: User
    revoked: User
    applicant: User
    coordinator: User
    reviewer: User
    evaluator: User
    modules: list


@pytest.fixture
def cast(db) -> Cast:
    today = timezone.localdate()
    running = CohortFactory(
        number=7,
        applications_open_at=timezone.now() - dt.timedelta(days=90),
        applications_close_on=today - dt.timedelta(days=60),
        start_date=today - dt.timedelta(days=20),
        end_date=today + dt.timedelta(days=40),
    )
    past = CohortFactory(
        number=2,
        applications_open_at=timezone.now() - dt.timedelta(days=500),
        applications_close_on=today - dt.timedelta(days=460),
        start_date=today - dt.timedelta(days=400),
        end_date=today - dt.timedelta(days=330),
    )
    modules = [
        Module.objects.create(programme=running.programme, position=i, title=f"Modul {i}")
        for i in range(1, 6)
    ]
    participant = EnrollmentFactory(cohort=running, state=Enrollment.State.CONFIRMED).user
    return Cast(
        running=running,
        past=past,
        participant=participant,
        graduate=graduate(past, first_name="Grete", last_name="Graduiert"),
        revoked=graduate(past, status=Certificate.Status.REVOKED, first_name="Rolf", last_name="Widerrufen"),
        applicant=UserFactory(),
        coordinator=staff(roles.COORDINATORS),
        reviewer=staff(roles.REVIEWERS),
        evaluator=staff(roles.EVALUATORS),
        modules=modules,
    )
