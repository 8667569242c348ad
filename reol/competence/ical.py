"""Course sessions as iCalendar (the ``icalendar`` library, as planning's feeds): one file per
session, and each person's feed of the sessions of the courses they are registered for."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from reol.core.models import User
from reol.core.text import one_line, printable

from .models import Session


def session_event(session: Session) -> Any:
    event = Event()
    event.add("uid", f"course-session-{session.pk}@{session.course.network.code}.reol")
    event.add("dtstamp", timezone.now())
    event.add("summary", one_line(f"{session.course.title}: {session.number}. {session.title}"))
    event.add("dtstart", session.starts)
    event.add("dtend", session.ends)
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
    for session in sessions:
        cal.add_component(session_event(session))
    return bytes(cal.to_ical())


def feed_ics(user: User) -> bytes:
    """The sessions of every course ``user`` holds a place on, in their language."""
    sessions = (
        Session.objects.filter(
            course__registrations__user=user, course__registrations__status="registered"
        )
        .select_related("course__network")
        .order_by("starts")
    )
    with translation.override(user.preferred_language or None):
        name = _("Courses · %(name)s") % {"name": user.get_full_name() or user.username}
        return sessions_ics(sessions, name)
