"""REST endpoints for schools, locations, people and the audit log (scoped like the pages).

``/people`` and ``/audit`` are paged the one way (``reol.core.paging``). ``/me``, ``/schools``
and ``/schools/{code}/locations`` are not: one person's roles, a municipality's schools and one
school's shelves are short by nature, and a client wants them whole.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from . import denials, services
from .models import AuditEvent, Location, Membership, School, User
from .paging import DateRange, paged
from .permissions import Perm, has_perm_anywhere, schools_with, scope, visible_people
from .schemas import OneLine
from .selectors import search_people

router = Router()


class RoleOut(Schema):
    school: str | None = Field(None, alias="school.code")
    role: str


class MeOut(Schema):
    id: int
    username: str
    name: str
    preferred_language: str
    roles: list[RoleOut]


class SchoolOut(Schema):
    code: str
    name: str
    municipality: str = Field(..., alias="municipality.code")
    default_language: str


class LocationOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    parent: str | None = Field(None, alias="parent.code")


class PersonOut(Schema):
    id: int
    username: str
    first_name: str
    last_name: str
    email: str
    card_barcode: str | None
    roles: list[RoleOut] = Field(..., alias="visible_memberships")


class PersonIn(Schema):
    """The service checks username, names and role, so the API and the pages say the same."""

    school: OneLine
    username: OneLine
    role: OneLine
    first_name: OneLine = Field("", max_length=150)
    last_name: OneLine = Field("", max_length=150)
    email: OneLine = Field("", max_length=254)
    card_barcode: OneLine | None = Field(None, max_length=64)
    password: str | None = None
    pin: OneLine | None = None


class AuditEventOut(Schema):
    id: int
    at: dt.datetime
    actor: str = Field(..., alias="actor_name")
    action: str
    object_type: str
    object_id: str
    object: str = Field(..., alias="object_repr")
    school: str | None = Field(None, alias="school.code")
    via: str
    ip_address: str | None


def _me(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@router.get("/me", response=MeOut, tags=["people"])
def me(request: HttpRequest) -> dict[str, object]:
    user = _me(request)
    return {
        "id": user.pk,
        "username": user.username,
        "name": user.get_full_name(),
        "preferred_language": user.preferred_language,
        "roles": list(user.memberships.select_related("school")),
    }


@router.get("/schools", response=list[SchoolOut], tags=["schools"])
def schools(request: HttpRequest) -> QuerySet[School]:
    return schools_with(_me(request), Perm.SCHOOL_VIEW).select_related("municipality")


def _school(request: HttpRequest, code: str, perm: Perm) -> School:
    """A school by code, 404 unless the caller has ``perm`` there (no existence leaks)."""
    return denials.get_or_404(request, schools_with(_me(request), perm), code=code)


@router.get("/schools/{code}/locations", response=list[LocationOut], tags=["schools"])
def locations(request: HttpRequest, code: str) -> QuerySet[Location]:
    school = _school(request, code, Perm.SCHOOL_VIEW)
    return Location.objects.filter(school=school).select_related("parent")


def _people(request: HttpRequest) -> QuerySet[User]:
    viewer = _me(request)
    visible = scope(Membership.objects.all(), viewer, Perm.PEOPLE_VIEW).select_related("school")
    return visible_people(viewer).prefetch_related(
        Prefetch("memberships", queryset=visible, to_attr="visible_memberships")
    )


@router.get("/people", response=list[PersonOut], tags=["people"])
@paged
def people(
    request: HttpRequest, school: str | None = None, role: str | None = None, q: str | None = None
) -> QuerySet[User]:
    """People the caller may see, optionally at one school, with one role, or matching ``q``."""
    if not has_perm_anywhere(_me(request), Perm.PEOPLE_VIEW):
        raise PermissionDenied(_("You may not see other people's records."))
    rows = _people(request)
    members = scope(Membership.objects.all(), _me(request), Perm.PEOPLE_VIEW)
    if school:
        members = members.filter(school=_school(request, school, Perm.PEOPLE_VIEW))
    if role:
        members = members.filter(role=role)
    if school or role:
        rows = rows.filter(pk__in=members.values("user"))
    if q:
        rows = search_people(rows, q[:100])
    return rows.order_by("last_name", "first_name", "username")  # usernames are unique


@router.get("/people/{int:person_id}", response=PersonOut, tags=["people"])
def person(request: HttpRequest, person_id: int) -> User:
    viewer = _me(request)
    subject = denials.get_or_404(request, _people(request), pk=person_id)
    if subject.pk != viewer.pk:
        services.record_person_view(viewer, subject, None)
    return subject


@router.post("/people", response={201: PersonOut}, tags=["people"])
def person_create(request: HttpRequest, payload: PersonIn) -> tuple[int, User]:
    school = _school(request, payload.school, Perm.PEOPLE_MANAGE)
    data = payload.dict(exclude={"school"})
    created = services.create_person(_me(request), school, **data)
    return 201, denials.get_or_404(request, _people(request), pk=created.pk)


@router.get("/audit", response=list[AuditEventOut], tags=["audit"])
@paged
def audit_events(
    request: HttpRequest,
    dates: Query[DateRange],
    school: str | None = None,
    action: str | None = None,
) -> QuerySet[AuditEvent]:
    """Audit events, newest first; ``from``–``to`` are days in the server's time zone."""
    viewer = _me(request)
    events = scope(AuditEvent.objects.all(), viewer, Perm.AUDIT_VIEW).select_related("school")
    if school:
        events = events.filter(school=_school(request, school, Perm.AUDIT_VIEW))
    if action:
        events = events.filter(action__startswith=action)
    return dates.within(events, "at").order_by("-at", "-id")
