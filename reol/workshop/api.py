"""REST endpoints of the media workshop under ``/api/v1/workshop/``.

* ``/kits``: the kits of the schools where the caller may book; a kit is booked with
  ``POST /api/v1/bookings`` and the kit's ``resource`` (one booking calendar, one set of rules).
* ``/sessions``: guidance sessions — all of a school's for the library (``Perm.WORKSHOP``),
  else the caller's own (as teacher or student); POST books (a teacher) or requests (a
  student, naming one of their teachers); ``/{id}/state`` moves one on.
* ``/guides``: the knowledge base, each guide in ``lang`` (else da, nb, en), ``q`` searches.
Another school's kit, session or guide is a 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from reol.bookings.errors import BookingConflict
from reol.core.models import Membership, School, User
from reol.core.paging import DateRange, Shaped, paged
from reol.core.schemas import ManyLines, OneLine
from reol.patrons.selectors import groups_at

from . import selectors, services
from .models import GuidanceSession, Guide, Kit

router = Router(tags=["workshop"])


def _me(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


def _school(request: HttpRequest, code: str | None) -> School:
    """The school the caller acts at: one where they hold a role (named, if several)."""
    schools = School.objects.filter(
        pk__in=Membership.objects.filter(user=_me(request), school__isnull=False).values("school")
    ).select_related("municipality")
    if code:
        found = schools.filter(code=code).first()
        if found is None:
            raise Http404
        return found
    mine = list(schools[:2])
    if not mine:
        raise PermissionDenied(_("You have no role at any school."))
    if len(mine) != 1:
        raise ValidationError({"school": _('Say which school ("school").')})
    return mine[0]


class KitOut(Schema):
    id: int
    school: str
    name: str
    resource: int
    units: int
    contents: list[str]
    devices: list[str]


def _kit_out(kit: Kit) -> dict[str, Any]:
    return {
        "id": kit.pk,
        "school": kit.school.code,
        "name": kit.resource.name,
        "resource": kit.resource_id,
        "units": kit.resource.units,
        "contents": kit.content_lines,
        "devices": [d.item.barcode for d in kit.devices.all()],
    }


@router.get("/workshop/kits", response=list[KitOut])
@paged
def list_kits(request: HttpRequest) -> Any:
    """Kits of your schools; book one with ``POST /api/v1/bookings`` and its ``resource``."""
    rows = selectors.kits(_me(request)).prefetch_related("devices__item")
    return Shaped(rows, lambda page: [_kit_out(k) for k in page])


class SessionOut(Schema):
    id: int
    school: str
    topic: str
    details: str
    day: dt.date
    start_time: dt.time | None
    end_time: dt.time | None
    teacher: str
    student: str | None
    group: str | None
    state: str
    room_booking: int | None


class ClashOut(Schema):
    code: str
    message: str
    holder: str


def _session_out(s: GuidanceSession) -> dict[str, Any]:
    return {
        "id": s.pk,
        "school": s.school.code,
        "topic": s.topic,
        "details": s.details,
        "day": s.day,
        "start_time": s.start_time,
        "end_time": s.end_time,
        "teacher": s.teacher.username,
        "student": s.student.username if s.student else None,
        "group": s.group.name if s.group else None,
        "state": s.state,
        "room_booking": s.room_booking_id,
    }


@router.get("/workshop/sessions", response=list[SessionOut])
@paged
def list_sessions(request: HttpRequest, dates: Query[DateRange], state: str = "") -> Any:
    """Guidance sessions you may see whose day is within ``from``–``to``."""
    rows = selectors.sessions_visible(_me(request)).order_by("day", "pk")
    if dates.from_ is not None:
        rows = rows.filter(day__gte=dates.from_)
    if dates.to is not None:
        rows = rows.filter(day__lte=dates.to)
    if state:
        rows = rows.filter(state=state)
    return Shaped(rows, lambda page: [_session_out(s) for s in page])


class SessionIn(Schema):
    topic: OneLine
    day: dt.date
    start_time: dt.time | None = None
    end_time: dt.time | None = None
    details: ManyLines = ""
    school: OneLine | None = None
    group: int | None = None  # a teacher's booking: the class
    teacher: OneLine | None = None  # a student's request: the username of one of their teachers


@router.post("/workshop/sessions", response={201: SessionOut})
def create_session(request: HttpRequest, payload: SessionIn) -> tuple[int, Any]:
    """A teacher books guidance (no ``teacher``); a student asks, naming their ``teacher``."""
    me = _me(request)
    school = _school(request, payload.school)
    when: dict[str, Any] = {
        "day": payload.day,
        "start_time": payload.start_time,
        "end_time": payload.end_time,
    }
    if payload.teacher:
        teacher = selectors.teachers_of(me, school).filter(username=payload.teacher).first()
        if teacher is None:
            raise ValidationError({"teacher": _("Choose one of your own teachers.")})
        session = services.request_session(
            me, school, teacher=teacher, topic=payload.topic, details=payload.details, **when
        )
    else:
        group = None
        if payload.group is not None:
            group = groups_at(school).filter(pk=payload.group).first()
            if group is None:
                raise ValidationError({"group": _("No class here has that number.")})
        session = services.book_session(
            me, school, topic=payload.topic, group=group, details=payload.details, **when
        )
    return 201, _session_out(session)


class StateIn(Schema):
    state: OneLine
    note: ManyLines = ""


@router.post("/workshop/sessions/{int:session_id}/state", response={200: SessionOut, 409: ClashOut})
def move_session(request: HttpRequest, session_id: int, payload: StateIn) -> Any:
    """Move a session on; confirming one with a time books the workshop's room, and a clash
    answers 409 naming who holds it (the session stays as it was)."""
    found = selectors.sessions_visible(_me(request)).filter(pk=session_id).first()
    if found is None:
        raise Http404
    try:
        moved = services.move_session(_me(request), found, payload.state, note=payload.note)
    except BookingConflict as clash:
        return 409, {"code": clash.code, "message": clash.message, "holder": clash.holder}
    return 200, _session_out(moved)


class GuideOut(Schema):
    id: int
    school: str
    kind: str
    shared: bool
    language: str
    title: str
    body: str
    languages: list[str]


def _guide_out(guide: Guide, language: str) -> dict[str, Any]:
    text = selectors.text_in(guide, language)
    assert text is not None  # a guide is saved with at least one text
    return {
        "id": guide.pk,
        "school": guide.school.code,
        "kind": guide.kind,
        "shared": guide.shared,
        "language": text.language,
        "title": text.title,
        "body": text.body,
        "languages": [t.language for t in guide.texts.all()],
    }


def _guides(request: HttpRequest, school: str | None) -> QuerySet[Guide]:
    return selectors.readable_guides(_me(request), _school(request, school))


@router.get("/workshop/guides", response=list[GuideOut])
@paged
def list_guides(
    request: HttpRequest, q: str = "", lang: str = "", school: str | None = None
) -> Any:
    """The guides you may read, each in ``lang`` (else da, nb, en); ``q`` searches them all."""
    language = lang or get_language() or "da"
    rows = selectors.search_guides(_guides(request, school), q)
    return Shaped(rows, lambda page: [_guide_out(g, language) for g in page])


@router.get("/workshop/guides/{int:guide_id}", response=GuideOut)
def get_guide(
    request: HttpRequest, guide_id: int, lang: str = "", school: str | None = None
) -> Any:
    found = _guides(request, school).filter(pk=guide_id).first()
    if found is None:
        raise Http404
    return _guide_out(found, lang or get_language() or "da")
