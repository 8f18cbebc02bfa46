"""The cohort's sessions as an iCalendar file that Outlook and Thunderbird import."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, Timezone

BERLIN = ZoneInfo("Europe/Berlin")


def cohort_calendar(cohort, sessions) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Smart City Manager:in//Programmportal//DE")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"Smart City Manager:in – {cohort.localized_title}")
    calendar.add("x-wr-timezone", "Europe/Berlin")
    sessions = list(sessions)
    if sessions:
        # A VTIMEZONE with the summer and winter rules, so clients need no time zone database.
        calendar.add_component(
            Timezone.from_tzid(
                "Europe/Berlin",
                first_date=sessions[0].starts_at.date(),
                last_date=sessions[-1].ends_at.date(),
            )
        )
    stamp = timezone.now()
    for session in sessions:
        event = Event()
        event.add("uid", f"session-{session.pk}@{settings.PORTAL_BASE_URL.split('//')[-1].split('/')[0]}")
        event.add("dtstamp", stamp)
        event.add("dtstart", session.starts_at.astimezone(BERLIN))
        event.add("dtend", session.ends_at.astimezone(BERLIN))
        event.add("summary", f"{session.module.position}. {session.module.localized_title}")
        description = "\n".join(
            part for part in [session.trainer, session.localized_description, session.meeting_url] if part
        )
        if description:
            event.add("description", description)
        if session.meeting_url:
            event.add("location", session.meeting_url)
            event.add("url", session.meeting_url)
        calendar.add_component(event)
    return calendar.to_ical()
