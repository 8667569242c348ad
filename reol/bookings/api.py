"""REST endpoints of bookings: list, make and read bookings; list rooms and equipment.

Scoped like the rest: a caller sees the bookings and resources of the schools where they hold
``Perm.BOOKING``; another school's booking is a 404. A booking that cannot be honoured answers
409 with ``{"code", "message", "holder", "alternatives"}``. ``GET /bookings`` and
``GET /resources`` are paged the one way, and bookings take the one date range ``from``/``to``
(``reol.core.paging``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from reol.catalog.models import Item
from reol.core.models import School, User
from reol.core.paging import DateRange, paged
from reol.core.permissions import Perm, schools_with, scope
from reol.core.schemas import OneLine

from . import selectors, services
from .errors import BookingConflict
from .models import Booking, Resource

router = Router(tags=["bookings"])


class Problem(Schema):
    code: str
    message: str


class AlternativeOut(Schema):
    kind: str
    label: str
    starts: dt.date
    ends: dt.date
    quantity: int
    resource: int | None


class ConflictOut(Schema):
    code: str
    message: str
    holder: str
    line: int
    alternatives: list[AlternativeOut]


class ResourceOut(Schema):
    id: int
    school: str = Field(..., alias="school.code")
    kind: str
    name: str
    description: str
    units: int
    location: str | None = Field(None, alias="location.name")
    active: bool


class LineOut(Schema):
    record: int | None = Field(None, alias="record_id")
    title: str | None = None
    item: str | None = Field(None, alias="item.barcode")
    resource: int | None = Field(None, alias="resource_id")
    quantity: int

    @staticmethod
    def resolve_title(obj: Any) -> str | None:
        if obj.record is not None:
            return str(obj.record.title)
        if obj.item is not None:
            return str(obj.item.record.title)
        return None


class BookingOut(Schema):
    id: int
    school: str = Field(..., alias="school.code")
    title: str
    group: int | None = Field(None, alias="group_id")
    teacher: str | None = Field(None, alias="teacher.username")
    booked_by: str | None = Field(None, alias="booked_by.username")
    starts: dt.date
    ends: dt.date
    start_time: dt.time | None
    end_time: dt.time | None
    state: str
    created_at: dt.datetime
    lines: list[LineOut]

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.all())


class LineIn(Schema):
    record: int | None = None
    item: OneLine | None = Field(None, max_length=100, description="a copy's barcode")
    resource: int | None = None
    quantity: int = Field(1, ge=1, le=500)


class BookingIn(Schema):
    school: OneLine | None = Field(None, max_length=32, description="defaults to your only school")
    title: OneLine = Field("", max_length=200)
    starts: dt.date
    ends: dt.date
    start_time: dt.time | None = None
    end_time: dt.time | None = None
    group: int | None = None
    teacher: OneLine | None = Field(None, max_length=150, description="username; defaults to you")
    lines: list[LineIn] = Field(..., min_length=1, max_length=50)


def _me(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


def _school(request: HttpRequest, code: str | None) -> School:
    schools = schools_with(_me(request), Perm.BOOKING).select_related("municipality")
    if code:
        found = schools.filter(code=code).first()
        if found is None:
            raise Http404
        return found
    mine = list(schools[:2])
    if not mine:
        raise PermissionDenied(_("You may not book at any school."))
    if len(mine) != 1:
        raise ValidationError({"school": _('Say which school ("school").')})
    return mine[0]


def _lines(school: School, lines: list[LineIn]) -> list[services.BookingRequest]:
    out = []
    for line in lines:
        record = selectors.record_at(school, line.record) if line.record is not None else None
        if line.record is not None and record is None:
            raise ValidationError({"lines": _("That title has no copies at this school.")})
        item = None
        if line.item:
            item = Item.objects.filter(barcode=line.item, school=school).first()
            if item is None:
                raise ValidationError({"lines": _("No copy here has that barcode.")})
        resource = None
        if line.resource is not None:
            resource = Resource.objects.filter(pk=line.resource, school=school).first()
            if resource is None:
                raise ValidationError({"lines": _("No room or equipment here has that number.")})
        out.append(
            services.BookingRequest(
                record=record, item=item, resource=resource, quantity=line.quantity
            )
        )
    return out


def _visible(request: HttpRequest) -> Any:
    return scope(Booking.objects.all(), _me(request), Perm.BOOKING)


@router.get("/bookings", response=list[BookingOut])
@paged
def list_bookings(
    request: HttpRequest,
    dates: Query[DateRange],
    school: str | None = None,
    mine: bool = False,
) -> QuerySet[Booking]:
    """Bookings (not cancelled) of your schools touching ``from``–``to`` (by default from
    today, for 90 days), or only your own with ``mine``."""
    first, last = dates.bounds(90)
    queryset = selectors.overlapping(_visible(request), first, last).exclude(state="cancelled")
    if school:
        queryset = queryset.filter(school__code=school)
    if mine:
        me = _me(request)
        queryset = queryset.filter(pk__in=selectors.bookings_for_teacher(me).values("pk"))
    return selectors._with_lines(queryset).order_by("starts", "start_time", "id")


@router.get("/bookings/{int:booking_id}", response=BookingOut)
def get_booking(request: HttpRequest, booking_id: int) -> Booking:
    if not _visible(request).filter(pk=booking_id).exists():
        raise Http404
    booking = selectors.booking_with_lines(booking_id)
    assert booking is not None
    return booking


@router.post("/bookings", response={201: BookingOut, 409: ConflictOut})
def create_booking(request: HttpRequest, payload: BookingIn) -> tuple[int, Any]:
    """Book rooms, equipment and copies; 409 with who holds it and what else is free."""
    me = _me(request)
    school = _school(request, payload.school)
    teacher = me
    if payload.teacher:
        found = selectors.bookers_at(school).filter(username=payload.teacher).first()
        if found is None:
            raise ValidationError({"teacher": _("No teacher here has that username.")})
        teacher = found
    group = None
    if payload.group is not None:
        group = selectors.groups_at(school).filter(pk=payload.group).first()
        if group is None:
            raise ValidationError({"group": _("No class here has that number.")})
    try:
        booking = services.book(
            me,
            school,
            starts=payload.starts,
            ends=payload.ends,
            lines=_lines(school, payload.lines),
            title=payload.title,
            group=group,
            teacher=teacher,
            start_time=payload.start_time,
            end_time=payload.end_time,
        )
    except BookingConflict as conflict:
        return 409, conflict.as_dict()
    return 201, selectors.booking_with_lines(booking.pk)


@router.get("/resources", response=list[ResourceOut])
@paged
def list_resources(request: HttpRequest, school: str | None = None) -> QuerySet[Resource]:
    """Rooms and equipment of your schools."""
    queryset = scope(
        Resource.objects.select_related("school", "location"), _me(request), Perm.BOOKING
    )
    if school:
        queryset = queryset.filter(school__code=school)
    return queryset.order_by("school__code", "kind", "name", "pk")
