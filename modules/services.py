"""Writes of the curriculum: sessions, materials, attendance and practical tasks."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cohorts.models import Cohort, Enrollment
from cohorts.selectors import can_coordinate
from portal.accounts import roles
from portal.accounts.models import User
from portal.files import safe_display_name, validate_document
from portal.mail import absolute_url, queue_templated_mail
from portal.operator.texts import operator_details

from .models import Attendance, Material, Module, Session, TaskDeadline, TaskSubmission
from .progress import upload_open

MATERIAL_TYPES = {"pdf", "pptx", "odp", "docx", "odt"}
MATERIAL_MAX_SIZE = 20 * 1024 * 1024
TASK_TYPES = {"pdf", "docx", "odt"}
TASK_MAX_SIZE = 10 * 1024 * 1024


def _require_coordinator(user: User, cohort: Cohort) -> None:
    if not can_coordinate(user, cohort):
        raise PermissionDenied(_("Sie koordinieren diesen Schulungsdurchgang nicht."))


def check_session(
    *, cohort: Cohort, starts_at: dt.datetime, ends_at: dt.datetime, exclude: int | None = None
):
    """Raise a ValidationError (by field) for a session that ends before it starts, lies outside the
    cohort's period or overlaps another session of the cohort."""
    errors = {}
    if ends_at <= starts_at:
        errors["ends_at"] = _("Das Ende muss nach dem Beginn liegen.")
    first, last = timezone.localdate(starts_at), timezone.localdate(ends_at)
    if first < cohort.start_date or last > cohort.end_date:
        errors["starts_at"] = _(
            "Die Sitzung muss im Zeitraum des Durchgangs liegen (%(start)s bis %(end)s)."
        ) % {
            "start": date_format(cohort.start_date, "SHORT_DATE_FORMAT"),
            "end": date_format(cohort.end_date, "SHORT_DATE_FORMAT"),
        }
    if not errors:
        overlapping = (
            Session.objects.filter(cohort=cohort, starts_at__lt=ends_at, ends_at__gt=starts_at)
            .exclude(pk=exclude)
            .select_related("module")
            .first()
        )
        if overlapping:
            errors["starts_at"] = _("Die Sitzung überschneidet sich mit „%(session)s“.") % {
                "session": overlapping
            }
    if errors:
        raise ValidationError(errors)


def schedule_session(
    *, cohort: Cohort, module: Module, starts_at, ends_at, by: User, session: Session | None = None, **details
) -> Session:
    """Create or move a session. The cohort row is locked so two coordinators cannot overlap sessions."""
    _require_coordinator(by, cohort)
    with transaction.atomic():
        Cohort.objects.select_for_update().get(pk=cohort.pk)
        check_session(
            cohort=cohort, starts_at=starts_at, ends_at=ends_at, exclude=session.pk if session else None
        )
        session = session or Session()
        session.cohort, session.module, session.starts_at, session.ends_at = (
            cohort,
            module,
            starts_at,
            ends_at,
        )
        for name, value in details.items():
            setattr(session, name, value)
        session.save()
    return session


def add_material(
    *,
    module: Module,
    cohort: Cohort | None,
    title: str,
    by: User,
    file: UploadedFile | None = None,
    link: str = "",
    title_en: str = "",
    own_cohort_only: bool = False,
) -> Material:
    if cohort is not None:
        _require_coordinator(by, cohort)
    elif not (by.is_superuser or roles.in_group(by, roles.COORDINATORS)):
        raise PermissionDenied
    if bool(file) == bool(link):
        raise ValidationError(_("Bitte laden Sie entweder eine Datei hoch oder geben Sie einen Link an."))
    material = Material(
        module=module,
        cohort=cohort,
        title=title,
        title_en=title_en,
        link=link,
        own_cohort_only=own_cohort_only,
    )
    if file:
        kind = validate_document(file, allowed=MATERIAL_TYPES, max_size=MATERIAL_MAX_SIZE)
        material.file_name = safe_display_name(file.name, keep_extension=True)
        material.file.save(f"upload.{kind}", file, save=False)
    material.save()
    return material


