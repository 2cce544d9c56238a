"""The calendar invitation (.ics, RFC 5545) sent with a published agenda.

Built with the ``icalendar`` package, which escapes text and folds long lines. It carries
no personal data: the panel's name, when, where (or the video link) and a link to the
meeting page, which asks the reader to sign in. No attendees, no organiser's name, no
case. ``METHOD:PUBLISH`` (an announcement, not a request for replies), so no organiser
is required; the UID stays the same and SEQUENCE rises each time the invitation is sent
again, so calendars update the event rather than adding another.
"""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

DEFAULT_LENGTH = timedelta(hours=2)


def meeting_url(meeting) -> str:
    return settings.SITE_URL + reverse("meetings:detail", args=[meeting.pk])


def meeting_ics(meeting, *, sequence: int | None = None) -> bytes:
    london = ZoneInfo(settings.TIME_ZONE)
    calendar = Calendar()
    calendar.add("prodid", "-//Roundtable//Panel meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", meeting.uid)
    event.add("dtstamp", timezone.now())
    starts = meeting.starts_at.astimezone(london)
    ends = (meeting.ends_at or meeting.starts_at + DEFAULT_LENGTH).astimezone(london)
    event.add("dtstart", starts)
    event.add("dtend", ends)
    event.add("sequence", meeting.invitation_sequence if sequence is None else sequence)
    event.add("summary", f"{meeting.panel.name} meeting")
    link = meeting_url(meeting)
    where = meeting.place or "Online"
    event.add("location", where)
    lines = [f"The agenda and papers are in Roundtable: {link}", "Sign in to see them."]
    if meeting.video_link:
        lines.append(f"Join online: {meeting.video_link}")
        event.add("conference", meeting.video_link, parameters={"VALUE": "URI"})
    event.add("description", "\n".join(lines))
    event.add("url", link)
    event.add("status", "CONFIRMED")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
