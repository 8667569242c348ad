"""REST endpoints for annual plans and the coordination calendar.

``GET /plans`` lists plan entries at the schools where the caller plans (filter by school,
group and ``from``/``to``; paged the one way, see ``reol.core.paging``); ``POST /plans`` adds
one through ``services.create_entry`` (ISO weeks or dates, the same rules as the page);
``GET /calendar`` is the coordination calendar of one school for a date range (``from``/``to``),
weeks with their entries, bookings and clashes. Another school's group or school is a 404, a
missing permission a 403, bad input a 422.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from reol.bookings.selectors import booked_things
from reol.core import denials
from reol.core.models import School, User
from reol.core.paging import DateRange, paged
from reol.core.permissions import Perm, schools_with
from reol.core.schemas import ManyLines, OneLine

from . import access, selectors, services
from .coordination import Row
from .models import PlanEntry

router = Router(tags=["planning"])
MAX_CALENDAR_DAYS = 400


class PlanOut(Schema):
    id: int
    school: str = Field(..., alias="school.code")
    group: int = Field(..., alias="group_id")
    group_name: str = Field(..., alias="group.name")
    school_year: str
    kind: str
    title: str
    subject: str
    starts: dt.date
    ends: dt.date
    weeks: str
    goals: str
    materials: str
    heavy_use: bool


class PlanIn(Schema):
    group: int
    title: OneLine = Field(..., max_length=200)
    kind: OneLine = Field("topic", pattern="^(topic|project)$")
    subject: OneLine = Field("", max_length=100)
    weeks: OneLine | None = Field(None, max_length=20, description='ISO weeks, e.g. "41-43"')
    starts: dt.date | None = None
    ends: dt.date | None = None
    goals: ManyLines = Field("", max_length=5000)
    materials: ManyLines = Field("", max_length=5000)
    heavy_use: bool = False


class BookingOut(Schema):
    id: int
    title: str
    group: int | None = None
    starts: dt.date
    ends: dt.date
    start_time: dt.time | None = None
    end_time: dt.time | None = None
    state: str
    things: list[str]


class ClashOut(Schema):
    kind: str
    message: str
    groups: list[int]


class CellOut(Schema):
    group: int
    group_name: str
    plans: list[int]
    bookings: list[int]
    clash: bool


class WeekOut(Schema):
    year: int
    week: int
    monday: dt.date
    holiday: str
    heavy_use_classes: int
    clashes: list[ClashOut]
    cells: list[CellOut]
    other_bookings: list[int]


class CalendarOut(Schema):
    school: str
    starts: dt.date
    ends: dt.date
    capacity: int
    plans: list[PlanOut]
    bookings: list[BookingOut]
    weeks: list[WeekOut]


def _me(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


def _planning_school(request: HttpRequest, code: str | None) -> School:
    """The school named (404 when the caller does not plan there), or their only one."""
    schools = schools_with(_me(request), Perm.PLANNING)
    if code:
        return denials.get_or_404(request, schools.select_related("municipality"), code=code)
    found = list(schools.select_related("municipality")[:2])
    if len(found) != 1:
        raise Http404(_('Say which school ("school").'))
    return found[0]


@router.get("/plans", response=list[PlanOut])
@paged
def list_plans(
    request: HttpRequest,
    dates: Query[DateRange],
    school: str | None = None,
    group: int | None = None,
) -> QuerySet[PlanEntry]:
    """Plan entries at the schools where the caller plans (touching ``from``–``to``)."""
    entries = selectors.plan_entries(_me(request))
    if school:
        entries = entries.filter(school__code=school)
    if group is not None:
        entries = entries.filter(group_id=group)
    return dates.touching(entries, "starts", "ends").order_by("starts", "id")


@router.post("/plans", response={201: PlanOut})
def create_plan(request: HttpRequest, payload: PlanIn) -> tuple[int, PlanEntry]:
    """Add a topic or project to a group's plan (by ``weeks`` or ``starts``/``ends``)."""
    me = _me(request)
    group = denials.get_or_404(
        request, access.visible_groups(me).select_related("school"), pk=payload.group
    )
    entry = services.create_entry(
        me,
        group,
        title=payload.title,
        kind=payload.kind,
        subject=payload.subject,
        weeks_text=payload.weeks,
        starts=payload.starts,
        ends=payload.ends,
        goals=payload.goals,
        materials=payload.materials,
        heavy_use=payload.heavy_use,
    )
    return 201, PlanEntry.objects.select_related("school", "group").get(pk=entry.pk)


