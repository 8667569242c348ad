"""REST endpoints for courses: ``GET /courses`` (the courses of the caller's networks),
``GET /courses/{id}/sessions``, ``GET /courses/{id}/registrations`` (the coordinator's: everyone;
anyone else: their own), ``POST /courses/{id}/registrations`` (register the caller: a place or
the waiting list) and ``DELETE /registrations/{id}`` (cancel; the first waiting moves up).
A course of another network is a 404, a missing permission a 403, a refused write a 422.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from reol.core.models import User
from reol.core.paging import paged
from reol.core.permissions import Perm

from . import access
from .api_staff import router as staff_router
from .models import Course, Registration, Session
from .services import courses

router = Router(tags=["competence"])


class CourseOut(Schema):
    id: int
    network: str
    title: str
    description: str
    area: str | None
    capacity: int
    status: str
    registered: int
    waiting: int


class SessionOut(Schema):
    id: int
    number: int
    title: str
    starts: dt.datetime
    ends: dt.datetime
    place: str
    online_url: str
    cancelled: bool

    @staticmethod
    def resolve_cancelled(obj: Session) -> bool:
        return obj.cancelled_at is not None


class RegistrationOut(Schema):
    id: int
    course: int
    user: str
    status: str
    seat: int | None


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _course(request: HttpRequest, pk: int) -> Course:
    course = get_object_or_404(Course.objects.select_related("network", "area"), pk=pk)
    if not access.may(_user(request), Perm.COMPETENCE, course.network):
        raise Http404
    return course


def _course_out(c: Course) -> dict[str, object]:
    live = list(c.registrations.exclude(status="cancelled").values_list("status", flat=True))
    return {
        "id": c.pk,
        "network": c.network.code,
        "title": c.title,
        "description": c.description,
        "area": c.area.code if c.area else None,
        "capacity": c.capacity,
        "status": c.status,
        "registered": live.count("registered"),
        "waiting": live.count("waiting"),
    }


def _reg_out(r: Registration) -> dict[str, object]:
    return {
        "id": r.pk,
        "course": r.course_id,
        "user": r.user.username,
        "status": r.status,
        "seat": r.seat,
    }


@router.get("/courses", response=list[CourseOut])
@paged
def list_courses(request: HttpRequest) -> Any:
    """The courses of your networks (drafts only to their coordinators' pages)."""
    networks = access.networks_with(_user(request), Perm.COMPETENCE)
    found = Course.objects.filter(network__in=networks).exclude(status="draft")
    return [_course_out(c) for c in found.select_related("network", "area").order_by("pk")]


@router.get("/courses/{course_id}/sessions", response=list[SessionOut])
@paged
def list_sessions(request: HttpRequest, course_id: int) -> Any:
    return list(_course(request, course_id).sessions.order_by("starts", "pk"))


@router.get("/courses/{course_id}/registrations", response=list[RegistrationOut])
@paged
def list_registrations(request: HttpRequest, course_id: int) -> Any:
    course = _course(request, course_id)
    found = course.registrations.exclude(status="cancelled").select_related("user")
    if not access.may(_user(request), Perm.NETWORK_COORDINATE, course.network):
        found = found.filter(user=_user(request))
    return [_reg_out(r) for r in found.order_by("pk")]


@router.post("/courses/{course_id}/registrations", response={201: RegistrationOut})
def create_registration(request: HttpRequest, course_id: int) -> tuple[int, dict[str, object]]:
    return 201, _reg_out(courses.register(_user(request), _course(request, course_id)))


@router.delete("/registrations/{registration_id}", response={204: None})
def cancel_registration(request: HttpRequest, registration_id: int) -> tuple[int, None]:
    registration = get_object_or_404(
        Registration.objects.select_related("course__network"), pk=registration_id
    )
    user = _user(request)
    if registration.user_id != user.pk and not access.may(
        user, Perm.NETWORK_COORDINATE, registration.course.network
    ):
        raise Http404
    courses.cancel(user, registration)
    return 204, None


router.add_router("", staff_router)  # the schedule and training records (api_staff.py)
