"""Writes of collaborations between teachers and the learning centre, and of the team's
development goals and tasks.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from reol.core import audit, calendar
from reol.core.models import School, SchoolYear, User
from reol.core.permissions import Actor, Perm, has_perm, require

from .. import access
from ..models import (
    Collaboration,
    DevelopmentGoal,
    TeamTask,
)
from .entries import _person, _text

COLLABORATION_TEXT = {
    "title": 200,
    "subject": 100,
    "goals": 5000,
    "materials": 5000,
    "evaluation": 10000,
}


def _collaboration_values(
    school: School, values: dict[str, Any]
) -> tuple[dict[str, Any], list[User] | None, list[Any] | None]:
    from reol.bookings.models import Resource

    allowed = {*COLLABORATION_TEXT, "kind", "group", "starts", "ends", "teachers", "rooms"}
    allowed.add("school_year")
    unknown = set(values) - allowed
    if unknown:
        raise TypeError(f"unknown collaboration fields: {sorted(unknown)}")
    cleaned: dict[str, Any] = _text(values, COLLABORATION_TEXT)
    if "kind" in values:
        if values["kind"] not in Collaboration.Kind.values:
            raise ValidationError({"kind": _("Choose a course or guidance.")})
        cleaned["kind"] = values["kind"]
    if "group" in values:
        group = values["group"]
        if group is not None and group.school_id != school.pk:
            raise ValidationError({"group": _("Choose a group of this school.")})
        cleaned["group"] = group
    for name in ("starts", "ends", "school_year"):
        if name in values:
            cleaned[name] = values[name]
    teachers = values.get("teachers")
    if teachers is not None:
        teachers = list(teachers)
        for person in teachers:
            if not has_perm(person, Perm.PLANNING, school):
                raise ValidationError(
                    {"teachers": _("%(name)s does not plan at this school.") % {"name": person}}
                )
    rooms = values.get("rooms")
    if rooms is not None:
        rooms = list(rooms)
        if any(not isinstance(r, Resource) or r.school_id != school.pk for r in rooms):
            raise ValidationError({"rooms": _("Choose rooms and equipment of this school.")})
    return cleaned, teachers, rooms


def _check_dates(starts: Any, ends: Any) -> None:
    if starts is None or ends is None:
        raise ValidationError({"starts": _("Give a first and a last day.")})
    if ends < starts:
        raise ValidationError({"ends": _("The last day comes before the first.")})


@transaction.atomic
def create_collaboration(actor: Actor, school: School, **values: Any) -> Collaboration:
    """Plan a course or guidance session with teachers (staff, or a teacher of the group)."""
    cleaned, teachers, rooms = _collaboration_values(school, values)
    group = cleaned.get("group")
    require(actor, Perm.PLANNING, school)
    if not access.is_centre_staff(actor, school) and not (group and access.teaches(actor, group)):
        raise PermissionDenied(
            _("Collaborations are planned by the learning-centre staff or a teacher of the group.")
        )
    _check_dates(cleaned.get("starts"), cleaned.get("ends"))
    if not cleaned.get("school_year"):
        year = SchoolYear.objects.filter(
            school=school, starts__lte=cleaned["starts"], ends__gte=cleaned["starts"]
        ).first()
        cleaned["school_year"] = (
            group.school_year
            if group
            else year.name
            if year
            else calendar.year_name_of(cleaned["starts"])
        )
    collaboration = Collaboration.objects.create(
        school=school, created_by=_person(actor), **cleaned
    )
    if teachers is not None:
        collaboration.teachers.set(teachers)
    if rooms is not None:
        collaboration.rooms.set(rooms)
    audit.record(actor, "collaboration.create", collaboration, school=school)
    return collaboration


def may_edit_collaboration(actor: Any, collaboration: Collaboration) -> bool:
    if not has_perm(actor, Perm.PLANNING, collaboration.school):
        return False
    if access.is_centre_staff(actor, collaboration.school):
        return True
    if isinstance(actor, User) and collaboration.teachers.filter(pk=actor.pk).exists():
        return True
    return collaboration.group is not None and access.teaches(actor, collaboration.group)


@transaction.atomic
def update_collaboration(
    actor: Actor, collaboration: Collaboration, **values: Any
) -> Collaboration:
    locked = (
        Collaboration.objects.select_for_update(of=("self",))
        .select_related("school__municipality", "group")
        .get(pk=collaboration.pk)
    )
    require(actor, Perm.PLANNING, locked.school)
    if not may_edit_collaboration(actor, locked):
        raise PermissionDenied(_("You are not part of this collaboration."))
    cleaned, teachers, rooms = _collaboration_values(locked.school, values)
    _check_dates(cleaned.get("starts", locked.starts), cleaned.get("ends", locked.ends))
    changed = [k for k, v in cleaned.items() if getattr(locked, k) != v]
    for name in changed:
        setattr(locked, name, cleaned[name])
    if changed:
        locked.save(update_fields=[*changed, "updated_at"])
    if teachers is not None and {t.pk for t in teachers} != set(
        locked.teachers.values_list("pk", flat=True)
    ):
        locked.teachers.set(teachers)
        changed.append("teachers")
    if rooms is not None and {r.pk for r in rooms} != set(
        locked.rooms.values_list("pk", flat=True)
    ):
        locked.rooms.set(rooms)
        changed.append("rooms")
    if changed:
        audit.record(
            actor,
            "collaboration.update",
            locked,
            school=locked.school,
            details={"fields": sorted(changed)},
        )
    return locked


@transaction.atomic
def delete_collaboration(actor: Actor, collaboration: Collaboration) -> None:
    locked = Collaboration.objects.select_for_update().get(pk=collaboration.pk)
    access.require_centre_staff(actor, locked.school)
    audit.record(
        actor, "collaboration.delete", locked, school=locked.school, details={"title": locked.title}
    )
    locked.delete()


@transaction.atomic
def save_goal(
    actor: Actor,
    school: School,
    *,
    school_year: str,
    title: str,
    description: str = "",
    goal: DevelopmentGoal | None = None,
) -> DevelopmentGoal:
    """Add (or, with ``goal``, change) one of the school's development goals."""
    access.require_centre_staff(actor, school)
    calendar.start_year(school_year)
    values = _text(
        {"title": title, "description": description}, {"title": 200, "description": 5000}
    )
    clash = DevelopmentGoal.objects.filter(
        school=school, school_year=school_year, title=values["title"]
    )
    if goal is not None:
        clash = clash.exclude(pk=goal.pk)
    if clash.exists():
        raise ValidationError({"title": _("This goal is there already.")})
    if goal is None:
        goal = DevelopmentGoal.objects.create(school=school, school_year=school_year, **values)
        audit.record(actor, "goal.create", goal, school=school)
    else:
        if goal.school_id != school.pk:
            raise PermissionDenied
        goal.school_year = school_year
        goal.title, goal.description = values["title"], values["description"]
        goal.save()
        audit.record(actor, "goal.update", goal, school=school)
    return goal


