"""Course sessions as iCalendar (the ``icalendar`` library, as planning's feeds): one file per
session, and each person's feed of the sessions of the courses they take part in or organise.

Every event has a UID that stays the same between fetches (so a calendar client updates rather
than duplicates it) and a DTSTAMP; times are in the installation's zone (``TIME_ZONE``, e.g.
Europe/Copenhagen or Europe/Oslo) with its VTIMEZONE; a cancelled session stays in the feed as
``STATUS:CANCELLED`` so the client crosses it out instead of silently losing it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from reol.core.models import User
from reol.core.permissions import Perm
from reol.core.text import one_line, printable

from . import access
from .models import Course, Session


def session_event(session: Session, stamp: dt.datetime | None = None) -> Any:
    zone = ZoneInfo(settings.TIME_ZONE)
    event = Event()
    event.add("uid", f"course-session-{session.pk}@{session.course.network.code}.reol")
    event.add("dtstamp", stamp or timezone.now())
    summary = f"{session.course.title}: {session.number}. {session.title}"
    if session.cancelled_at is not None:
        summary = _("Cancelled: %(s)s") % {"s": summary}
    event.add("summary", one_line(summary))
    event.add("dtstart", session.starts.astimezone(zone))
    event.add("dtend", session.ends.astimezone(zone))
    event.add("status", "CANCELLED" if session.cancelled_at is not None else "CONFIRMED")
    if session.cancelled_at is not None:
        event.add("sequence", 1)  # a change clients must apply over the first version
    if session.place:
        event.add("location", one_line(session.place))
    if session.online_url:
        event.add("url", session.online_url)
    lines = [session.course.network.name]
    if session.online_url:
        lines.append(_("Online: %(url)s") % {"url": session.online_url})
    event.add("description", printable("\n".join(lines)))
    return event


def sessions_ics(sessions: Iterable[Session], name: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Reol//Competence//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", one_line(name))
    stamp = timezone.now()
    for session in sessions:
        cal.add_component(session_event(session, stamp))
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


def sessions_of(user: User) -> QuerySet[Session]:
    """The sessions of the courses ``user`` holds a place on, and of those they organise (the
    courses of the networks they coordinate, drafts included)."""
    taking = Course.objects.filter(registrations__user=user, registrations__status="registered")
    organising = Course.objects.filter(
        network__in=access.networks_with(user, Perm.NETWORK_COORDINATE)
    )
    return (
        Session.objects.filter(Q(course__in=taking) | Q(course__in=organising))
        .select_related("course__network")
        .order_by("starts", "pk")
    )


def feed_ics(user: User) -> bytes:
    """The sessions of ``user``'s courses, in their language."""
    with translation.override(user.preferred_language or None):
        name = _("Courses · %(name)s") % {"name": user.get_full_name() or user.username}
        return sessions_ics(sessions_of(user), name)
