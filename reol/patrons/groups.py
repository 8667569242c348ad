"""Every write of a school's groups (classes and other groups) and their members: made,
changed, a patron added or removed, a class's loans viewed. Each is one transaction with its
audit event, as in ``services.py``, which re-exports these for its callers.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from reol.core import audit
from reol.core.models import School
from reol.core.permissions import Actor, Perm, require

from .models import (
    GRADE_MAX,
    Group,
    GroupMember,
    Patron,
)

# --- Groups ------------------------------------------------------------------------------------


def _group_problems(
    name: str, grade: int | None, kind: str, school_year: str
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not name.strip() or len(name.strip()) > 64:
        errors["name"] = [_("A group's name is 1 to 64 characters.")]
    if not school_year.strip() or len(school_year.strip()) > 16:
        errors["school_year"] = [_("Give the school year, e.g. 2026/27.")]
    if grade is not None and not (0 <= int(grade) <= GRADE_MAX):
        errors["grade"] = [_("A grade is a number from 0 to %(max)s.") % {"max": GRADE_MAX}]
    if kind not in Group.Kind.values:
        errors["kind"] = [_("“%(value)s” is not a kind of group.") % {"value": kind}]
    return errors


@transaction.atomic
def create_group(
    actor: Actor,
    school: School,
    *,
    name: str,
    school_year: str,
    grade: int | None = None,
    kind: str = Group.Kind.CLASS,
    source_id: str = "",
) -> Group:
    require(actor, Perm.PEOPLE_MANAGE, school)
    errors = _group_problems(name, grade, kind, school_year)
    if errors:
        raise ValidationError(errors)
    name, school_year = name.strip(), school_year.strip()
    taken = ValidationError(
        {
            "name": _("%(year)s already has a group called %(name)s.")
            % {"year": school_year, "name": name}
        }
    )
    if Group.objects.filter(school=school, school_year=school_year, name=name).exists():
        raise taken
    try:
        with transaction.atomic():
            group = Group.objects.create(
                school=school,
                name=name,
                school_year=school_year,
                grade=grade,
                kind=kind,
                source_id=source_id,
            )
    except IntegrityError:
        raise taken from None
    audit.record(actor, "group.create", group, school=school, details={"year": school_year})
    return group


GROUP_FIELDS = ("name", "school_year", "grade", "kind", "active", "source_id")


@transaction.atomic
def update_group(actor: Actor, group: Group, **changes: Any) -> Group:
    require(actor, Perm.PEOPLE_MANAGE, group.school)
    unknown = set(changes) - set(GROUP_FIELDS)
    if unknown:
        raise ValueError(f"not a group field: {sorted(unknown)}")
    locked = Group.objects.select_for_update().select_related("school").get(pk=group.pk)
    merged = {
        f: changes.get(f, getattr(locked, f)) for f in ("name", "grade", "kind", "school_year")
    }
    errors = _group_problems(
        str(merged["name"]), merged["grade"], str(merged["kind"]), str(merged["school_year"])
    )
    if errors:
        raise ValidationError(errors)
    diff = {
        f: [str(getattr(locked, f)), str(v)] for f, v in changes.items() if getattr(locked, f) != v
    }
    for field, value in changes.items():
        setattr(locked, field, value)
    try:
        with transaction.atomic():
            locked.save()
    except IntegrityError:
        raise ValidationError(
            {
                "name": _("%(year)s already has a group called %(name)s.")
                % {"year": locked.school_year, "name": locked.name}
            }
        ) from None
    if diff:
        audit.record(actor, "group.update", locked, school=locked.school, details={"changes": diff})
    return locked


@transaction.atomic
def add_member(
    actor: Actor, group: Group, patron: Patron, *, role: str = GroupMember.Role.STUDENT
) -> GroupMember:
    """Put a patron in a group as a student or as one of its teachers (again: a no-op)."""
    require(actor, Perm.PEOPLE_MANAGE, group.school)
    _require_same_school(patron, group)
    if role not in GroupMember.Role.values:
        raise ValidationError(
            {"role": _("“%(value)s” is not a role in a group.") % {"value": role}}
        )
    member, created = GroupMember.objects.get_or_create(
        group=group, patron=patron, defaults={"role": role}
    )
    if not created and member.role == role:
        return member
    if not created:
        member.role = role
        member.save(update_fields=["role"])
    audit.record(
        actor,
        "group.member_add",
        group,
        school=group.school,
        details={"patron": patron.user.username, "role": role},
    )
    return member


@transaction.atomic
def remove_member(actor: Actor, group: Group, patron: Patron) -> bool:
    require(actor, Perm.PEOPLE_MANAGE, group.school)
    deleted, _rows = GroupMember.objects.filter(group=group, patron=patron).delete()
    if deleted:
        audit.record(
            actor,
            "group.member_remove",
            group,
            school=group.school,
            details={"patron": patron.user.username},
        )
    return bool(deleted)


@transaction.atomic
def record_group_view(actor: Actor, group: Group) -> None:
    """Staff or a teacher looked at the loans of a class: audited like a view of a record."""
    audit.record(actor, "group.view_loans", group, school=group.school)


def _require_same_school(patron: Patron, group: Group) -> None:
    if patron.school_id != group.school_id:
        raise ValidationError(_("The patron and the group belong to different schools."))
