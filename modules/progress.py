"""The programme's completion rule, and the reads that show progress without growing queries."""

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cohorts.models import Cohort, Enrollment

from .models import Attendance, Module, Session, TaskDeadline, TaskSubmission


def module_completed(*, sessions, attendance: dict, submissions: dict) -> bool:
    """A module counts as completed when every one of its sessions was attended, or the absence
    was excused and a make-up task accepted, and the module's practical task was accepted.

    ``attendance`` maps session id to an Attendance status; ``submissions`` maps
    TaskSubmission kind to its state. A module without sessions cannot be completed yet.
    """
    sessions = list(sessions)
    if not sessions:
        return False
    makeup_accepted = submissions.get(TaskSubmission.Kind.MAKEUP) == TaskSubmission.State.ACCEPTED
    for session in sessions:
        status = attendance.get(session.pk)
        if status == Attendance.Status.PRESENT:
            continue
        if status == Attendance.Status.EXCUSED and makeup_accepted:
            continue
        return False
    return submissions.get(TaskSubmission.Kind.TASK) == TaskSubmission.State.ACCEPTED


def module_state(*, sessions, completed: bool, deadline_at, now) -> str:
    """Where a module stands for one participant: ``completed``; ``upcoming`` before its first
    session (or while none is planned); ``in_progress`` until its last session has ended and its
    task deadline has passed; then ``ended`` (over, but not completed)."""
    if completed:
        return "completed"
    if not sessions or min(s.starts_at for s in sessions) > now:
        return "upcoming"
    over_at = max(s.ends_at for s in sessions)
    if deadline_at is not None:
        over_at = max(over_at, deadline_at)
    return "in_progress" if now < over_at else "ended"


def upload_open(deadline, now) -> bool:
    """Whether the practical task may still be uploaded: until its deadline, inclusive."""
    return deadline is None or now < deadline.closes_at


@dataclass
class ModuleProgress:
    module: Module
    sessions: list
    attendance: dict
    submissions: dict = field(default_factory=dict)
    submission_objects: dict = field(default_factory=dict)
    completed: bool = False
    status: str = "upcoming"  # upcoming, in_progress, ended, completed (see module_state)
    deadline: TaskDeadline | None = None
    upload_open: bool = True

    @property
    def task(self):
        return self.submission_objects.get(TaskSubmission.Kind.TASK)

    @property
    def makeup(self):
        return self.submission_objects.get(TaskSubmission.Kind.MAKEUP)

    @property
    def session_rows(self):
        """Each session of the module with this participant's attendance status (or None)."""
        return [(session, self.attendance.get(session.pk)) for session in self.sessions]


@dataclass
class EnrollmentProgress:
    enrollment: Enrollment
    modules: list

    @property
    def completed_count(self) -> int:
        return sum(1 for m in self.modules if m.completed)

    @property
    def percent(self) -> int:
        return round(100 * self.completed_count / len(self.modules)) if self.modules else 0

    @property
    def all_completed(self) -> bool:
        return bool(self.modules) and all(m.completed for m in self.modules)


def _module_rows(enrollment, modules, by_module, deadlines, now) -> list[ModuleProgress]:
    attendance = {a.session_id: a.status for a in enrollment.attendances.all()}
    submissions = {}
    for submission in enrollment.task_submissions.all():
        submissions.setdefault(submission.module_id, {})[submission.kind] = submission
    rows = []
    for module in modules:
        module_sessions = by_module[module.pk]
        objects = submissions.get(module.pk, {})
        states = {kind: s.state for kind, s in objects.items()}
        completed = module_completed(sessions=module_sessions, attendance=attendance, submissions=states)
        deadline = deadlines.get(module.pk)
        rows.append(
            ModuleProgress(
                module=module,
                sessions=module_sessions,
                attendance=attendance,
                submissions=states,
                submission_objects=objects,
                completed=completed,
                status=module_state(
                    sessions=module_sessions,
                    completed=completed,
                    deadline_at=deadline.closes_at if deadline else None,
                    now=now,
                ),
                deadline=deadline,
                upload_open=upload_open(deadline, now),
            )
        )
    return rows


@dataclass
class CohortProgress:
    cohort: Cohort
    modules: list
    sessions: list
    rows: list