def record_attendance(
    *, session: Session, statuses: dict[int, str], by: User, at: dt.datetime | None = None
) -> int:
    """Record the attendance of a session for the given enrollments (id -> status)."""
    _require_coordinator(by, session.cohort)
    if session.starts_at > (at or timezone.now()):
        raise ValidationError(
            _("Die Anwesenheit kann erst ab Beginn der Sitzung erfasst werden."), code="future"
        )
    valid = set(Attendance.Status.values)
    if any(status not in valid for status in statuses.values()):
        raise ValidationError(_("Unbekannter Anwesenheitsstatus."))
    enrollments = set(
        session.cohort.enrollments.confirmed().filter(pk__in=statuses).values_list("pk", flat=True)
    )
    if enrollments != set(statuses):
        raise ValidationError(_("Es können nur Teilnehmer:innen dieses Durchgangs erfasst werden."))
    with transaction.atomic():
        existing = {a.enrollment_id: a for a in Attendance.objects.filter(session=session)}
        for enrollment_id, status in statuses.items():
            attendance = existing.get(enrollment_id) or Attendance(
                session=session, enrollment_id=enrollment_id
            )
            attendance.status = status
            attendance.recorded_by = by
            attendance.save()
    return len(statuses)


def upload_task(
    *,
    enrollment: Enrollment,
    module: Module,
    file: UploadedFile,
    user: User,
    at: dt.datetime,
    kind: str = TaskSubmission.Kind.TASK,
) -> TaskSubmission:
    if enrollment.user_id != user.pk or enrollment.state != Enrollment.State.CONFIRMED:
        raise PermissionDenied
    if kind == TaskSubmission.Kind.TASK:
        deadline = TaskDeadline.objects.filter(cohort=enrollment.cohort_id, module=module).first()
        if not upload_open(deadline, at):
            raise ValidationError(
                _(
                    "Die Abgabefrist endete am %(date)s Uhr. Wenn Sie eine Abgabe nachreichen möchten, "
                    "wenden Sie sich an die %(contact)s: %(email)s, Telefon %(phone)s."
                )
                % {
                    "date": date_format(timezone.localtime(deadline.due_at), "SHORT_DATETIME_FORMAT"),
                    "contact": operator_details()["course_contact"],
                    "email": settings.PORTAL_OPERATOR["course_email"],
                    "phone": settings.PORTAL_OPERATOR["course_phone"],
                },
                code="late",
            )
    file_kind = validate_document(file, allowed=TASK_TYPES, max_size=TASK_MAX_SIZE)
    with transaction.atomic():
        submission = (
            TaskSubmission.objects.select_for_update()
            .filter(enrollment=enrollment, module=module, kind=kind)
            .first()
        )
        if submission and submission.state == TaskSubmission.State.ACCEPTED:
            raise ValidationError(_("Diese Abgabe ist bereits angenommen."), code="accepted")
        old = submission.file.name if submission else ""
        submission = submission or TaskSubmission(enrollment=enrollment, module=module, kind=kind)
        submission.file_name = safe_display_name(file.name, keep_extension=True)
        submission.file.save(f"upload.{file_kind}", file, save=False)
        submission.state = TaskSubmission.State.SUBMITTED
        submission.submitted_at = at
        submission.save()
        if old:
            storage = submission.file.storage
            transaction.on_commit(lambda: storage.delete(old))
    return submission


def review_task(
    *, submission: TaskSubmission, accept: bool, comment: str, by: User, at: dt.datetime
) -> TaskSubmission:
    """Accept a task or return it for revision with feedback. A returned task is mailed to the
    participant with the feedback, in their language, through the outbox (once per version)."""
    _require_coordinator(by, submission.enrollment.cohort)
    if not accept and not comment.strip():
        raise ValidationError(_("Bitte schreiben Sie dazu, was überarbeitet werden soll."), code="comment")
    with transaction.atomic():
        submission = (
            TaskSubmission.objects.select_for_update()
            .select_related("enrollment__user", "enrollment__cohort", "module")
            .get(pk=submission.pk)
        )
        submission.state = TaskSubmission.State.ACCEPTED if accept else TaskSubmission.State.RETURNED
        submission.comment = comment.strip()
        submission.reviewed_by = by
        submission.reviewed_at = at
        submission.save(update_fields=["state", "comment", "reviewed_by", "reviewed_at"])
        if not accept:
            participant = submission.enrollment.user
            queue_templated_mail(
                template="modules/task_returned",
                context={
                    "submission": submission,
                    "module": submission.module,
                    "user": participant,
                    "course_url": absolute_url(reverse("modules:dashboard")),
                },
                recipient=participant.email,
                user=participant,
                kind="task-returned",
                # One mail per handed-in version: a double click does not mail twice.
                idempotency_key=f"task-returned:{submission.pk}:{submission.submitted_at.isoformat()}",
                related=submission,
            )
    return submission


