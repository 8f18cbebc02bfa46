"""Personal data of the modules app: a participant's attendance and practical tasks.

They document the participation and are kept as long as the seat is (see cohorts/privacy.py);
with the account they go, files included.
"""

import datetime as dt

from portal.accounts.models import User
from portal.privacy.registry import Export, ExportFile, archive_path, delete_files_on_commit, scrub_audit_log

from .models import Attendance, TaskSubmission


def export(user: User) -> Export:
    attendances = (
        Attendance.objects.filter(enrollment__user=user)
        .select_related("session__module", "enrollment__cohort")
        .order_by("session__starts_at", "pk")
    )
    submissions = (
        TaskSubmission.objects.filter(enrollment__user=user)
        .select_related("module", "enrollment__cohort")
        .order_by("enrollment__cohort__start_date", "module__position", "kind")
    )
    files, tasks = [], []
    for submission in submissions:
        path = ""
        if submission.file:
            path = archive_path(
                "praxisaufgaben",
                submission.enrollment.cohort.title,
                f"{submission.module.position}-{submission.kind}-{submission.file_name}",
            )
            files.append(ExportFile(path=path, name=submission.file.name))
        tasks.append(
            {
                "cohort": submission.enrollment.cohort.title,
                "module": submission.module.title,
                "kind": submission.kind,
                "state": submission.state,
                "file": path,
                "file_name": submission.file_name,
                "submitted_at": submission.submitted_at,
                "feedback": submission.comment,
                "reviewed_at": submission.reviewed_at,
            }
        )
    return Export(
        name="kurs",
        data={
            "attendance": [
                {
                    "cohort": a.enrollment.cohort.title,
                    "module": a.session.module.title,
                    "session_starts_at": a.session.starts_at,
                    "status": a.status,
                    "recorded_at": a.recorded_at,
                }
                for a in attendances
            ],
            "practical_tasks": tasks,
        },
        files=files,
    )


def erase(user: User, *, at: dt.datetime) -> None:
    submissions = TaskSubmission.objects.filter(enrollment__user=user)
    delete_files_on_commit(submissions.exclude(file="").values_list("file", flat=True))
    scrub_audit_log(TaskSubmission, submissions.values_list("pk", flat=True))
    attendances = Attendance.objects.filter(enrollment__user=user)
    scrub_audit_log(Attendance, attendances.values_list("pk", flat=True))
    submissions.delete()
    attendances.delete()
