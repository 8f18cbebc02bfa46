"""Reminders for applicants: an unsubmitted draft before the deadline, an offered seat before its
confirmation date. Run by ``applications.tasks`` on the beat schedules."""

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cohorts.models import Enrollment
from portal.mail import absolute_url
from portal.mail.reminders import Reminder, Rule, part, register

from .models import Application
from .rules import window_is_open


def _extended_until(application: Application) -> dt.datetime | None:
    extension = application.granted_extension
    return extension.until if extension else None


def _extension_ends_at(application: Application) -> str:
    """The time of day an extension ends, as the reminder says it ("24:00" for midnight), or ""."""
    until = _extended_until(application)
    if until is None:
        return ""
    until = timezone.localtime(until)
    return "24:00" if until.time() == dt.time() else until.strftime("%H:%M")


def deadline_day(application: Application) -> dt.date:
    """The last day on which this draft can be submitted: the cohort's deadline, or the day an
    individual extension ends (an extension ending at midnight ends the day before, at 24:00)."""
    until = _extended_until(application)
    if until is None:
        return application.cohort.applications_close_on
    return timezone.localtime(until - dt.timedelta(microseconds=1)).date()


class DraftReminder(Rule):
    """A draft that is still not submitted ``days`` days before its deadline: the cohort's, or the
    end of an extension granted to this application."""

    template = "reminders/draft"
    label = gettext_lazy("Erinnerung: Bewerbungsentwurf noch nicht eingereicht")

    def __init__(self, days: int):
        self.days = days
        self.name = f"draft-{days}d"

    def key_for(self, application: Application) -> str:
        # The deadline is part of the key: when it moves, the reminder for the new date is a new one.
        return self.key("application", application.pk, deadline_day(application).isoformat())

    def due(self, *, now: dt.datetime) -> list[Reminder]:
        deadline = timezone.localdate(now) + dt.timedelta(days=self.days)
        day_start = timezone.make_aware(dt.datetime.combine(deadline, dt.time()))
        extension_ends_that_day = Q(
            extension__until__gt=day_start, extension__until__lte=day_start + dt.timedelta(days=1)
        )
        drafts = (
            Application.objects.filter(
                status=Application.Status.DRAFT,
                cohort__applications_open_at__lte=now,
                applicant__is_active=True,
            )
            .filter(
                Q(extension__isnull=True, cohort__applications_close_on=deadline) | extension_ends_that_day
            )
            .select_related("applicant", "cohort", "extension")
        )
        return [
            Reminder(
                key=self.key_for(application),
                user=application.applicant,
                related=application,
                context={
                    "application": application,
                    "cohort": application.cohort,
                    "deadline": deadline_day(application),
                    "extension_ends_at": _extension_ends_at(application),
                    "days": self.days,
                    "link": absolute_url(reverse("applications:edit", args=[application.pk])),
                },
            )
            for application in drafts
        ]

    def still_due(self, messages, *, now):
        current = {
            application.pk: application
            for application in Application.objects.filter(
                pk__in=[m.related_id for m in messages]
            ).select_related("cohort", "extension")
        }
        reasons = {}
        for message in messages:
            application = current.get(message.related_id)
            if application is None or application.status != Application.Status.DRAFT:
                reasons[message.pk] = _(
                    "Die Bewerbung ist kein Entwurf mehr (eingereicht, zurückgezogen oder gelöscht)."
                )
            elif self.key_for(application) != message.idempotency_key:
                reasons[message.pk] = _(
                    "Die Bewerbungsfrist wurde geändert; die Erinnerung wird zum neuen Termin neu berechnet."
                )
            elif not window_is_open(cohort=application.cohort, at=now, application=application):
                reasons[message.pk] = _("Die Bewerbungsfrist ist abgelaufen.")
        return reasons


class OfferReminder(Rule):
    """A seat offered but not yet confirmed ``days`` days before the confirmation date.

    Not optional: whoever misses the date loses the seat.
    """

    template = "reminders/offer"
    label = gettext_lazy("Erinnerung: Platz bestätigen")
    optional = False

    def __init__(self, days: int):
        self.days = days
        self.name = f"offer-{days}d"

    def key_for(self, enrollment: Enrollment) -> str:
        return self.key("enrollment", enrollment.pk, enrollment.respond_by.isoformat())

    def due(self, *, now: dt.datetime) -> list[Reminder]:
        respond_by = timezone.localdate(now) + dt.timedelta(days=self.days)
        offers = Application.objects.filter(
            status=Application.Status.ACCEPTED,
            enrollment__state=Enrollment.State.OFFERED,
            enrollment__respond_by=respond_by,
            applicant__is_active=True,
        ).select_related("applicant", "cohort", "enrollment")
        return [
            Reminder(
                key=self.key_for(application.enrollment),
                user=application.applicant,
                related=application.enrollment,
                context={
                    "application": application,
                    "cohort": application.cohort,
                    "respond_by": application.enrollment.respond_by,
                    "days": self.days,
                    "link": absolute_url(reverse("applications:offer", args=[application.pk])),
                },
            )
            for application in offers
        ]

    def still_due(self, messages, *, now):
        current = {
            enrollment.pk: enrollment
            for enrollment in Enrollment.objects.filter(
                pk__in=[part(m.idempotency_key, "enrollment") for m in messages]
            )
        }
        today = timezone.localdate(now)
        reasons = {}
        for message in messages:
            enrollment = current.get(part(message.idempotency_key, "enrollment"))
            if enrollment is None or enrollment.state != Enrollment.State.OFFERED:
                reasons[message.pk] = _("Der Platz wurde bereits bestätigt oder abgelehnt.")
            elif enrollment.respond_by is None or self.key_for(enrollment) != message.idempotency_key:
                reasons[message.pk] = _("Die Frist zur Bestätigung wurde geändert.")
            elif enrollment.respond_by < today:
                reasons[message.pk] = _("Die Frist zur Bestätigung ist abgelaufen.")
        return reasons


DRAFT_7D = register(DraftReminder(days=7))
DRAFT_1D = register(DraftReminder(days=1))
OFFER_3D = register(OfferReminder(days=3))
