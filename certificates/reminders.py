"""The coordinators' weekly digest: per cohort they coordinate, who has not handed in a practical
task that is due, who was absent last week, and who can receive the certificate. Run by
``certificates.tasks``; lives here because eligibility is the certificates' rule (``selectors``)."""

import datetime as dt

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from cohorts.models import Cohort
from modules.models import Attendance, TaskDeadline, TaskSubmission
from modules.progress import cohort_progress
from portal.accounts.models import User
from portal.mail import absolute_url, register_kind_label
from portal.mail.reminders import Reminder, Rule, register

from .selectors import eligible_enrollments

# A cohort appears in the digest from its start until this long after its end (late tasks,
# certificates).
AFTER_END = dt.timedelta(days=28)
LAST_WEEK = dt.timedelta(days=7)


def _name(enrollment) -> str:
    return enrollment.user.get_full_name() or enrollment.user.email


def cohort_digest(cohort: Cohort, *, deadlines: list[TaskDeadline], now: dt.datetime) -> dict:
    """What a coordinator should look at this week, for one cohort. A fixed number of queries."""
    _modules, sessions, rows = cohort_progress(cohort)
    passed = [d for d in deadlines if d.due_at <= now]
    recent = [s for s in sessions if now - LAST_WEEK <= s.starts_at < now]
    missing, absent = [], []
    for row in rows:
        by_module = {m.module.pk: m for m in row.modules}
        for deadline in passed:
            progress = by_module.get(deadline.module_id)
            task = progress.task if progress else None
            if task is None or task.state == TaskSubmission.State.RETURNED:
                missing.append(
                    {"name": _name(row.enrollment), "module": deadline.module, "due_at": deadline.due_at}
                )
        for session in recent:
            if row.modules and row.modules[0].attendance.get(session.pk) == Attendance.Status.ABSENT:
                absent.append({"name": _name(row.enrollment), "module": session.module, "session": session})
    eligible = [_name(e) for e in eligible_enrollments(cohort)]
    return {
        "cohort": cohort,
        "missing": missing,
        "absent": absent,
        "eligible": eligible,
        "progress_url": absolute_url(reverse("modules:progress", args=[cohort.pk])),
        "certificates_url": absolute_url(reverse("certificates:cohort", args=[cohort.pk])),
    }


class CoordinatorDigest(Rule):
    """Once a week, to every coordinator of a running cohort with something to look at."""

    name = "digest"
    template = "reminders/digest"
    label = gettext_lazy("Wochenübersicht für die Koordination")

    def due(self, *, now: dt.datetime) -> list[Reminder]:
        today = timezone.localdate(now)
        cohorts = list(
            Cohort.objects.filter(start_date__lte=today, end_date__gte=today - AFTER_END)
            .select_related("programme")
            .prefetch_related(
                Prefetch("coordinators", queryset=User.objects.filter(is_active=True).order_by("pk"))
            )
            .order_by("start_date", "pk")
        )
        cohorts = [c for c in cohorts if c.coordinators.all()]
        if not cohorts:
            return []
        deadlines: dict[int, list[TaskDeadline]] = {}
        for deadline in (
            TaskDeadline.objects.filter(cohort__in=cohorts).select_related("module").order_by("due_at")
        ):
            deadlines.setdefault(deadline.cohort_id, []).append(deadline)
        per_user: dict[int, tuple[User, list[dict]]] = {}
        for cohort in cohorts:
            digest = cohort_digest(cohort, deadlines=deadlines.get(cohort.pk, []), now=now)
            if not (digest["missing"] or digest["absent"] or digest["eligible"]):
                continue
            for coordinator in cohort.coordinators.all():
                per_user.setdefault(coordinator.pk, (coordinator, []))[1].append(digest)
        year, week, _weekday = today.isocalendar()
        return [
            Reminder(
                key=self.key("user", user.pk, f"{year}-W{week:02d}"),
                user=user,
                related=user,
                context={"cohorts": digests, "week": week, "year": year},
            )
            for user, digests in per_user.values()
        ]


DIGEST = register(CoordinatorDigest())

register_kind_label("certificate-ready", gettext_lazy("Zertifikat ausgestellt"))
