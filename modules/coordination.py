"""Reads of the coordinators' start page: for each of their cohorts what to do today. The next
sessions, past sessions whose attendance is not (fully) recorded, the work that waits for review
(oldest first), participants at risk and who can receive a certificate, and why the others cannot.

Every cohort is read with the same queries (``cohorts_progress``), so the page costs the same
for one cohort with one participant as for many cohorts with hundreds.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy

from cohorts.models import Cohort, Enrollment
from cohorts.selectors import coordinated_by
from portal.accounts.models import User

from .models import Attendance, Module, Session, TaskSubmission
from .progress import (
    CohortProgress,
    EnrollmentProgress,
    ModuleProgress,
    cohorts_progress,
    missing_for_certificate,
)
from .selectors import PendingReview, pending_reviews

# A cohort stays on the start page this long after its end (attendance, reviews, certificates).
ACTIVE_AFTER_END = dt.timedelta(days=90)
NEXT_SESSIONS = 3
EARLIER_COHORTS = 20


@dataclass(frozen=True)
class UnrecordedSession:
    """A session that has begun, for which attendance is recorded for fewer than all participants."""

    session: Session
    recorded: int
    expected: int


@dataclass(frozen=True)
class AtRisk:
    """A participant who missed sessions or whose practical tasks are overdue."""

    enrollment: Enrollment
    missed: list[Session]
    overdue: list[Module]


@dataclass(frozen=True)
class NotEligible:
    enrollment: Enrollment
    reasons: list[str]


@dataclass(frozen=True)
class CohortOverview:
    cohort: Cohort
    participants: int
    next_sessions: list[Session]
    unrecorded: list[UnrecordedSession]
    pending: list[PendingReview]
    at_risk: list[AtRisk]
    eligible: list[Enrollment]
    not_eligible: list[NotEligible]


@dataclass(frozen=True)
class CoordinationHome:
    cohorts: list[CohortOverview]
    earlier: list[Cohort]


def at_risk(row: EnrollmentProgress, now: dt.datetime) -> AtRisk | None:
    """Missed sessions (absent, not excused) and tasks whose deadline has passed with nothing
    handed in, or only work that was returned."""
    missed = [
        session
        for module_row in row.modules
        for session, status in module_row.session_rows
        if status == Attendance.Status.ABSENT
    ]
    overdue = [
        module_row.module
        for module_row in row.modules
        if module_row.deadline is not None
        and module_row.deadline.closes_at <= now
        and module_row.submissions.get(TaskSubmission.Kind.TASK)
        not in (TaskSubmission.State.SUBMITTED, TaskSubmission.State.ACCEPTED)
    ]
    if not missed and not overdue:
        return None
    return AtRisk(enrollment=row.enrollment, missed=missed, overdue=overdue)


def unrecorded_sessions(progress: CohortProgress, now: dt.datetime) -> list[UnrecordedSession]:
    expected = len(progress.rows)
    result = []
    for session in progress.sessions:
        if session.starts_at > now or not expected:
            continue
        recorded = sum(1 for row in progress.rows if row.modules and session.pk in row.modules[0].attendance)
        if recorded < expected:
            result.append(UnrecordedSession(session=session, recorded=recorded, expected=expected))
    return result


def overview(progress: CohortProgress, now: dt.datetime) -> CohortOverview:
    rows = progress.rows
    risks = [risk for row in rows if (risk := at_risk(row, now))]
    return CohortOverview(
        cohort=progress.cohort,
        participants=len(rows),
        next_sessions=[s for s in progress.sessions if s.ends_at > now][:NEXT_SESSIONS],
        unrecorded=unrecorded_sessions(progress, now),
        pending=pending_reviews(rows),
        at_risk=risks,
        eligible=[row.enrollment for row in rows if row.all_completed],
        not_eligible=[
            NotEligible(enrollment=row.enrollment, reasons=missing_for_certificate(row, now))
            for row in rows
            if not row.all_completed
        ],
    )


def coordination_home(user: User, *, now: dt.datetime | None = None) -> CoordinationHome:
    """The coordinator's cohorts that run, are coming or ended recently, each with what to do;
    the earlier ones as a list. Nine queries, however many cohorts and participants."""
    now = now or timezone.now()
    since = timezone.localdate(now) - ACTIVE_AFTER_END
    mine = coordinated_by(user).select_related("programme").distinct()
    active = list(mine.filter(end_date__gte=since).order_by("start_date", "number"))
    earlier = list(mine.filter(end_date__lt=since).order_by("-end_date")[:EARLIER_COHORTS])
    return CoordinationHome(
        cohorts=[overview(progress, now) for progress in cohorts_progress(active, now=now)],
        earlier=earlier,
    )


# --- the progress matrix -----------------------------------------------------------------------

FILTERS = ("offen", "gefaehrdet")


@dataclass(frozen=True)
class Cell:
    """A module's state for one participant, as colour (``tone``), icon and words."""

    state: str  # completed, review, at_risk, running, upcoming, incomplete
    label: str
    tone: str  # success, warning, danger, info, neutral
    icon: str
    progress: ModuleProgress


@dataclass(frozen=True)
class MatrixRow:
    progress: EnrollmentProgress
    cells: list[Cell]
    risk: AtRisk | None


@dataclass(frozen=True)
class Matrix:
    modules: list[Module]
    sessions: list[Session]
    rows: list[MatrixRow]
    pending: list[PendingReview]
    shown_filter: str
    total: int


_CELLS = {
    "completed": (gettext_lazy("abgeschlossen"), "success", "check"),
    "review": (gettext_lazy("Prüfung offen"), "warning", "draft"),
    "at_risk": (gettext_lazy("gefährdet"), "danger", "danger"),
    "incomplete": (gettext_lazy("nicht abgeschlossen"), "danger", "close"),
    "running": (gettext_lazy("läuft"), "info", "autorenew"),
    "upcoming": (gettext_lazy("noch nicht begonnen"), "neutral", "calendar-today"),
}


def cell(row: ModuleProgress, risk: AtRisk | None) -> Cell:
    if row.completed:
        state = "completed"
    elif TaskSubmission.State.SUBMITTED in row.submissions.values():
        state = "review"
    elif risk and (row.module in risk.overdue or any(s in risk.missed for s in row.sessions)):
        state = "at_risk"
    elif row.status == "ended":
        state = "incomplete"
    elif row.status == "in_progress":
        state = "running"
    else:
        state = "upcoming"
    label, tone, icon = _CELLS[state]
    return Cell(state=state, label=str(label), tone=tone, icon=icon, progress=row)


def progress_matrix(cohort: Cohort, *, only: str = "", now: dt.datetime | None = None) -> Matrix:
    """The cohort's matrix: one row per participant, one cell per module; ``only`` "offen" keeps
    those who have not completed every module, "gefaehrdet" those at risk. The work to review is
    the whole cohort's, oldest first."""
    now = now or timezone.now()
    (progress,) = cohorts_progress([cohort], now=now)
    rows = []
    for row in progress.rows:
        risk = at_risk(row, now)
        if only == "offen" and row.all_completed or only == "gefaehrdet" and risk is None:
            continue
        rows.append(MatrixRow(progress=row, cells=[cell(m, risk) for m in row.modules], risk=risk))
    return Matrix(
        modules=progress.modules,
        sessions=progress.sessions,
        rows=rows,
        pending=pending_reviews(progress.rows),
        shown_filter=only if only in FILTERS else "",
        total=len(progress.rows),
    )
