"""Bookings as iCalendar (RFC 5545): one booking as a VEVENT (a daily series when it has hours
on several days), a calendar of many, and a single booking's .ics file. The planning app's feeds
use ``booking_event`` too, so a booking looks the same in every feed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from reol.core.text import one_line, printable

from .models import Booking, BookingState, Resource


def booked_things(booking: Booking) -> list[str]:
    out = []
    for line in booking.lines.all():
        if line.resource is not None:
            name = line.resource.name
            out.append(f"{line.quantity} × {name}" if line.quantity > 1 else name)
        elif line.record is not None:
            out.append(f"{line.quantity} × {line.record.title}")
        elif line.item is not None:
            out.append(f"{line.item.record.title} ({line.item.barcode})")
    return out


def booking_event(booking: Booking) -> object:
    """The booking as one VEVENT (a daily series when it has hours on several days)."""
    from icalendar import Event

    event = Event()
    event.add("uid", f"booking-{booking.pk}@{booking.school.code}.reol")
    event.add("dtstamp", timezone.now())
    event.add("created", booking.created_at or timezone.now())
    things = booked_things(booking)
    event.add("summary", one_line(booking.title or ", ".join(things) or str(booking)))
    lines = [*things]
    if booking.group is not None:
        lines.append(_("Class: %(group)s") % {"group": booking.group})
    if booking.teacher is not None:
        lines.append(
            _("Teacher: %(name)s")
            % {"name": booking.teacher.get_full_name() or booking.teacher.username}
        )
    event.add("description", printable("\n".join(lines)))
    rooms = [
        line.resource.name
        for line in booking.lines.all()
        if line.resource and line.resource.kind == Resource.Kind.ROOM
    ]
    event.add("location", one_line(", ".join(rooms) or booking.school.name))
    event.add("status", "CANCELLED" if booking.state == BookingState.CANCELLED else "CONFIRMED")
    if booking.start_time is not None and booking.end_time is not None:
        zone = ZoneInfo(settings.TIME_ZONE)
        event.add("dtstart", dt.datetime.combine(booking.starts, booking.start_time, zone))
        event.add("dtend", dt.datetime.combine(booking.starts, booking.end_time, zone))
        days = (booking.ends - booking.starts).days + 1
        if days > 1:
            event.add("rrule", {"freq": "daily", "count": days})
    else:
        event.add("dtstart", booking.starts)
        event.add("dtend", booking.ends + dt.timedelta(days=1))  # DTEND of a date is exclusive
    return event


def calendar_of(bookings: Iterable[Booking], name: str) -> bytes:
    """An RFC 5545 calendar of bookings (the planning app's feeds may use it too)."""
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", "-//Reol//Bookings//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", one_line(name))
    for booking in bookings:
        cal.add_component(booking_event(booking))  # type: ignore[arg-type]
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


def booking_ics(booking: Booking) -> bytes:
    """One booking as an .ics file."""
    return calendar_of([booking], str(booking))