def cohorts_progress(cohorts, enrollments=None, *, now=None) -> list[CohortProgress]:
    """Progress of every confirmed participant of each of ``cohorts`` (in their order), in six
    queries however many cohorts, sessions and participants there are."""
    cohorts = list(cohorts)
    ids = [c.pk for c in cohorts]
    programmes = {c.programme_id for c in cohorts}
    all_modules = list(Module.objects.filter(programme_id__in=programmes).order_by("position")) if ids else []
    all_sessions = (
        list(Session.objects.filter(cohort_id__in=ids).select_related("module").order_by("starts_at"))
        if ids
        else []
    )
    deadlines = {}
    for deadline in TaskDeadline.objects.filter(cohort_id__in=ids) if ids else []:
        deadlines.setdefault(deadline.cohort_id, {})[deadline.module_id] = deadline
    if enrollments is None:
        enrollments = Enrollment.objects.confirmed().filter(cohort_id__in=ids)
    enrollments = (
        list(
            enrollments.select_related("user", "municipality")
            .prefetch_related(
                Prefetch(
                    "attendances", queryset=Attendance.objects.only("session_id", "status", "enrollment_id")
                ),
                Prefetch("task_submissions", queryset=TaskSubmission.objects.all()),
            )
            .order_by("user__last_name", "user__first_name")
        )
        if ids
        else []
    )
    now = now or timezone.now()
    result = []
    for cohort in cohorts:
        modules = [m for m in all_modules if m.programme_id == cohort.programme_id]
        sessions = [s for s in all_sessions if s.cohort_id == cohort.pk]
        by_module = {m.pk: [s for s in sessions if s.module_id == m.pk] for m in modules}
        rows = [
            EnrollmentProgress(
                enrollment=e,
                modules=_module_rows(e, modules, by_module, deadlines.get(cohort.pk, {}), now),
            )
            for e in enrollments
            if e.cohort_id == cohort.pk
        ]
        result.append(CohortProgress(cohort=cohort, modules=modules, sessions=sessions, rows=rows))
    return result


def cohort_progress(
    cohort: Cohort, enrollments=None
) -> tuple[list[Module], list[Session], list[EnrollmentProgress]]:
    """Progress of every confirmed participant of a cohort, in a fixed number of queries."""
    if enrollments is None:
        enrollments = cohort.enrollments.confirmed()
    (progress,) = cohorts_progress([cohort], enrollments)
    return progress.modules, progress.sessions, progress.rows


def enrollment_progress(enrollment: Enrollment) -> EnrollmentProgress:
    _modules, _sessions, (progress,) = cohort_progress(
        enrollment.cohort, Enrollment.objects.filter(pk=enrollment.pk)
    )
    return progress


def missing(row: ModuleProgress, now=None) -> list[str]:
    """What keeps a participant from completing a module, in words for coordinators: unrecorded
    or missed attendance, make-up work and the practical task (empty when completed)."""
    if row.completed:
        return []
    if not row.sessions:
        return [_("noch keine Termine geplant")]
    now = now or timezone.now()
    reasons = []
    statuses = [row.attendance.get(s.pk) for s in row.sessions]
    if any(status is None and s.starts_at <= now for s, status in zip(row.sessions, statuses, strict=True)):
        reasons.append(_("Anwesenheit fehlt"))
    if any(s.starts_at > now for s in row.sessions):
        reasons.append(_("Termin steht noch aus"))
    if Attendance.Status.ABSENT in statuses:
        reasons.append(_("Termin versäumt"))
    makeup = row.submissions.get(TaskSubmission.Kind.MAKEUP)
    if Attendance.Status.EXCUSED in statuses and makeup != TaskSubmission.State.ACCEPTED:
        reasons.append(str(_TASK_REASONS["makeup"].get(makeup, _("Ersatzleistung fehlt"))))
    task = row.submissions.get(TaskSubmission.Kind.TASK)
    if task != TaskSubmission.State.ACCEPTED:
        reasons.append(str(_TASK_REASONS["task"].get(task, _("Praxisaufgabe fehlt"))))
    return reasons


_TASK_REASONS = {
    "task": {
        TaskSubmission.State.SUBMITTED: gettext_lazy("Praxisaufgabe noch nicht geprüft"),
        TaskSubmission.State.RETURNED: gettext_lazy("Praxisaufgabe zur Überarbeitung zurückgegeben"),
    },
    "makeup": {
        TaskSubmission.State.SUBMITTED: gettext_lazy("Ersatzleistung noch nicht geprüft"),
        TaskSubmission.State.RETURNED: gettext_lazy("Ersatzleistung zur Überarbeitung zurückgegeben"),
    },
}


def missing_for_certificate(progress: EnrollmentProgress, now=None) -> list[str]:
    """Why a participant cannot receive a certificate yet, one line per module that is not
    completed: "Modul 3: Anwesenheit fehlt, Praxisaufgabe fehlt"."""
    return [
        _("Modul %(n)s: %(reasons)s") % {"n": row.module.position, "reasons": ", ".join(reasons)}
        for row in progress.modules
        if (reasons := missing(row, now))
    ]
