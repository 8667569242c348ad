"""REST endpoints for the library's staff: its schedule and their training records.

``GET /schedule/shifts`` lists the shifts at the schools the caller may see (filter by school,
person and ``from``/``to``); ``POST /schedule/shifts`` plans one and ``DELETE
/schedule/shifts/{id}`` removes one, both through ``services.schedule`` (the page's rules: the
person works at the school, no two shifts of one person overlap, the planner holds the
schedule permission). ``GET /training-records`` reads the records a leader's page shows (a
school's administrator: their school; a consultant: their municipality's schools), with a
person's gaps only for that person and their own leader. Another school's shift, person or
school is a 404, a missing permission a 403, a refused write a 422.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from reol.core import denials
from reol.core.models import User
from reol.core.paging import DateRange, paged
from reol.core.permissions import Perm, schools_with, scope, visible_people
from reol.core.schemas import OneLine

from . import training
from .models import Shift
from .services import schedule

router = Router(tags=["competence"])


class ShiftOut(Schema):
    id: int
    school: str = Field(..., alias="school.code")
    person: str = Field(..., alias="person.username")
    kind: str
    day: dt.date
    starts: dt.time
    ends: dt.time
    task: str


class ShiftIn(Schema):
    school: str = Field(..., max_length=32)
    person: str = Field(..., max_length=150, description="the person's username")
    day: dt.date
    starts: dt.time
    ends: dt.time
    task: OneLine = Field("", max_length=120)


class GapOut(Schema):
    area: str
    size: int


class CourseDone(Schema):
    id: int
    title: str


class RecordOut(Schema):
    person: str
    name: str
    schools: list[str]
    completed: list[CourseDone]
    course_hours: Decimal
    workshop_hours: Decimal
    hours: Decimal
    workshops: int
    teams: list[str]
    subjects: list[str]
    answered: bool
    gaps: list[GapOut] | None = Field(
        None, description="only for the person themself and their own leader; else null"
    )


class RecordsQuery(DateRange):
    """``from``–``to`` default to the school year; ``team``/``subject`` narrow the people."""

    school: str | None = Field(None, max_length=32)
    team: str = Field("", max_length=120)
    subject: str = Field("", max_length=120)


def _me(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


def _visible_shifts(request: HttpRequest) -> QuerySet[Shift]:
    return scope(Shift.objects.select_related("school", "person"), _me(request), Perm.SCHOOL_VIEW)


@router.get("/schedule/shifts", response=list[ShiftOut])
@paged
def list_shifts(
    request: HttpRequest, dates: Query[DateRange], school: str | None = None, person: str = ""
) -> QuerySet[Shift]:
    """The shifts at the schools where the caller sees the library's schedule."""
    shifts = dates.touching(_visible_shifts(request), "day")
    if school:
        shifts = shifts.filter(school__code=school)
    if person:
        shifts = shifts.filter(person__username=person)
    return shifts.order_by("day", "starts", "pk")


@router.post("/schedule/shifts", response={201: ShiftOut})
def create_shift(request: HttpRequest, payload: ShiftIn) -> tuple[int, Shift]:
    """Plan a shift (a person starting a shift that overlaps another of theirs is a 422)."""
    me = _me(request)
    school = denials.get_or_404(request, schools_with(me, Perm.SCHOOL_VIEW), code=payload.school)
    person = denials.get_or_404(
        request, visible_people(me, Perm.STAFF_SCHEDULE), username=payload.person
    )
    shift = schedule.plan_shift(
        me,
        school,
        person=person,
        day=payload.day,
        starts=payload.starts,
        ends=payload.ends,
        task=payload.task,
    )
    return 201, shift


@router.delete("/schedule/shifts/{shift_id}", response={204: None})
def delete_shift(request: HttpRequest, shift_id: int) -> tuple[int, None]:
    shift = denials.get_or_404(request, _visible_shifts(request), pk=shift_id)
    schedule.remove_shift(_me(request), shift)
    return 204, None


def _record_out(r: training.PersonRecord) -> dict[str, Any]:
    return {
        "person": r.person.username,
        "name": r.person.get_full_name() or r.person.username,
        "schools": r.schools,
        "completed": [{"id": c.pk, "title": c.title} for c in r.completed],
        "course_hours": r.course_hours,
        "workshop_hours": r.workshop_hours,
        "hours": r.hours,
        "workshops": r.workshops,
        "teams": sorted(r.teams),
        "subjects": sorted(r.subjects),
        "answered": r.answered,
        "gaps": None if r.gaps is None else [{"area": g.area.code, "size": g.size} for g in r.gaps],
    }


@router.get("/training-records", response=list[RecordOut])
@paged
def list_training_records(request: HttpRequest, params: Query[RecordsQuery]) -> list[Any]:
    """Staff's courses, hours and (where the caller may see them) gaps, per person."""
    me = _me(request)
    allowed = schools_with(me, Perm.TRAINING_RECORDS).order_by("name")
    first = allowed.first()
    if first is None:
        raise PermissionDenied
    schools = allowed
    if params.school:
        chosen = denials.get_or_404(request, allowed, code=params.school)
        schools, first = allowed.filter(pk=chosen.pk), chosen
    starts, ends = training.period(first, params.from_, params.to)
    rows = training.training_records(
        me, schools, starts, ends, team=params.team, subject=params.subject
    )
    return [_record_out(r) for r in rows]
