"""Personal data of the cohorts app: a person's seats (enrollments) and the cohorts they coordinate."""

import datetime as dt

from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.privacy.registry import Export, Obligation, retention_cutoff, retention_ends, scrub_audit_log

from .models import Enrollment


def export(user: User) -> Export:
    enrollments = Enrollment.objects.filter(user=user).select_related("cohort", "municipality").order_by("pk")
    return Export(
        name="teilnahmen",
        data={
            "enrollments": [
                {
                    "cohort": e.cohort.title,
                    "cohort_start": e.cohort.start_date,
                    "cohort_end": e.cohort.end_date,
                    "state": e.state,
                    "municipality": str(e.municipality) if e.municipality_id else "",
                    "respond_by": e.respond_by,
                    "responded_at": e.responded_at,
                    "created_at": e.created_at,
                }
                for e in enrollments
            ],
            "coordinated_cohorts": list(
                user.coordinated_cohorts.order_by("pk").values_list("title", flat=True)
            ),
        },
    )


def obligations(user: User, *, at: dt.datetime) -> list[Obligation]:
    """A seat that was offered or taken documents the participation until the retention ends."""
    enrollments = (
        Enrollment.objects.filter(user=user).exclude(state=Enrollment.State.DECLINED).select_related("cohort")
    )
    return [
        Obligation(
            reason=_("Ihre Teilnahme am %(cohort)s") % {"cohort": e.cohort.localized_title},
            until=retention_ends(e.cohort.end_date),
        )
        for e in enrollments
    ]


def _delete_unless_kept(enrollments) -> int:
    """Delete seats, except those a kept record (a certificate) still points to. The audit log
    keeps that they existed, not whose they were."""
    deleted = 0
    enrollments = list(enrollments)
    scrub_audit_log(Enrollment, [e.pk for e in enrollments])
    for enrollment in enrollments:
        try:
            with transaction.atomic():
                enrollment.delete()
        except (ProtectedError, RestrictedError):
            continue
        deleted += 1
    return deleted


def erase(user: User, *, at: dt.datetime) -> None:
    user.coordinated_cohorts.clear()
    _delete_unless_kept(Enrollment.objects.filter(user=user))


def retention(*, at: dt.datetime) -> dict[str, int]:
    """Seats offered but never taken, or declined, say nothing needed once the cohort's
    retention has ended."""
    stale = Enrollment.objects.filter(
        cohort__end_date__lt=retention_cutoff(at),
        state__in=[Enrollment.State.OFFERED, Enrollment.State.DECLINED],
    )
    return {"seats_deleted": _delete_unless_kept(stale)}
