"""Reminders for participants: the day before each session (time, link, materials) and a practical
task that is due in three days and not yet uploaded. Run by ``modules.tasks``."""

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cohorts.models import BERLIN, Enrollment
from portal.mail import absolute_url
from portal.mail.reminders import Reminder, Rule, part, register

from .models import Material, Session, TaskDeadline, TaskSubmission


def _day_range(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The instants of one calendar day in Europe/Berlin, in summer and in winter time."""
    start = dt.datetime.combine(day, dt.time.min, tzinfo=BERLIN)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=BERLIN)
    return start, end


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%MZ")


def _participants(cohort_ids) -> dict[int, list[Enrollment]]:
    by_cohort: dict[int, list[Enrollment]] = {}
    enrollments = (
        Enrollment.objects.confirmed()
        .filter(cohort_id__in=cohort_ids, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    )
    for enrollment in enrollments:
        by_cohort.setdefault(enrollment.cohort_id, []).append(enrollment)
    return by_cohort


def _confirmed(enrollment_ids) -> set[int]:
    return set(Enrollment.objects.confirmed().filter(pk__in=enrollment_ids).values_list("pk", flat=True))


class SessionReminder(Rule):
    """The day before a session: when, where online, and the module's materials."""

    name = "session-1d"
    template = "reminders/session"
    label = gettext_lazy("Erinnerung: Termin am nächsten Tag")

    def key_for(self, session: Session, enrollment_id: int) -> str:
        # The start is part of the key: a session moved to another time gets a new reminder.
        return self.key("session", session.pk, "enrollment", enrollment_id, _stamp(session.starts_at))

    def due(self, *, now: dt.datetime) -> list[Reminder]:
        start, end = _day_range(timezone.localdate(now) + dt.timedelta(days=1))
        sessions = list(
            Session.objects.filter(starts_at__gte=start, starts_at__lt=end, starts_at__gt=now)
            .select_related("module", "cohort")
            .order_by("starts_at")
        )
        if not sessions:
            return []
        cohort_ids = {s.cohort_id for s in sessions}
        participants = _participants(cohort_ids)
        materials: dict[tuple[int, int], list[Material]] = {}
        for material in Material.objects.filter(
            Q(cohort_id__in=cohort_ids) | Q(cohort__isnull=True),
            module_id__in={s.module_id for s in sessions},
        ).order_by("title"):
            # The mail shows the title in each recipient's language (localized_title, at rendering).
            material.url = material.link or absolute_url(reverse("modules:material", args=[material.pk]))
            for cohort_id in [material.cohort_id] if material.cohort_id else cohort_ids:
                materials.setdefault((material.module_id, cohort_id), []).append(material)
        reminders = []
        for session in sessions:
            context = {
                "session": session,
                "module": session.module,
                "cohort": session.cohort,
                "materials": materials.get((session.module_id, session.cohort_id), []),
                "link": absolute_url(reverse("modules:dashboard")),
                "calendar_url": absolute_url(reverse("modules:calendar")),
            }
            for enrollment in participants.get(session.cohort_id, []):
                reminders.append(
                    Reminder(
                        key=self.key_for(session, enrollment.pk),
                        user=enrollment.user,
                        related=session,
                        context=context,
                    )
                )
        return reminders

    def still_due(self, messages, *, now):
        sessions = Session.objects.in_bulk([m.related_id for m in messages])
        confirmed = _confirmed([part(m.idempotency_key, "enrollment") for m in messages])
        reasons = {}
        for message in messages:
            session = sessions.get(message.related_id)
            enrollment_id = part(message.idempotency_key, "enrollment")
            if session is None:
                reasons[message.pk] = _("Die Sitzung wurde abgesagt.")
            elif self.key_for(session, enrollment_id) != message.idempotency_key:
                reasons[message.pk] = _(
                    "Die Sitzung wurde verlegt; die Erinnerung wird zum neuen Termin neu berechnet."
                )
            elif session.starts_at <= now:
                reasons[message.pk] = _("Die Sitzung hat bereits begonnen.")
            elif enrollment_id not in confirmed:
                reasons[message.pk] = _("Die Teilnahme besteht nicht mehr.")
        return reasons


class TaskReminder(Rule):
    """A practical task due in ``days`` days that the participant has not uploaded yet."""

    template = "reminders/task"
    label = gettext_lazy("Erinnerung: Praxisaufgabe")

    def __init__(self, days: int):
        self.days = days
        self.name = f"task-{days}d"

    def key_for(self, deadline: TaskDeadline, enrollment_id: int) -> str:
        return self.key("deadline", deadline.pk, "enrollment", enrollment_id, _stamp(deadline.due_at))

    def due(self, *, now: dt.datetime) -> list[Reminder]:
        start, end = _day_range(timezone.localdate(now) + dt.timedelta(days=self.days))
        deadlines = list(
            TaskDeadline.objects.filter(due_at__gte=start, due_at__lt=end)
            .select_related("module", "cohort")
            .order_by("due_at")
        )
        if not deadlines:
            return []
        cohort_ids = {d.cohort_id for d in deadlines}
        participants = _participants(cohort_ids)
        uploaded = set(
            TaskSubmission.objects.filter(
                kind=TaskSubmission.Kind.TASK,
                enrollment__cohort_id__in=cohort_ids,
                module_id__in={d.module_id for d in deadlines},
            ).values_list("enrollment_id", "module_id")
        )
        reminders = []
        for deadline in deadlines:
            context = {
                "deadline": deadline,
                "module": deadline.module,
                "cohort": deadline.cohort,
                "days": self.days,
                "link": absolute_url(reverse("modules:dashboard")),
            }
            for enrollment in participants.get(deadline.cohort_id, []):
                if (enrollment.pk, deadline.module_id) in uploaded:
                    continue
                reminders.append(
                    Reminder(
                        key=self.key_for(deadline, enrollment.pk),
                        user=enrollment.user,
                        related=deadline,
                        context=context,
                    )
                )
        return reminders

    def still_due(self, messages, *, now):
        deadlines = TaskDeadline.objects.in_bulk([m.related_id for m in messages])
        enrollment_ids = [part(m.idempotency_key, "enrollment") for m in messages]
        confirmed = _confirmed(enrollment_ids)
        uploaded = set(
            TaskSubmission.objects.filter(
                kind=TaskSubmission.Kind.TASK, enrollment_id__in=enrollment_ids
            ).values_list("enrollment_id", "module_id")
        )
        reasons = {}
        for message in messages:
            deadline = deadlines.get(message.related_id)
            enrollment_id = part(message.idempotency_key, "enrollment")
            if deadline is None:
                reasons[message.pk] = _("Die Abgabefrist wurde gelöscht.")
            elif self.key_for(deadline, enrollment_id) != message.idempotency_key:
                reasons[message.pk] = _("Die Abgabefrist wurde geändert; die Erinnerung wird neu berechnet.")
            elif deadline.due_at <= now:
                reasons[message.pk] = _("Die Abgabefrist ist abgelaufen.")
            elif (enrollment_id, deadline.module_id) in uploaded:
                reasons[message.pk] = _("Die Praxisaufgabe wurde inzwischen hochgeladen.")
            elif enrollment_id not in confirmed:
                reasons[message.pk] = _("Die Teilnahme besteht nicht mehr.")
        return reasons


SESSION_1D = register(SessionReminder())
TASK_3D = register(TaskReminder(days=3))
