"""REST endpoints for patrons and groups, scoped like every other endpoint.

* ``GET /patrons`` and ``GET /patrons/{barcode}``: PEOPLE_VIEW at the patron's school (a
  patron elsewhere is a 404); a single patron's record is audited as ``person.view``.
* ``POST /patrons`` and ``PATCH /patrons/{barcode}``: PEOPLE_MANAGE, through the services.
* ``GET /groups``: the groups of the schools where the caller sees people; a teacher without
  that sees the groups they teach.

Both lists are paged the one way (``page``, ``size``; ``{"count", "items"}``, see
``reol.core.paging``).

``{barcode}`` is the card barcode, or the username for people without a card (as at the desk).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from reol.core import calendar, denials
from reol.core import services as core_services
from reol.core.models import School, User
from reol.core.paging import Shaped, paged
from reol.core.permissions import Perm, has_perm_anywhere, require, schools_with, scope
from reol.core.schemas import ManyLines, OneLine
from reol.core.selectors import card_or_username, search_people

from . import services
from .models import Group, GroupMember, Patron

router = Router(tags=["patrons"])


class PatronOut(Schema):
    id: int
    username: str
    first_name: str
    last_name: str
    card_barcode: str | None
    school: str
    category: str
    grade: int | None
    groups: list[str]
    guardian_emails: list[str]
    preferred_language: str
    valid_until: dt.date | None
    active: bool
    blocked: bool
    source_id: str


class PatronIn(Schema):
    school: OneLine | None = Field(None, max_length=32, description="the school's code")
    category: OneLine = Field(
        ..., description="student or teacher (staff/external: existing people)"
    )
    username: OneLine = Field(..., max_length=150)
    first_name: OneLine = Field("", max_length=150)
    last_name: OneLine = Field("", max_length=150)
    email: OneLine = Field("", max_length=254)
    card_barcode: OneLine | None = Field(None, max_length=64)
    pin: OneLine | None = Field(None, max_length=12)
    grade: int | None = None
    guardian_emails: list[OneLine] = Field(default_factory=list)
    preferred_language: OneLine = Field("", max_length=8)
    valid_until: dt.date | None = None
    source_id: OneLine = Field("", max_length=128)
    groups: list[OneLine] = Field(default_factory=list, description="names of this year's groups")


class PatronPatch(Schema):
    first_name: OneLine | None = Field(None, max_length=150)
    last_name: OneLine | None = Field(None, max_length=150)
    email: OneLine | None = Field(None, max_length=254)
    card_barcode: OneLine | None = Field(None, max_length=64)
    category: OneLine | None = None
    grade: int | None = None
    guardian_emails: list[OneLine] | None = None
    preferred_language: OneLine | None = Field(None, max_length=8)
    valid_until: dt.date | None = None
    notes: ManyLines | None = None
    source_id: OneLine | None = Field(None, max_length=128)
    active: bool | None = None
    keeps_loan_history: bool | None = None


class GroupOut(Schema):
    id: int
    school: str
    school_year: str
    name: str
    kind: str
    grade: int | None
    active: bool
    source_id: str
    students: int
    teachers: list[str]


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


def _out(patron: Patron, blocked: set[int]) -> dict[str, Any]:
    person = patron.user
    return {
        "id": patron.pk,
        "username": person.username,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "card_barcode": person.card_barcode,
        "school": patron.school.code,
        "category": patron.category,
        "grade": patron.grade,
        "groups": [m.group.name for m in patron.memberships.all() if m.group.active],
        "guardian_emails": patron.guardians,
        "preferred_language": patron.preferred_language,
        "valid_until": patron.valid_until,
        "active": patron.active,
        "blocked": patron.pk in blocked,
        "source_id": patron.source_id,
    }


def _with_groups(patrons: QuerySet[Patron]) -> QuerySet[Patron]:
    return patrons.select_related("user", "school").prefetch_related(
        Prefetch("memberships", queryset=GroupMember.objects.select_related("group"))
    )


def _blocked(patrons: list[Patron]) -> set[int]:
    from .models import Block

    return set(
        Block.objects.filter(patron__in=patrons, lifted_at__isnull=True).values_list(
            "patron_id", flat=True
        )
    )


def _school(actor: User, code: str | None, perm: Perm) -> School | None:
    if not code:
        return None
    school = schools_with(actor, perm).filter(code=code).first()
    if school is None:
        if School.objects.filter(code=code).exists() and has_perm_anywhere(actor, perm):
            raise Http404
        raise PermissionDenied(_("You do not have permission to do this at that school."))
    return school


def _one_school(actor: User, code: str | None, perm: Perm) -> School:
    school = _school(actor, code, perm)
    if school is not None:
        return school
    schools = list(schools_with(actor, perm)[:2])
    if len(schools) == 1:
        return schools[0]
    if not schools:
        raise PermissionDenied(_("You do not have permission to do this at any school."))
    raise Http404(_("Name the school (its code)."))


def _find(
    request: HttpRequest, actor: User, barcode: str, school_code: str | None, perm: Perm
) -> Patron:
    code = barcode.strip()
    patrons = scope(Patron.objects.all(), actor, perm).filter(
        card_or_username(code, prefix="user__")
    )
    school = _school(actor, school_code, perm)
    if school is not None:
        patrons = patrons.filter(school=school)
    found = _with_groups(patrons).order_by("school__code").first()
    if found is None:
        # Another school's card or username: audited (ASVS 7.2.2), still a plain 404.
        elsewhere = Patron.objects.filter(card_or_username(code, prefix="user__"))
        other = elsewhere.select_related("school").order_by("pk").first()
        if other is not None:
            denials.record(
                request,
                reason="outside the requester's schools",
                target_school=other.school,
                obj=other,
            )
        raise Http404
    return found


@router.get("/patrons", response=list[PatronOut])
@paged
def list_patrons(
    request: HttpRequest,
    school: str | None = None,
    q: str = "",
    category: str = "",
    group: str = "",
    active: bool | None = True,
) -> Shaped:
    """The patrons of the schools where the caller sees people (or of ``school``)."""
    actor = _user(request)
    place = _school(actor, school, Perm.PEOPLE_VIEW)
    if not has_perm_anywhere(actor, Perm.PEOPLE_VIEW):
        raise PermissionDenied(_("You do not have permission to see patrons."))
    patrons = scope(Patron.objects.all(), actor, Perm.PEOPLE_VIEW)
    if place is not None:
        patrons = patrons.filter(school=place)
    if active is not None:
        patrons = patrons.filter(active=active)
    if category:
        patrons = patrons.filter(category=category)
    if group:
        # A subquery, not a join: a patron in two active groups of that name is one row.
        members = GroupMember.objects.filter(group__name=group, group__active=True)
        patrons = patrons.filter(pk__in=members.values("patron"))
    patrons = search_people(patrons, q, via="user__")
    patrons = patrons.order_by("school__code", "user__last_name", "user__first_name", "pk")

    def shape(page: list[Patron]) -> list[dict[str, Any]]:
        blocked = _blocked(page)
        return [_out(p, blocked) for p in page]

    return Shaped(_with_groups(patrons), shape)


@router.post("/patrons", response={201: PatronOut})
def create_patron(request: HttpRequest, payload: PatronIn) -> tuple[int, dict[str, Any]]:
    actor = _user(request)
    school = _one_school(actor, payload.school, Perm.PEOPLE_MANAGE)
    groups: list[Group] = []
    if payload.groups:
        year = calendar.current_school_year(school)
        for name in payload.groups:
            named = Group.objects.filter(school=school, name=name, active=True).order_by(
                "-school_year"
            )
            found = named.filter(school_year=year).first() or named.first()
            if found is None:
                from django.core.exceptions import ValidationError

                raise ValidationError({"groups": _("There is no group %(name)s.") % {"name": name}})
            groups.append(found)
    patron = services.create_patron(
        actor,
        school,
        category=payload.category,
        username=payload.username,
        first_name=payload.first_name,
        last_name=payload.last_name,
        email=payload.email,
        card_barcode=payload.card_barcode,
        pin=payload.pin,
        grade=payload.grade,
        guardian_emails=payload.guardian_emails,
        preferred_language=payload.preferred_language,
        valid_until=payload.valid_until,
        source_id=payload.source_id,
    )
    for group in groups:
        services.add_member(actor, group, patron)
    fresh = _with_groups(Patron.objects.filter(pk=patron.pk)).get()
    return 201, _out(fresh, set())


@router.get("/patrons/{barcode}", response=PatronOut)
def get_patron(request: HttpRequest, barcode: str, school: str | None = None) -> dict[str, Any]:
    actor = _user(request)
    patron = _find(request, actor, barcode, school, Perm.PEOPLE_VIEW)
    core_services.record_person_view(actor, patron.user, patron.school)
    return _out(patron, _blocked([patron]))


@router.patch("/patrons/{barcode}", response=PatronOut)
def patch_patron(
    request: HttpRequest, barcode: str, payload: PatronPatch, school: str | None = None
) -> dict[str, Any]:
    actor = _user(request)
    patron = _find(request, actor, barcode, school, Perm.PEOPLE_VIEW)
    require(actor, Perm.PEOPLE_MANAGE, patron.school)
    changes = payload.dict(exclude_unset=True)
    consent = changes.pop("keeps_loan_history", None)
    if "guardian_emails" in changes:
        changes["guardian_emails"] = "\n".join(changes["guardian_emails"] or [])
    if changes:
        services.update_patron(actor, patron, **changes)
    if consent is not None:
        services.set_loan_history_consent(actor, patron, consent)
    fresh = _with_groups(Patron.objects.filter(pk=patron.pk)).get()
    return _out(fresh, _blocked([fresh]))


@router.get("/groups", response=list[GroupOut])
@paged
def list_groups(
    request: HttpRequest, school: str | None = None, year: str = "", active: bool | None = True
) -> Shaped:
    """Groups where the caller sees people; a teacher sees the groups they teach."""
    actor = _user(request)
    groups: QuerySet[Group]
    if has_perm_anywhere(actor, Perm.PEOPLE_VIEW):
        place = _school(actor, school, Perm.PEOPLE_VIEW)
        groups = scope(Group.objects.all(), actor, Perm.PEOPLE_VIEW)
        if place is not None:
            groups = groups.filter(school=place)
    else:
        groups = Group.objects.filter(
            members__patron__user=actor, members__role=GroupMember.Role.TEACHER
        ).distinct()
        if school:
            groups = groups.filter(school__code=school)
    if year:
        groups = groups.filter(school_year=year)
    if active is not None:
        groups = groups.filter(active=active)
    groups = groups.select_related("school").prefetch_related(
        Prefetch(
            "members",
            queryset=GroupMember.objects.select_related("patron__user"),
        )
    )
    return Shaped(groups.order_by("school__code", "grade", "name", "pk"), _group_items)


def _group_items(page: list[Group]) -> list[dict[str, Any]]:
    result = []
    for g in page:
        members = list(g.members.all())
        result.append(
            {
                "id": g.pk,
                "school": g.school.code,
                "school_year": g.school_year,
                "name": g.name,
                "kind": g.kind,
                "grade": g.grade,
                "active": g.active,
                "source_id": g.source_id,
                "students": sum(1 for m in members if m.role == GroupMember.Role.STUDENT),
                "teachers": [
                    m.patron.user.username for m in members if m.role == GroupMember.Role.TEACHER
                ],
            }
        )
    return result
