"""The library's schedule as iCalendar (the ``icalendar`` library, as planning's feeds): one
event per shift, in the school's time zone, with a UID that stays the same between fetches."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from reol.core.models import School
from reol.core.text import one_line

from .models import ScheduleFeed, Shift

PAST_DAYS = 30
FUTURE_DAYS = 200


def shift_event(shift: Shift, stamp: dt.datetime) -> Any:
    event = Event()
    event.add("uid", f"library-shift-{shift.pk}@{shift.school.code}.reol")
    event.add("dtstamp", stamp)
    who = shift.person.get_full_name() or shift.person.username
    summary = f"{who} · {shift.get_kind_display()}"
    if shift.task:
        summary += f" · {shift.task}"
    event.add("summary", one_line(summary))
    zone = timezone.get_current_timezone()
    event.add("dtstart", dt.datetime.combine(shift.day, shift.starts, tzinfo=zone))
    event.add("dtend", dt.datetime.combine(shift.day, shift.ends, tzinfo=zone))
    event.add("location", one_line(shift.school.name))
    return event


def schedule_ics(school: School, today: dt.date | None = None) -> bytes:
    today = today or timezone.localdate()
    cal = Calendar()
    cal.add("prodid", "-//Reol//Library schedule//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", one_line(_("Library schedule · %(school)s") % {"school": school.name}))
    stamp = timezone.now()
    shifts = Shift.objects.filter(
        school=school,
        day__gte=today - dt.timedelta(days=PAST_DAYS),
        day__lte=today + dt.timedelta(days=FUTURE_DAYS),
    ).select_related("person", "school")
    for shift in shifts:
        cal.add_component(shift_event(shift, stamp))
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


def feed_ics(feed: ScheduleFeed) -> bytes:
    with translation.override(feed.user.preferred_language or feed.school.default_language):
        return schedule_ics(feed.school)
