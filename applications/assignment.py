"""Who reviews which application: balanced automatic assignment, changes by hand, and conflicts
of interest.

A reviewer is never assigned an application from the municipality or the district they declared
(``ReviewerProfile``), nor one they declared a conflict with (``Conflict``). Automatic assignment
gives each submitted application the cohort's number of reviewers, each time to the eligible
reviewer with the fewest assignments in the cohort, so loads differ by at most one wherever the
conflicts leave a choice. Every write locks the cohort row, so that two runs (or a run and a
conflict) cannot both assign the same free slot; the models are recorded by django-auditlog.
"""

from collections import Counter

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cohorts.models import Cohort
from portal.accounts import roles
from portal.accounts.models import User
from portal.models import Municipality

from .models import Application, Conflict, ReviewAssignment, ReviewerProfile

# Applications that still want reviewers.
REVIEWABLE = [Application.Status.SUBMITTED, Application.Status.IN_REVIEW]
MANAGE = "cohorts.manage_review"


def cohort_reviewers(cohort: Cohort) -> list[User]:
    """The cohort's reviewers: those named on the cohort, else every active member of the
    reviewers' group; with their declared profile."""
    named = cohort.reviewers.filter(is_active=True)
    queryset = named if named.exists() else User.objects.filter(groups__name=roles.REVIEWERS, is_active=True)
    return list(queryset.select_related("reviewer_profile__municipality").order_by("pk").distinct())


def _profile(reviewer: User) -> ReviewerProfile | None:
    try:
        return reviewer.reviewer_profile
    except ReviewerProfile.DoesNotExist:
        return None


def declared_conflict(reviewer: User, application: Application) -> bool:
    """Whether the reviewer's own municipality or district is the application's."""
    profile = _profile(reviewer)
    if profile is None or application.municipality_id is None:
        return False
    if profile.municipality_id and profile.municipality_id == application.municipality_id:
        return True
    district = profile.district or (profile.municipality.district if profile.municipality_id else "")
    return bool(district) and district == application.municipality.district


def _lock_cohort(cohort_id: int) -> Cohort:
    return Cohort.objects.select_for_update().get(pk=cohort_id)


def _state(cohort: Cohort):
    """The cohort's applications to review, their assignments and conflicts, and the loads."""
    applications = list(
        Application.objects.filter(cohort=cohort, status__in=REVIEWABLE)
        .select_related("municipality")
        .order_by("sequence", "pk")
    )
    assigned: dict[int, set[int]] = {a.pk: set() for a in applications}
    loads: Counter = Counter()
    # Unordered, as grouped here: the default order would join the cohort into the plan.
    for application_id, reviewer_id in (
        ReviewAssignment.objects.filter(application__cohort=cohort)
        .order_by()
        .values_list("application_id", "reviewer_id")
    ):
        assigned.setdefault(application_id, set()).add(reviewer_id)
        loads[reviewer_id] += 1
    conflicts = set(
        Conflict.objects.filter(application__cohort=cohort)
        .order_by()
        .values_list("application_id", "reviewer_id")
    )
    return applications, assigned, loads, conflicts


def _fill(cohort: Cohort, applications, assigned, loads, conflicts, reviewers, by) -> list[ReviewAssignment]:
    """Top every application up to the cohort's number, least loaded eligible reviewer first. The
    applications with the fewest eligible reviewers are served first, while everyone still has
    room, so that the conflicts cost as little balance as possible."""
    eligible = {
        application.pk: [
            r
            for r in reviewers
            if r.pk not in assigned[application.pk]
            and (application.pk, r.pk) not in conflicts
            and r.pk != application.applicant_id
            and not declared_conflict(r, application)
        ]
        for application in applications
    }
    created = []
    for application in sorted(applications, key=lambda a: len(eligible[a.pk])):
        missing = cohort.reviewers_per_application - len(assigned[application.pk])
        for reviewer in sorted(eligible[application.pk], key=lambda r: (loads[r.pk], r.pk))[
            : max(missing, 0)
        ]:
            created.append(ReviewAssignment(application=application, reviewer=reviewer, assigned_by=by))
            assigned[application.pk].add(reviewer.pk)
            loads[reviewer.pk] += 1
    return created


