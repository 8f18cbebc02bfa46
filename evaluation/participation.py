"""What the completion rule needs for the evaluation's reads, loaded once: modules, sessions,
attendance and practical tasks of a set of enrollments.

The dashboard (``evaluation.selectors``) and the person export (``evaluation.export_rows``) both
count completed modules with it, in a fixed number of queries.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from modules.models import Attendance, Module, Session, TaskSubmission
from modules.progress import module_completed


@dataclass
class Participation:
    """What the completion rule needs for every enrollment: sessions, attendance, tasks."""

    modules: list
    sessions: list
    attendance: dict  # enrollment id -> {session id: status}
    submissions: dict  # enrollment id -> {module id: {kind: state}}
    now: dt.datetime
    sessions_by: dict = field(init=False)

    def __post_init__(self):
        self.sessions_by = defaultdict(list)
        for session in self.sessions:
            self.sessions_by[(session.cohort_id, session.module_id)].append(session)

    def module_sessions(self, cohort_id: int, module_id: int) -> list:
        return self.sessions_by.get((cohort_id, module_id), [])

    def module_ended(self, cohort_id: int, module_id: int) -> bool:
        sessions = self.module_sessions(cohort_id, module_id)
        return bool(sessions) and max(s.ends_at for s in sessions) <= self.now

    def completed(self, enrollment_id: int, cohort_id: int, module_id: int) -> bool:
        return module_completed(
            sessions=self.module_sessions(cohort_id, module_id),
            attendance=self.attendance.get(enrollment_id, {}),
            submissions=self.submissions.get(enrollment_id, {}).get(module_id, {}),
        )


def load_participation(enrollments, now: dt.datetime, cohort_ids=None) -> Participation:
    """Modules, sessions, attendance and practical tasks of the given enrollments: four queries.
    ``cohort_ids`` narrows modules and sessions to the programme's cohorts."""
    modules = Module.objects.order_by("programme_id", "position")
    sessions = Session.objects.select_related("module").order_by("starts_at", "pk")
    if cohort_ids is not None:
        modules = modules.filter(programme__cohorts__in=cohort_ids).distinct()
        sessions = sessions.filter(cohort__in=cohort_ids)
    attendance = defaultdict(dict)
    for enrollment_id, session_id, status in Attendance.objects.filter(
        enrollment__in=enrollments
    ).values_list("enrollment_id", "session_id", "status"):
        attendance[enrollment_id][session_id] = status
    submissions = defaultdict(lambda: defaultdict(dict))
    for enrollment_id, module_id, kind, state in TaskSubmission.objects.filter(
        enrollment__in=enrollments
    ).values_list("enrollment_id", "module_id", "kind", "state"):
        submissions[enrollment_id][module_id][kind] = state
    return Participation(
        modules=list(modules),
        sessions=list(sessions),
        attendance=attendance,
        submissions=submissions,
        now=now,
    )
