"""A course in a learning platform becomes (or refreshes) a Reol teaching group: the roster
comes through LTI Names and Role Provisioning (``accounts.lti_services.course_people``, matched
as launches are), the group and its members are written through patrons' services, so the
rule for groups stays one: whoever may manage a school's people (``PEOPLE_MANAGE``) may do it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from reol.accounts import lti, lti_services
from reol.core import calendar
from reol.core.models import School
from reol.core.permissions import Actor, Perm, require
from reol.patrons import services as patrons
from reol.patrons.models import Group, GroupMember, Patron


@dataclass
class CourseGroup:
    group: Group
    members: int
    removed: int
    unknown: int


def source_id(launch: lti.Launch) -> str:
    return f"lti:{launch.platform.pk}:{launch.context.get('id', '')}"[:128]


def refresh_course_group(actor: Actor, school: School, launch: lti.Launch) -> CourseGroup:
    """Make the course's teaching group at ``school`` (a team), or bring its members up to
    date: the course's students and teachers that Reol knows there; those who left go."""
    require(actor, Perm.PEOPLE_MANAGE, school)
    people, unknown = lti_services.course_people(launch)  # HTTP: outside the transaction
    with transaction.atomic():
        key = source_id(launch)
        group = Group.objects.filter(school=school, source_id=key).first()
        if group is None:
            group = patrons.create_group(
                actor,
                school,
                name=str(launch.context.get("title") or launch.context.get("id"))[:64],
                school_year=calendar.current_school_year(school, timezone.localdate()),
                kind=Group.Kind.TEAM,
                source_id=key,
            )
        rows = Patron.objects.filter(school=school, user__in=[p for p, _t in people])
        patron_of = {row.user_id: row for row in rows}
        wanted = set()
        for person, teaches in people:
            patron = patron_of.get(person.pk)
            if patron is None:
                unknown += 1
                continue
            wanted.add(patron.pk)
            role = GroupMember.Role.TEACHER if teaches else GroupMember.Role.STUDENT
            patrons.add_member(actor, group, patron, role=role)
        leaving = group.members.exclude(patron_id__in=wanted).select_related("patron__user")
        removed = sum(patrons.remove_member(actor, group, m.patron) for m in leaving)
    return CourseGroup(group, len(wanted), removed, unknown)
