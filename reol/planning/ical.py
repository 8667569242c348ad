"""The calendar feeds as RFC 5545 iCalendar (built with the ``icalendar`` library).

Plan entries are all-day events (DTSTART and an exclusive DTEND as DATE values); bookings come
from ``reol.bookings.selectors.booking_event`` so a booking looks the same in every feed and in
its own .ics file. Every event has a UID that stays the same between fetches (so calendar
clients update rather than duplicate) and a DTSTAMP.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reol.core import calendar
from reol.core.models import School
from reol.core.text import one_line, printable

from .models import CalendarFeed, PlanEntry
from .workshops import workshop_event, workshops_between

# How far back and ahead the coordination feed reaches.
PAST_DAYS = 60
FUTURE_DAYS = 400


def entry_event(entry: PlanEntry, stamp: dt.datetime) -> Any:
    from icalendar import Event

    event = Event()
    event.add("uid", f"plan-{entry.pk}@{entry.school.code}.reol")
    event.add("dtstamp", stamp)
    event.add("last-modified", entry.updated_at or stamp)
    summary = f"{entry.group.name}: {entry.title}"
    if entry.heavy_use:
        summary += " · " + _("heavy use")
    event.add("summary", one_line(summary))
    lines = [
        _("Weeks %(weeks)s") % {"weeks": calendar.week_label(entry.starts, entry.ends)},
    ]
    if entry.subject:
        lines.append(_("Subject: %(subject)s") % {"subject": entry.subject})
    if entry.goals:
        lines.append(entry.goals)
    if entry.materials:
        lines.append(_("Materials or help wanted: %(text)s") % {"text": entry.materials})
    event.add("description", printable("\n".join(lines)))
    event.add("categories", [entry.get_kind_display()])
    event.add("dtstart", entry.starts)
    event.add("dtend", entry.ends + dt.timedelta(days=1))  # exclusive, as RFC 5545 says
    event.add("transp", "TRANSPARENT")
    return event


def _calendar(name: str) -> Any:
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", "-//Reol//Planning//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", one_line(name))
    return cal


def coordination_ics(school: School, today: dt.date | None = None) -> bytes:
    from reol.bookings.selectors import booking_event, bookings_between

    today = today or timezone.localdate()
    starts, ends = today - dt.timedelta(days=PAST_DAYS), today + dt.timedelta(days=FUTURE_DAYS)
    stamp = timezone.now()
    cal = _calendar(_("Coordination calendar · %(school)s") % {"school": school.name})
    entries = (
        PlanEntry.objects.filter(school=school, starts__lte=ends, ends__gte=starts)
        .select_related("group", "school")
        .order_by("starts", "id")
    )
    for entry in entries:
        cal.add_component(entry_event(entry, stamp))
    for booking in bookings_between(school, starts, ends):
        cal.add_component(booking_event(booking))
    for workshop in workshops_between(school, starts, ends):
        cal.add_component(workshop_event(workshop, stamp))
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


def feed_ics(feed: CalendarFeed) -> bytes:
    """The calendar a feed serves, in its owner's language."""
    from reol.bookings.selectors import bookings_for_resource, bookings_for_teacher, calendar_of

    language = feed.user.preferred_language or feed.school.default_language
    with translation.override(language):
        if feed.kind == CalendarFeed.Kind.COORDINATION:
            return coordination_ics(feed.school)
        if feed.kind == CalendarFeed.Kind.TEACHER_BOOKINGS:
            name = _("Bookings · %(name)s") % {"name": feed.user.get_full_name() or feed.user}
            return calendar_of(bookings_for_teacher(feed.user).filter(school=feed.school), name)
        assert feed.resource is not None
        name = _("Bookings · %(name)s") % {"name": feed.resource.name}
        return calendar_of(bookings_for_resource(feed.resource), name)
