"""Reads for the review pages."""

import datetime as dt

from cohorts.models import Cohort

from .models import Application


def cohort_in_review(*, at: dt.datetime) -> Cohort | None:
    """The cohort the reviewers work on by default: the latest whose application window has opened
    and that has submitted applications; else the latest whose window has opened."""
    opened = Cohort.objects.filter(applications_open_at__lte=at).order_by("-applications_open_at", "-pk")
    with_applications = opened.filter(
        pk__in=Application.objects.exclude(status=Application.Status.DRAFT).values("cohort_id")
    )
    return with_applications.first() or opened.first()
