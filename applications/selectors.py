"""Reads for the applicant's dashboard and the review pages."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from cohorts.models import Cohort
from cohorts.selectors import programme_slug
from portal.accounts.models import User

from .models import Application
from .rules import SUBMISSION_REQUIREMENTS, can_apply_again, invalid_for_submission, missing_for_submission


@dataclass(frozen=True)
class DashboardRow:
    """One of the applicant's applications as their dashboard shows it. ``missing`` and
    ``complete`` concern drafts only: what a submission still needs, and how many of the
    ``required`` requirements are met; ``to_correct`` names the fields whose kept value is not
    valid yet (listed there, not under ``missing``)."""

    application: Application
    can_apply_again: bool
    missing: list[str]
    complete: int
    required: int = SUBMISSION_REQUIREMENTS
    to_correct: tuple[str, ...] = ()


@dataclass(frozen=True)
class Dashboard:
    rows: list[DashboardRow]
    open_cohorts: list[Cohort]  # accepting applications, and not yet applied for


def applicant_dashboard(*, applicant: User, at: dt.datetime) -> Dashboard:
    """The applicant's applications, newest cohort first, and the cohorts open to them. Two
    queries, however many applications: cohort, municipality, seat and extension come along."""
    applications = (
        Application.objects.filter(applicant=applicant)
        .select_related("cohort", "municipality", "enrollment", "extension")
        .order_by("-cohort__number")
    )
    open_cohorts = list(Cohort.objects.accepting_applications(at).exclude(applications__applicant=applicant))
    return Dashboard(rows=[_dashboard_row(a, at=at) for a in applications], open_cohorts=open_cohorts)


def _dashboard_row(application: Application, *, at: dt.datetime) -> DashboardRow:
    missing = missing_for_submission(application) if application.is_draft else []
    to_correct = tuple(invalid_for_submission(application)) if application.is_draft else ()
    return DashboardRow(
        application=application,
        can_apply_again=can_apply_again(application, at=at),
        missing=[name for name in missing if name not in to_correct],
        complete=max(0, SUBMISSION_REQUIREMENTS - len(missing)) if application.is_draft else 0,
        to_correct=to_correct,
    )


def cohort_in_review(*, at: dt.datetime) -> Cohort | None:
    """The cohort the reviewers work on by default: the latest whose application window has opened
    and that has submitted applications; else the latest whose window has opened. Only the
    portal's programme counts, where one database holds several."""
    opened = Cohort.objects.filter(programme__slug=programme_slug(), applications_open_at__lte=at).order_by(
        "-applications_open_at", "-pk"
    )
    # Asked cohort by cohort, newest first, so the first with an application ends the search
    # instead of every application being read.
    submitted = Application.objects.filter(cohort=OuterRef("pk")).exclude(status=Application.Status.DRAFT)
    return opened.filter(Exists(submitted)).first() or opened.first()


def cohort_to_apply_to(*, number: int | None, at: dt.datetime, sent: bool) -> Cohort | None:
    """The cohort "Jetzt bewerben" leads to: the one named in the address, else the one accepting
    applications at ``at``. A form sent without its cohort in the address after the window closed
    was for the cohort whose window opened last (``sent``)."""
    cohorts = Cohort.objects.order_by("-number")
    cohort = cohorts.filter(number=number).first() if number else cohorts.accepting_applications(at).first()
    if cohort is None and sent:
        cohort = Cohort.objects.filter(applications_open_at__lte=at).order_by("-applications_open_at").first()
    return cohort


def own_application_in(*, cohort: Cohort, applicant: User) -> Application | None:
    """The applicant's application for this cohort, if there is one (one per person and cohort)."""
    return Application.objects.filter(cohort=cohort, applicant=applicant).first()
