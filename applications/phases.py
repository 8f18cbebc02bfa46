"""Moving a cohort through the review's phases: Bewerbung offen → Prüfung → Entscheidung →
abgeschlossen. Only an admin of the review (``cohorts.manage_review``, the operator) moves a cohort, one
step at a time, forward or back; coordinators never. Entering "Prüfung" assigns the reviewers."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cohorts.models import PHASE_ORDER, Cohort, ReviewPhase
from portal.accounts.models import User

from .assignment import MANAGE, assign_reviewers


def next_phase(cohort: Cohort) -> str | None:
    index = PHASE_ORDER.index(cohort.review_phase)
    return PHASE_ORDER[index + 1] if index + 1 < len(PHASE_ORDER) else None


def previous_phase(cohort: Cohort) -> str | None:
    index = PHASE_ORDER.index(cohort.review_phase)
    return PHASE_ORDER[index - 1] if index else None


def move_review_phase(*, cohort: Cohort, to: str, by: User, at: dt.datetime) -> Cohort:
    """Move the cohort one phase on (or back); entering "Prüfung" assigns the reviewers."""
    if not by.has_perm(MANAGE):
        raise PermissionDenied
    with transaction.atomic():
        cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
        if to not in (next_phase(cohort), previous_phase(cohort)):
            raise ValidationError(
                _("Von „%(from)s“ geht es nur zur nächsten oder vorigen Phase, nicht zu „%(to)s“.")
                % {"from": cohort.get_review_phase_display(), "to": ReviewPhase(to).label},
                code="phase",
            )
        cohort.review_phase, cohort.review_phase_since = to, at
        cohort.save(update_fields=["review_phase", "review_phase_since"])
        if to == ReviewPhase.REVIEW:
            assign_reviewers(cohort=cohort, by=None)
    return cohort
