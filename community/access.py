"""Who belongs to the group, decided from current data at every request.

The one access helper: every view of the app is wrapped in ``member_required`` (or
``writer_required``, ``moderator_required``), which asks ``membership`` with one query. Nothing
about membership is stored, so it ends the moment its ground does: a certificate revoked, a
cohort ended without a certificate, an account deactivated or erased, a suspension by a
moderator. An open session gains nothing: the next request is refused.

Members are
- participants of a running cohort (a confirmed seat in a cohort between its first and last day),
- graduates of any cohort (an issued certificate that was not revoked),
- programme staff: the operator's reviewers as members, the partner's coordinators as moderators,
  the evaluators as readers, who read but do not write.
"""

import datetime as dt
import functools
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import render
from django.utils import timezone

from certificates.models import Certificate
from cohorts.models import Enrollment
from portal.accounts import roles

from .models import Suspension

MODERATOR = "moderator"
MEMBER = "member"
READER = "reader"


@dataclass(frozen=True)
class Membership:
    user_id: int
    role: str
    participant: bool
    graduate: bool
    suspended: bool

    @property
    def may_write(self) -> bool:
        return self.role in (MODERATOR, MEMBER) and not self.suspended

    @property
    def moderates(self) -> bool:
        return self.role == MODERATOR and not self.suspended


def _in_group(name: str):
    User = get_user_model()
    return Exists(User.groups.through.objects.filter(user=OuterRef("pk"), group__name=name))


def annotate_grounds(users: QuerySet, *, today: dt.date) -> QuerySet:
    """Users with the grounds of membership as boolean annotations (no extra query per row)."""
    running = Enrollment.objects.filter(
        user=OuterRef("pk"),
        state=Enrollment.State.CONFIRMED,
        cohort__start_date__lte=today,
        cohort__end_date__gte=today,
    )
    graduated = Certificate.objects.filter(enrollment__user=OuterRef("pk"), status=Certificate.Status.ISSUED)
    suspended = Suspension.objects.filter(user=OuterRef("pk"), lifted_at__isnull=True)
    return users.annotate(
        cm_participant=Exists(running),
        cm_graduate=Exists(graduated),
        cm_coordinator=_in_group(roles.COORDINATORS),
        cm_reviewer=_in_group(roles.REVIEWERS),
        cm_evaluator=_in_group(roles.EVALUATORS),
        cm_suspended=Exists(suspended),
    )


def _grounds() -> Q:
    return (
        Q(cm_participant=True)
        | Q(cm_graduate=True)
        | Q(cm_coordinator=True)
        | Q(cm_reviewer=True)
        | Q(cm_evaluator=True)
        | Q(is_superuser=True)
    )


def _usable() -> Q:
    return Q(is_active=True, erased_at__isnull=True, erasure_requested_at__isnull=True)


def members(*, today: dt.date | None = None) -> QuerySet:
    """Every account that belongs to the group now and is not suspended (for lists and mails)."""
    today = today or timezone.localdate()
    User = get_user_model()
    return annotate_grounds(User.objects.filter(_usable()), today=today).filter(
        _grounds(), cm_suspended=False
    )


def member_ids(*, today: dt.date | None = None) -> QuerySet:
    """The ids of ``members``, as a subquery for other tables (``user__in=member_ids()``)."""
    return members(today=today).values("pk")


def membership(user, *, today: dt.date | None = None) -> Membership | None:
    """The user's membership now, or None: one query. A suspended member gets a membership with
    ``suspended`` set, so the page can say why it is closed."""
    if not user.is_authenticated:
        return None
    today = today or timezone.localdate()
    User = get_user_model()
    row = (
        annotate_grounds(User.objects.filter(_usable(), pk=user.pk), today=today)
        .filter(_grounds())
        .values(
            "is_superuser",
            "cm_participant",
            "cm_graduate",
            "cm_coordinator",
            "cm_reviewer",
            "cm_suspended",
        )
        .first()
    )
    if row is None:
        return None
    if row["is_superuser"] or row["cm_coordinator"]:
        role = MODERATOR
    elif row["cm_participant"] or row["cm_graduate"] or row["cm_reviewer"]:
        role = MEMBER
    else:
        role = READER
    return Membership(
        user_id=user.pk,
        role=role,
        participant=row["cm_participant"],
        graduate=row["cm_graduate"],
        suspended=row["cm_suspended"],
    )


def _guard(test):
    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            current = membership(request.user)
            if current is None:
                return render(request, "community/not_member.html", status=403)
            if current.suspended:
                return render(request, "community/suspended.html", status=403)
            if not test(current):
                return render(request, "community/not_allowed.html", status=403)
            request.community = current
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


member_required = _guard(lambda current: True)
writer_required = _guard(lambda current: current.may_write)
moderator_required = _guard(lambda current: current.moderates)