@transaction.atomic
def delete_goal(actor: Actor, goal: DevelopmentGoal) -> None:
    access.require_centre_staff(actor, goal.school)
    audit.record(actor, "goal.delete", goal, school=goal.school, details={"title": goal.title})
    goal.delete()


@transaction.atomic
def save_task(
    actor: Actor,
    school: School,
    *,
    school_year: str,
    title: str,
    description: str = "",
    responsible: User | None = None,
    goals: list[DevelopmentGoal] | None = None,
    task: TeamTask | None = None,
) -> TeamTask:
    """Say who on the team does what, and which development goals it serves."""
    access.require_centre_staff(actor, school)
    calendar.start_year(school_year)
    values = _text(
        {"title": title, "description": description}, {"title": 200, "description": 5000}
    )
    if responsible is not None and not access.is_centre_staff(responsible, school):
        raise ValidationError(
            {
                "responsible": _("%(name)s is not on the learning-centre team.")
                % {"name": responsible}
            }
        )
    goals = list(goals or [])
    if any(g.school_id != school.pk for g in goals):
        raise ValidationError({"goals": _("Choose goals of this school.")})
    if task is None:
        task = TeamTask.objects.create(
            school=school, school_year=school_year, responsible=responsible, **values
        )
        action = "task.create"
    else:
        if task.school_id != school.pk:
            raise PermissionDenied
        task.school_year, task.responsible = school_year, responsible
        task.title, task.description = values["title"], values["description"]
        task.save()
        action = "task.update"
    task.goals.set(goals)
    audit.record(actor, action, task, school=school)
    return task


@transaction.atomic
def delete_task(actor: Actor, task: TeamTask) -> None:
    access.require_centre_staff(actor, task.school)
    audit.record(actor, "task.delete", task, school=task.school, details={"title": task.title})
    task.delete()