@dataclass(frozen=True)
class PlannedSession:
    """One row of a cohort's schedule: an existing session (``pk``) to change or delete, or a new one."""

    module: Module
    starts_at: dt.datetime
    ends_at: dt.datetime
    meeting_url: str = ""
    description: str = ""
    description_en: str = ""
    pk: int | None = None
    delete: bool = False


def _schedule_errors(
    cohort: Cohort, plan: list[PlannedSession], others: list[Session]
) -> dict[int, list[str]]:
    """Each row's reasons to be refused: its times, the cohort's period, and clashes with the
    other rows and with the cohort's sessions the plan leaves as they are."""
    errors: dict[int, list[str]] = {}
    period = _("Die Sitzung muss im Zeitraum des Durchgangs liegen (%(start)s bis %(end)s).") % {
        "start": date_format(cohort.start_date, "SHORT_DATE_FORMAT"),
        "end": date_format(cohort.end_date, "SHORT_DATE_FORMAT"),
    }
    kept = [(i, row) for i, row in enumerate(plan) if not row.delete]
    for i, row in kept:
        if row.ends_at <= row.starts_at:
            errors.setdefault(i, []).append(_("Das Ende muss nach dem Beginn liegen."))
            continue
        if (
            timezone.localdate(row.starts_at) < cohort.start_date
            or timezone.localdate(row.ends_at) > cohort.end_date
        ):
            errors.setdefault(i, []).append(period)
        for j, other in kept:
            if j != i and other.starts_at < row.ends_at and other.ends_at > row.starts_at:
                errors.setdefault(i, []).append(
                    _("Die Sitzung überschneidet sich mit Zeile %(row)s (%(module)s, %(when)s).")
                    % {
                        "row": j + 1,
                        "module": other.module.localized_title,
                        "when": date_format(timezone.localtime(other.starts_at), "SHORT_DATETIME_FORMAT"),
                    }
                )
        for session in others:
            if session.starts_at < row.ends_at and session.ends_at > row.starts_at:
                errors.setdefault(i, []).append(
                    _("Die Sitzung überschneidet sich mit „%(session)s“.") % {"session": session}
                )
    return errors


def schedule_cohort(*, cohort: Cohort, plan: list[PlannedSession], by: User) -> list[Session]:
    """Create, change and delete a cohort's sessions in one go, all or nothing. The cohort row is
    locked, so two coordinators cannot plan clashing sessions at once. Refused rows raise a
    ValidationError whose ``error_dict`` maps ``row-<index>`` to the reasons."""
    _require_coordinator(by, cohort)
    with transaction.atomic():
        Cohort.objects.select_for_update().get(pk=cohort.pk)
        existing = {s.pk: s for s in Session.objects.filter(cohort=cohort).select_related("module")}
        named = {row.pk for row in plan if row.pk is not None}
        errors = _schedule_errors(cohort, plan, [s for pk, s in existing.items() if pk not in named])
        for i, row in enumerate(plan):
            if row.pk is not None and row.pk not in existing:
                errors.setdefault(i, []).append(_("Diese Sitzung gehört nicht zu diesem Durchgang."))
        attended = set(
            Attendance.objects.filter(session_id__in=[r.pk for r in plan if r.delete]).values_list(
                "session_id", flat=True
            )
        )
        for i, row in enumerate(plan):
            if row.delete and row.pk in attended:
                errors.setdefault(i, []).append(
                    _("Für diese Sitzung ist schon Anwesenheit erfasst; sie kann nicht gelöscht werden.")
                )
        if errors:
            raise ValidationError({f"row-{i}": messages for i, messages in sorted(errors.items())})
        saved = []
        for row in plan:
            session = existing.get(row.pk) if row.pk else Session(cohort=cohort)
            if row.delete:
                session.delete()
                continue
            session.module, session.starts_at, session.ends_at = row.module, row.starts_at, row.ends_at
            session.meeting_url, session.description, session.description_en = (
                row.meeting_url,
                row.description,
                row.description_en,
            )
            session.save()
            saved.append(session)
    return saved