def assign_reviewers(*, cohort: Cohort, by: User | None) -> list[ReviewAssignment]:
    """Give each application of the cohort under review its number of reviewers, balanced; what
    is already assigned stays. Safe to run again: it only fills what is missing."""
    if by is not None and not by.has_perm(MANAGE):
        raise PermissionDenied
    with transaction.atomic():
        cohort = _lock_cohort(cohort.pk)
        applications, assigned, loads, conflicts = _state(cohort)
        created = _fill(cohort, applications, assigned, loads, conflicts, cohort_reviewers(cohort), by)
        for assignment in created:
            assignment.save()  # one by one, so that the audit log records each
    return created


def assign(*, application: Application, reviewer: User, by: User) -> ReviewAssignment:
    """An admin assigns a reviewer by hand (never one with a conflict)."""
    if not by.has_perm(MANAGE):
        raise PermissionDenied
    with transaction.atomic():
        _lock_cohort(application.cohort_id)
        if (
            declared_conflict(reviewer, application)
            or Conflict.objects.filter(application=application, reviewer=reviewer).exists()
        ):
            raise ValidationError(
                _("%(reviewer)s hat einen Interessenkonflikt mit dieser Bewerbung.")
                % {"reviewer": reviewer.get_full_name() or reviewer.email},
                code="conflict",
            )
        assignment, _created = ReviewAssignment.objects.get_or_create(
            application=application, reviewer=reviewer, defaults={"assigned_by": by}
        )
    return assignment


def unassign(*, application: Application, reviewer: User, by: User) -> None:
    """An admin takes an assignment back; the reviewer's score, if any, stays."""
    if not by.has_perm(MANAGE):
        raise PermissionDenied
    with transaction.atomic():
        _lock_cohort(application.cohort_id)
        for assignment in ReviewAssignment.objects.filter(application=application, reviewer=reviewer):
            assignment.delete()


def declare_conflict(*, application: Application, reviewer: User, reason: str = "") -> Conflict:
    """The reviewer declares a conflict of interest: their assignment goes to the least loaded
    eligible colleague, and they are never assigned this application again."""
    if not reviewer.has_perm("applications.view_application"):
        raise PermissionDenied
    with transaction.atomic():
        cohort = _lock_cohort(application.cohort_id)
        conflict, _created = Conflict.objects.get_or_create(
            application=application, reviewer=reviewer, defaults={"reason": reason[:500]}
        )
        for assignment in ReviewAssignment.objects.filter(application=application, reviewer=reviewer):
            assignment.delete()
        applications, assigned, loads, conflicts = _state(cohort)
        mine = [a for a in applications if a.pk == application.pk]
        for assignment in _fill(cohort, mine, assigned, loads, conflicts, cohort_reviewers(cohort), None):
            assignment.save()
    return conflict


def save_profile(*, reviewer: User, municipality_id: int | None, district: str) -> ReviewerProfile:
    """The reviewer's own declaration of their municipality and district; assignments that now
    conflict are handed on as if the reviewer had declared the conflict."""
    with transaction.atomic():
        profile, _created = ReviewerProfile.objects.select_for_update().get_or_create(user=reviewer)
        district = district.strip()[:200]
        if not district and municipality_id:  # a town's district is the reviewer's district too
            district = Municipality.objects.get(pk=municipality_id).district
        profile.municipality_id, profile.district = municipality_id, district
        profile.full_clean(exclude=["user"])
        profile.save()
        reviewer.reviewer_profile = profile
        clashing = [
            a.application
            for a in ReviewAssignment.objects.filter(reviewer=reviewer)
            .select_related("application__municipality")
            .exclude(application__status__in=["accepted", "rejected", "waitlisted", "withdrawn"])
            if declared_conflict(reviewer, a.application)
        ]
    for application in clashing:
        declare_conflict(
            application=application, reviewer=reviewer, reason=_("eigene Kommune oder eigener Landkreis")
        )
    return profile
