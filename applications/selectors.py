"""Reads for the review pages."""

import datetime as dt

from django.db.models import Exists, OuterRef

from cohorts.models import Cohort
from cohorts.selectors import PROGRAMME_SLUG

from .models import Application


def cohort_in_review(*, at: dt.datetime) -> Cohort | None:
    """The cohort the reviewers work on by default: the latest whose application window has opened
    and that has submitted applications; else the latest whose window has opened. Only the
    portal's programme counts, where one database holds several."""
    opened = Cohort.objects.filter(programme__slug=PROGRAMME_SLUG, applications_open_at__lte=at).order_by(
        "-applications_open_at", "-pk"
    )
    # Asked cohort by cohort, newest first, so the first with an application ends the search
    # instead of every application being read.
    submitted = Application.objects.filter(cohort=OuterRef("pk")).exclude(status=Application.Status.DRAFT)
    return opened.filter(Exists(submitted)).first() or opened.first()