class CalendarQuery(DateRange):
    """``from`` defaults to today, ``to`` to eight weeks on (at most a year or so at a time)."""

    school: str | None = Field(None, max_length=32)


def _calendar_range(params: CalendarQuery) -> tuple[dt.date, dt.date]:
    """The asked dates (eight weeks from today by default), refused when reversed or too long."""
    start, end = params.bounds(7 * 8)
    if end < start:
        raise ValidationError({"to": _("“to” comes before “from”.")})
    if (end - start).days > MAX_CALENDAR_DAYS:
        raise ValidationError(
            {"to": _("Ask for at most %(n)s days at a time.") % {"n": MAX_CALENDAR_DAYS}}
        )
    return start, end


def _week_out(row: Row, plans: dict[int, PlanEntry], bookings: dict[int, Any]) -> dict[str, Any]:
    """One week of the calendar by ids; the plans and bookings it shows are gathered into
    ``plans`` and ``bookings``, which the answer lists once each."""
    cells = []
    for cell in row.cells:
        for entry in cell.entries:
            plans[entry.pk] = entry
        for booking in cell.bookings:
            bookings[booking.pk] = booking
        cells.append(
            {
                "group": cell.group.pk,
                "group_name": cell.group.name,
                "plans": [e.pk for e in cell.entries],
                "bookings": [b.pk for b in cell.bookings],
                "clash": cell.clash,
            }
        )
    for booking in row.other_bookings:
        bookings[booking.pk] = booking
    return {
        "year": row.week.year,
        "week": row.week.number,
        "monday": row.week.monday,
        "holiday": row.week.holiday,
        "heavy_use_classes": row.heavy,
        "clashes": [
            {"kind": c.kind, "message": c.message, "groups": sorted(c.group_ids)}
            for c in row.clashes
        ],
        "cells": cells,
        "other_bookings": [b.pk for b in row.other_bookings],
    }


def _booking_out(booking: Any) -> dict[str, Any]:
    return {
        "id": booking.pk,
        "title": booking.title,
        "group": booking.group_id,
        "starts": booking.starts,
        "ends": booking.ends,
        "start_time": booking.start_time,
        "end_time": booking.end_time,
        "state": booking.state,
        "things": booked_things(booking),
    }


@router.get("/calendar", response={200: CalendarOut})
def coordination_calendar(request: HttpRequest, params: Query[CalendarQuery]) -> dict[str, Any]:
    """The coordination calendar of a school: its weeks × groups, with clashes."""
    school = _planning_school(request, params.school)
    start, end = _calendar_range(params)
    cal = selectors.coordination(school, start, end)
    plans: dict[int, PlanEntry] = {}
    bookings: dict[int, Any] = {}
    weeks_out = [_week_out(row, plans, bookings) for row in cal.rows]
    for entry in plans.values():
        entry.school = school
    return {
        "school": school.code,
        "starts": cal.starts,
        "ends": cal.ends,
        "capacity": cal.capacity,
        "plans": sorted(plans.values(), key=lambda e: (e.starts, e.pk)),
        "bookings": [
            _booking_out(b) for b in sorted(bookings.values(), key=lambda b: (b.starts, b.pk))
        ],
        "weeks": weeks_out,
    }
