"""Every write of the media workshop. Each is one transaction that checks the actor's right,
enforces the rules and writes the audit event.

Kits are bookings' resources: ``create_kit`` makes the resource through
``bookings.services.create_resource`` and booking a kit is ``bookings.services.book`` (its
clash rules, its calendar, its pick list). So is the workshop's room (``set_room``): confirming
a session with a time books it with ``book`` (a clash refuses the confirmation, naming who
holds the room, and nothing is written); cancelling or declining frees it with ``cancel``.
Rights: ``Perm.SCHOOL_MANAGE`` for kits (as for any resource), ``Perm.BOOKING`` for a
teacher's session, any role at the school for a student's request, ``Perm.WORKSHOP`` to
confirm, decline, hold, choose the room and write guides.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reol.bookings import services as bookings
from reol.bookings.checks import closed_throughout
from reol.bookings.models import Booking, BookingState, Resource
from reol.bookings.states import can_change as booking_may_change
from reol.core import audit
from reol.core.models import School, User
from reol.core.permissions import SYSTEM, Actor, Perm, has_perm, require, roles_at
from reol.technology.models import Device

from . import selectors
from .models import (
    LANGUAGE_CODES,
    GuidanceSession,
    Guide,
    GuideText,
    Kit,
    SessionState,
    WorkshopRoom,
)
from .states import can_change

# --- Kits --------------------------------------------------------------------------------------


def _devices(school: School, tags: list[str]) -> list[Device]:
    wanted = {t.strip().upper() for t in tags if t.strip()}
    found = list(Device.objects.filter(school=school, item__barcode__in=wanted))
    missing = wanted - {d.item.barcode.upper() for d in found}
    if missing:
        raise ValidationError(
            {
                "devices": _("%(school)s has no device with the asset tag %(tag)s.")
                % {"school": school.name, "tag": ", ".join(sorted(missing))}
            }
        )
    return found


@transaction.atomic
def create_kit(
    actor: Actor,
    school: School,
    *,
    name: str,
    description: str = "",
    units: int = 1,
    contents: str = "",
    device_tags: list[str] | None = None,
) -> Kit:
    """A kit, bookable at once through the bookings (a resource of kind equipment)."""
    resource = bookings.create_resource(
        actor,
        school,
        kind=Resource.Kind.EQUIPMENT,
        name=name,
        description=description,
        units=units,
    )
    kit = Kit.objects.create(school=school, resource=resource, contents=contents.strip())
    devices = _devices(school, device_tags or [])
    kit.devices.set(devices)
    audit.record(
        actor,
        "kit.create",
        kit,
        school=school,
        details={"resource": resource.pk, "devices": [d.item.barcode for d in devices]},
    )
    return kit


def book_kit(
    actor: Actor,
    kit: Kit,
    *,
    starts: dt.date,
    ends: dt.date,
    units: int = 1,
    title: str = "",
    start_time: dt.time | None = None,
    end_time: dt.time | None = None,
    today: dt.date | None = None,
) -> Any:
    """Book a kit: the bookings' own ``book`` with the kit's resource (its rules, its audit)."""
    return bookings.book(
        actor,
        kit.school,
        starts=starts,
        ends=ends,
        lines=[bookings.BookingRequest(resource=kit.resource, quantity=units)],
        title=title,
        start_time=start_time,
        end_time=end_time,
        today=today,
    )


# --- Guidance sessions -------------------------------------------------------------------------


def _check_session(
    school: School,
    topic: str,
    when: tuple[dt.date | None, dt.time | None, dt.time | None],
    problems: dict[str, list[str]],
) -> None:
    """Every problem of a session asked for, at once (the form shows each at its field): its
    topic, and its day and times as a booking's are checked (``bookings.checks``): not past,
    not a day the school is closed, an end after the start."""
    day, start_time, end_time = when
    if not topic.strip():
        problems["topic"].append(_("Say what the session is about."))
    if day is None:
        problems["day"].append(_("Give the day as a date."))
    elif day < timezone.localdate():
        problems["day"].append(_("Choose a day that has not passed."))
    elif closed_throughout(school, day, day):
        problems["day"].append(_("The school is closed that day."))
    if (start_time is None) != (end_time is None):
        problems["end_time"].append(_("Give both times, or neither."))
    elif start_time is not None and end_time is not None and end_time <= start_time:
        problems["end_time"].append(_("The end time must come after the start time."))
    if problems:
        raise ValidationError(dict(problems))


def _details(session: GuidanceSession) -> dict[str, Any]:
    return {
        "state": session.state,
        "day": session.day.isoformat(),
        "teacher": session.teacher.username,
        "student": session.student.username if session.student else None,
    }


def _new_session(
    actor: User,
    school: School,
    action: str,
    topic: str,
    details: str,
    when: tuple[dt.date | None, dt.time | None, dt.time | None],
    problems: dict[str, list[str]] | None = None,
    **fields: Any,
) -> GuidanceSession:
    """A session booked or asked for: its topic and time checked (with ``problems`` the caller
    found), made, audited (the caller's transaction)."""
    _check_session(school, topic, when, problems if problems is not None else defaultdict(list))
    day, start_time, end_time = when
    assert day is not None  # _check_session refused a session without one
    session = GuidanceSession.objects.create(
        school=school,
        topic=topic.strip(),
        details=details.strip(),
        day=day,
        start_time=start_time,
        end_time=end_time,
        **fields,
    )
    audit.record(actor, action, session, school=school, details=_details(session))
    return session


@transaction.atomic
def book_session(
    actor: User,
    school: School,
    *,
    topic: str,
    day: dt.date | None,
    start_time: dt.time | None = None,
    end_time: dt.time | None = None,
    group: Any = None,
    details: str = "",
) -> GuidanceSession:
    """A teacher books guidance for a class: it waits only for the librarian's confirmation."""
    require(actor, Perm.BOOKING, school)
    if group is not None and group.school_id != school.pk:
        raise ValidationError({"group": _("That class belongs to another school.")})
    when = (day, start_time, end_time)
    fields = {"teacher": actor, "group": group, "state": SessionState.AGREED}
    return _new_session(actor, school, "guidance.book", topic, details, when, **fields)


@transaction.atomic
def request_session(
    actor: User,
    school: School,
    *,
    teacher: User,
    topic: str,
    day: dt.date | None,
    start_time: dt.time | None = None,
    end_time: dt.time | None = None,
    details: str = "",
) -> GuidanceSession:
    """A student asks for guidance; ``teacher`` (one of theirs) must agree first."""
    if not roles_at(actor, school):
        raise PermissionDenied(
            _("You do not have permission to do this at %(school)s.") % {"school": school.name}
        )
    problems: dict[str, list[str]] = defaultdict(list)
    if not selectors.is_teacher_of(teacher, actor, school):
        problems["teacher"].append(_("Choose one of your own teachers."))
    when = (day, start_time, end_time)
    fields = {"teacher": teacher, "student": actor, "state": SessionState.REQUESTED}
    action = "guidance.request"
    return _new_session(actor, school, action, topic, details, when, problems, **fields)


def _may_move(actor: Actor, session: GuidanceSession, new: str) -> bool:
    library = has_perm(actor, Perm.WORKSHOP, session.school)
    if session.state == SessionState.REQUESTED and new in (
        SessionState.AGREED,
        SessionState.DECLINED,
    ):
        # Only the teacher asked, and only while still a teacher of that student.
        return (
            isinstance(actor, User)
            and actor.pk == session.teacher_id
            and session.student is not None
            and selectors.is_teacher_of(actor, session.student, session.school)
        )
    if new == SessionState.CANCELLED:
        mine = isinstance(actor, User) and actor.pk in (session.teacher_id, session.student_id)
        return library or mine
    return library


@transaction.atomic
def move_session(
    actor: Actor, session: GuidanceSession, new: str, *, note: str = ""
) -> GuidanceSession:
    """Move ``session`` on (``states.SESSION_TRANSITIONS``), if ``actor`` may make that move."""
    locked = (
        GuidanceSession.objects.select_for_update(of=("self",))
        .select_related("school", "teacher", "student")
        .get(pk=session.pk)
    )
    if not _may_move(actor, locked, new):
        raise PermissionDenied(_("You may not change this session."))
    if not can_change(locked.state, new):
        raise ValidationError(
            _("A session that is %(old)s cannot become %(new)s.")
            % {
                "old": SessionState(locked.state).label,
                "new": SessionState(new).label if new in SessionState.values else new,
            }
        )
    old = locked.state
    if new == SessionState.CONFIRMED:
        locked.room_booking = _book_room(actor, locked)
    elif new in (SessionState.CANCELLED, SessionState.DECLINED):
        _free_room(actor, locked)
    locked.state = new
    if note.strip():
        locked.note = note.strip()[:500]
    locked.save(update_fields=["state", "note", "room_booking", "changed_at"])
    audit.record(
        actor,
        "guidance.change",
        locked,
        school=locked.school,
        details={"from": old, "to": new, "room_booking": locked.room_booking_id},
    )
    return locked


# --- The workshop's room -----------------------------------------------------------------------


def room_of(school: School) -> WorkshopRoom | None:
    return WorkshopRoom.objects.filter(school=school).select_related("resource").first()


@transaction.atomic
def set_room(actor: Actor, school: School, resource: Resource | None) -> WorkshopRoom | None:
    """Name the room (a bookings room of ``school``) where guidance is held; None for none."""
    require(actor, Perm.WORKSHOP, school)
    if resource is None:
        WorkshopRoom.objects.filter(school=school).delete()
        audit.record(actor, "workshop.room", school=school, details={"room": None})
        return None
    if resource.school_id != school.pk or resource.kind != Resource.Kind.ROOM:
        raise ValidationError({"room": _("Choose one of the school's rooms.")})
    room, _created = WorkshopRoom.objects.update_or_create(
        school=school, defaults={"resource": resource}
    )
    audit.record(
        actor,
        "workshop.room",
        school=school,
        details={"room": resource.pk, "name": resource.name},
    )
    return room


def _book_room(actor: Actor, session: GuidanceSession) -> Booking | None:
    """Book the workshop's room for a session with a time, through the bookings' ``book``:
    its clash rule raises ``BookingConflict`` (who holds the room), which undoes the whole
    confirmation. A session without a time, or a school without a room, books nothing."""
    room = room_of(session.school)
    if room is None or session.start_time is None or session.end_time is None:
        return None
    return bookings.book(
        actor,
        session.school,
        starts=session.day,
        ends=session.day,
        lines=[bookings.BookingRequest(resource=room.resource)],
        title=session.topic,
        group=session.group,
        teacher=session.teacher,
        start_time=session.start_time,
        end_time=session.end_time,
    )


def _free_room(actor: Actor, session: GuidanceSession) -> None:
    """Cancel the session's room booking with the bookings' ``cancel``. A student may cancel
    their own session but no booking: then the workshop frees the room itself (``SYSTEM`` in
    the booking's audit; the session's event names the student)."""
    booking = session.room_booking
    if booking is None or not booking_may_change(booking.state, BookingState.CANCELLED):
        return
    try:
        bookings.cancel(actor, booking)
    except PermissionDenied:
        bookings.cancel(SYSTEM, booking)


# --- Guides ------------------------------------------------------------------------------------


def _clean_texts(texts: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    clean: dict[str, tuple[str, str]] = {}
    for language, (title, body) in texts.items():
        if language not in LANGUAGE_CODES:
            raise ValidationError(
                {"language": _("Guides are written in Danish, Norwegian or English.")}
            )
        title, body = title.strip(), body.strip()
        if title and body:
            clean[language] = (title, body)
        elif title or body:
            raise ValidationError({f"title_{language}": _("Give both a title and a text.")})
    if not clean:
        raise ValidationError({"title_da": _("Write the guide in at least one language.")})
    return clean


@transaction.atomic
def save_guide(
    actor: Actor,
    school: School,
    *,
    kind: str,
    texts: dict[str, tuple[str, str]],
    shared: bool = False,
    kit: Kit | None = None,
    guide: Guide | None = None,
) -> Guide:
    """Write a guide (new, or ``guide`` changed) in up to three languages.

    ``texts`` maps a language to (title, body); a language left out of an existing guide is
    removed from it."""
    if guide is not None:
        school = guide.school
    require(actor, Perm.WORKSHOP, school)
    if kind not in Guide.Kind.values:
        raise ValidationError({"kind": _("Choose what the guide is about.")})
    if kit is not None and kit.school_id != school.pk:
        raise ValidationError({"kit": _("That kit belongs to another school.")})
    clean = _clean_texts(texts)
    if guide is None:
        guide = Guide.objects.create(school=school, kind=kind, shared=shared, kit=kit)
    else:
        guide = Guide.objects.select_for_update().get(pk=guide.pk)
        guide.kind, guide.shared, guide.kit = kind, shared, kit
        guide.save()
    guide.texts.exclude(language__in=list(clean)).delete()
    for language, (title, body) in clean.items():
        GuideText.objects.update_or_create(
            guide=guide,
            language=language,
            defaults={
                "title": title,
                "body": body,
                "folded": selectors.fold(f"{title}\n{body}"),
            },
        )
    audit.record(
        actor,
        "guide.save",
        guide,
        school=school,
        details={"languages": sorted(clean), "shared": shared},
    )
    return guide
