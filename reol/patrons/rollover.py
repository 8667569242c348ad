"""The year-end rollover, in the order the guided page walks through it.

1. ``plan``: the groups of the current school year, what each becomes (5.B → 6.B) and which
   leave (the top grade by default, or the groups chosen).
2. ``leavers_loans``: the leavers' outstanding loans per class, to print and chase *before*
   anything is removed.
3. ``deactivate_leavers``: the leaving groups and their students become inactive (``left_on``
   is today); nothing is erased, loans stay with them.
4. ``promote_groups``: every other graded group of the year moves up (name, grade, school year)
   and its students' grade follows. Run twice, the second run finds nothing to move.
5. ``erase_leavers``: leavers whose ``left_on`` is older than the school's retention period are
   erased (``privacy.erase_patron``); one with loans still out is skipped and reported unless the
   librarian chose to mark such loans lost.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reol.core import audit, calendar
from reol.core.models import School
from reol.core.permissions import Actor, Perm, require

from . import privacy, selectors
from .borrowing import borrowing
from .models import GRADE_MAX, Group, GroupMember, Patron, PatronCategory

_LEADING_GRADE = re.compile(r"^(\d+)(.*)$")


def next_name(group: Group) -> str:
    """5.B → 6.B, 0A → 1A; a name not starting with its grade stays as it is."""
    match = _LEADING_GRADE.match(group.name)
    if group.grade is None or match is None or int(match.group(1)) != group.grade:
        return group.name
    return f"{group.grade + 1}{match.group(2)}"


@dataclass
class Step:
    group: Group
    becomes: str = ""
    leaves: bool = False
    students: int = 0


@dataclass
class Plan:
    school_year: str
    next_year: str
    steps: list[Step] = field(default_factory=list)

    @property
    def leaving(self) -> list[Group]:
        return [s.group for s in self.steps if s.leaves]


def plan(school: School, *, leaving: list[int] | None = None, today: dt.date | None = None) -> Plan:
    """What the rollover would do. ``leaving`` are group ids; default: the top grade's groups."""
    today = today or timezone.localdate()
    groups = list(selectors.groups_at(school).exclude(grade__isnull=True))
    year = max((g.school_year for g in groups), default=calendar.current_school_year(school, today))
    groups = [g for g in groups if g.school_year == year]
    if leaving is None:
        # The top grade of the year counts the groups already deactivated too, so that once the
        # leavers are gone the next grade down is not taken for leavers.
        top = (
            Group.objects.filter(school=school, school_year=year, grade__isnull=False)
            .order_by("-grade")
            .values_list("grade", flat=True)
            .first()
        )
        leaving = [g.pk for g in groups if top is not None and g.grade == top]
    result = Plan(school_year=year, next_year=calendar.next_year_name(year))
    for group in groups:
        leaves = group.pk in leaving or (group.grade or 0) >= GRADE_MAX
        result.steps.append(
            Step(
                group=group,
                becomes="" if leaves else next_name(group),
                leaves=leaves,
                students=getattr(group, "students", 0),
            )
        )
    return result


def leavers_loans(groups: list[Group]) -> list[tuple[Group, list[Any]]]:
    """Per leaving class, the loans its students still have at the school (to print)."""
    loans = borrowing()
    return [(group, list(loans.open_loans_of_group(group))) for group in groups]


def _require_groups_of(school: School, groups: list[Group]) -> None:
    if any(g.school_id != school.pk for g in groups):
        raise ValidationError(_("A group of another school was chosen."))


@transaction.atomic
def deactivate_leavers(
    actor: Actor, school: School, groups: list[Group], *, today: dt.date | None = None
) -> int:
    """The leaving groups and their students become inactive; returns the students affected."""
    require(actor, Perm.PEOPLE_MANAGE, school)
    _require_groups_of(school, groups)
    today = today or timezone.localdate()
    ids = [g.pk for g in groups]
    students = Patron.objects.filter(
        school=school,
        active=True,
        category=PatronCategory.STUDENT,
        memberships__group_id__in=ids,
        memberships__role=GroupMember.Role.STUDENT,
    ).distinct()
    count = Patron.objects.filter(pk__in=list(students.values_list("pk", flat=True))).update(
        active=False, left_on=today, updated_at=timezone.now()
    )
    Group.objects.filter(pk__in=ids).update(active=False)
    audit.record(
        actor,
        "rollover.deactivate",
        school,
        school=school,
        details={"groups": [g.name for g in groups], "students": count},
    )
    return count


@dataclass
class Promotion:
    moved: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (group, why)


@transaction.atomic
def promote_groups(actor: Actor, school: School, *, from_year: str, to_year: str) -> Promotion:
    """Move every active graded group of ``from_year`` up one grade into ``to_year``."""
    require(actor, Perm.PEOPLE_MANAGE, school)
    if not to_year.strip() or from_year == to_year:
        raise ValidationError(_("Give the new school year."))
    result = Promotion()
    groups = Group.objects.select_for_update().filter(
        school=school, school_year=from_year, active=True, grade__isnull=False
    )
    for group in groups.order_by("-grade", "name"):
        grade = group.grade if group.grade is not None else 0
        if grade >= GRADE_MAX:
            result.skipped.append((group.name, _("already in the last grade")))
            continue
        name = next_name(group)
        if Group.objects.filter(school=school, school_year=to_year, name=name).exists():
            result.skipped.append(
                (group.name, _("%(name)s exists in %(year)s") % {"name": name, "year": to_year})
            )
            continue
        old = group.name
        group.name, group.grade, group.school_year = name, grade + 1, to_year
        group.save(update_fields=["name", "grade", "school_year"])
        if group.kind == Group.Kind.CLASS:
            Patron.objects.filter(
                memberships__group=group,
                memberships__role=GroupMember.Role.STUDENT,
                category=PatronCategory.STUDENT,
            ).update(grade=grade + 1, updated_at=timezone.now())
        result.moved.append((old, name))
    audit.record(
        actor,
        "rollover.promote",
        school,
        school=school,
        details={
            "from": from_year,
            "to": to_year,
            "moved": result.moved,
            "skipped": result.skipped,
        },
    )
    return result


@dataclass
class LeaverErasure:
    erased: int = 0
    loans_marked_lost: int = 0
    kept_for_loans: list[str] = field(default_factory=list)


def leavers_due(school: School, today: dt.date) -> list[Patron]:
    """Inactive patrons whose retention period after leaving is over."""
    days = selectors.privacy_of(school).leaver_retention_days
    return list(
        Patron.objects.filter(
            school=school,
            active=False,
            left_on__isnull=False,
            left_on__lte=today - dt.timedelta(days=days),
        ).select_related("user", "school")
    )


@transaction.atomic
def erase_leavers(
    actor: Actor, school: School, *, mark_lost: bool = False, today: dt.date | None = None
) -> LeaverErasure:
    """Erase the leavers past the retention period; those with loans out wait, unless lost."""
    require(actor, Perm.PEOPLE_MANAGE, school)
    today = today or timezone.localdate()
    result = LeaverErasure()
    for patron in leavers_due(school, today):
        has_loans = privacy.outstanding_loans(patron.user, school).exists()
        if has_loans and not mark_lost:
            result.kept_for_loans.append(str(patron.user))
            continue
        done = privacy.erase_patron(actor, patron, mark_lost=mark_lost)
        result.erased += 1
        result.loans_marked_lost += done.loans_marked_lost
    audit.record(
        actor,
        "rollover.erase",
        school,
        school=school,
        details={
            "erased": result.erased,
            "loans_marked_lost": result.loans_marked_lost,
            "waiting_for_loans": len(result.kept_for_loans),
        },
    )
    return result
