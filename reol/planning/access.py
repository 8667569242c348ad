"""Who may plan what: the one place this app decides it, on top of ``core.permissions``.

Everyone with ``Perm.PLANNING`` at a school sees its plans and coordination calendar. A teacher
edits the plans of the groups they teach (``GroupMember`` with the teacher role); the
learning-centre staff (those who also catalogue there, ``Perm.CATALOG_EDIT``: librarians and
administrators) edit every group's plan, mark heavy-use periods, and keep the team's tasks.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from reol.core.models import Role, School, User
from reol.core.permissions import ROLE_PERMS, Actor, Perm, has_perm, require, scope
from reol.patrons.models import Group, GroupMember

CENTRE_STAFF_PERM = Perm.CATALOG_EDIT


def is_centre_staff(actor: object, school: School) -> bool:
    """Learning-centre staff at ``school``: they plan for every group there."""
    return has_perm(actor, Perm.PLANNING, school) and has_perm(actor, CENTRE_STAFF_PERM, school)  # type: ignore[arg-type]


def require_centre_staff(actor: Actor, school: School) -> None:
    require(actor, Perm.PLANNING, school)
    if not is_centre_staff(actor, school):
        raise PermissionDenied(_("Only the learning-centre staff may do this."))


def teaches(actor: object, group: Group) -> bool:
    if not isinstance(actor, User):
        return False
    return GroupMember.objects.filter(
        group=group, role=GroupMember.Role.TEACHER, patron__user=actor
    ).exists()


def may_edit_plan(actor: object, group: Group) -> bool:
    if not has_perm(actor, Perm.PLANNING, group.school):  # type: ignore[arg-type]
        return False
    return is_centre_staff(actor, group.school) or teaches(actor, group)


def require_plan_editor(actor: Actor, group: Group) -> None:
    """Raise unless ``actor`` may edit ``group``'s annual plan."""
    require(actor, Perm.PLANNING, group.school)
    if not may_edit_plan(actor, group):
        raise PermissionDenied(
            _("You may edit the plans of the groups you teach; %(group)s is not one of them.")
            % {"group": group.name}
        )


def visible_groups(actor: object) -> QuerySet[Group]:
    """Groups whose plans ``actor`` may see (every group at the schools where they plan)."""
    return scope(Group.objects.all(), actor, Perm.PLANNING)  # type: ignore[arg-type]


def groups_taught(actor: object, school: School) -> QuerySet[Group]:
    if not isinstance(actor, User):
        return Group.objects.none()
    return Group.objects.filter(
        school=school,
        members__role=GroupMember.Role.TEACHER,
        members__patron__user=actor,
    ).distinct()


def teachers_at(school: School) -> QuerySet[User]:
    """The school's active teachers (by their role there): whom a resource list is shared with."""
    return (
        User.objects.filter(
            is_active=True, memberships__school=school, memberships__role=Role.TEACHER
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def people_with(school: School, *perms: Perm) -> QuerySet[User]:
    """Active people whose role at ``school`` gives them every one of ``perms``.

    Read from ``core.permissions.ROLE_PERMS`` (as ``schools_with`` does), so one query finds
    the school's planners or its learning-centre staff without asking person by person.
    """
    roles = [role for role, granted in ROLE_PERMS.items() if set(perms) <= granted]
    return (
        User.objects.filter(is_active=True, memberships__school=school, memberships__role__in=roles)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )
