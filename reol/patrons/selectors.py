"""Reads of the patrons app that other apps (circulation above all) ask by name.

None of these checks permissions: they answer questions about a person at a school for code
that has already decided the asker may know. Pages and the API narrow with
``core.permissions.scope`` before they call anything here that lists people.

A person without a ``Patron`` row at a school (someone added on core's people page only) has no
grade, no blocks, no groups and never expires: the library knows nothing more about them.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from reol.core.models import School, User
from reol.core.selectors import search_people

from .models import Block, Group, GroupMember, Patron, PatronCategory, PrivacySettings


def patron_of(user: User | None, school: School) -> Patron | None:
    """The person's patron record at ``school``, if the library has one."""
    if user is None or user.pk is None:
        return None
    # One row at most (unique per person and school): no ORDER BY, which ``first()`` would take
    # from the model's ordering and pay for with joins to the school and the person.
    return next(iter(Patron.objects.filter(user=user, school=school).order_by()[:1]), None)


def grade_of(user: User | None, school: School) -> int | None:
    """The student's grade at ``school`` (0–13), or None when unknown."""
    patron = patron_of(user, school)
    return patron.grade if patron is not None else None


def open_blocks(user: User | None, school: School) -> QuerySet[Block]:
    """The blocks not yet lifted, newest first."""
    return Block.objects.filter(
        patron__user=user, patron__school=school, lifted_at__isnull=True
    ).order_by("-created_at")


def is_expired(user: User | None, school: School, today: dt.date) -> bool:
    """True when the patron's card was valid until a day before ``today``."""
    patron = patron_of(user, school)
    return bool(patron and patron.valid_until and patron.valid_until < today)


def groups_taught_by(user: User | None, school: School) -> QuerySet[Group]:
    """The active groups at ``school`` where the person is one of the teachers."""
    return Group.objects.filter(
        school=school,
        active=True,
        members__patron__user=user,
        members__role=GroupMember.Role.TEACHER,
    ).distinct()


def groups_of(user: User | None, school: School) -> QuerySet[Group]:
    """The active groups the person is in as a student."""
    return Group.objects.filter(
        school=school,
        active=True,
        members__patron__user=user,
        members__role=GroupMember.Role.STUDENT,
    ).distinct()


def guardian_emails(user: User | None, school: School) -> list[str]:
    patron = patron_of(user, school)
    return patron.guardians if patron is not None else []


def preferred_language(user: User | None, school: School) -> str:
    """The language to write to the patron (or guardians) in: theirs, else the school's."""
    patron = patron_of(user, school)
    if patron is not None and patron.preferred_language:
        return patron.preferred_language
    if user is not None and user.preferred_language:
        return user.preferred_language
    return school.default_language


def guardian_language(user: User | None, school: School) -> str:
    """The language to write to a patron's guardians in: the guardians' own when the school
    knows it (a Norwegian family at a Danish school), else the patron's (``preferred_language``)."""
    patron = patron_of(user, school)
    if patron is not None and patron.guardian_language:
        return patron.guardian_language
    return preferred_language(user, school)


def borrowing_refusal(user: User, school: School, today: dt.date) -> str | None:
    """Why the person may not borrow at ``school`` now, as a sentence for the desk; or None."""
    patron = patron_of(user, school)
    if patron is None:
        return None
    if not patron.active:
        return _("%(name)s may not borrow: no longer a patron at %(school)s.") % {
            "name": user,
            "school": school.name,
        }
    block = open_blocks(user, school).first()
    if block is not None:
        reason = block.get_reason_display()
        if block.note:
            return _("%(name)s may not borrow: blocked (%(reason)s: %(note)s).") % {
                "name": user,
                "reason": reason,
                "note": block.note,
            }
        return _("%(name)s may not borrow: blocked (%(reason)s).") % {
            "name": user,
            "reason": reason,
        }
    if patron.valid_until and patron.valid_until < today:
        return _("%(name)s may not borrow: the card expired on %(date)s.") % {
            "name": user,
            "date": date_format(patron.valid_until, "SHORT_DATE_FORMAT"),
        }
    return None


def keeps_history(user: User | None, school: School) -> bool:
    """A student's returned loans keep their name only when the school and the student agree."""
    if not school.keep_loan_history:
        return False
    patron = patron_of(user, school)
    return bool(patron and patron.keeps_loan_history)


def privacy_of(school: School) -> PrivacySettings:
    """The school's privacy periods (the defaults, unsaved, when it has set none)."""
    found = PrivacySettings.objects.filter(school=school).first()
    return found or PrivacySettings(school=school)


def patrons_at(
    school: School,
    *,
    query: str = "",
    category: str = "",
    group: Group | None = None,
    active: bool | None = True,
) -> QuerySet[Patron]:
    """The school's patrons matching a search and filters, with what the list shows."""
    patrons = Patron.objects.filter(school=school).select_related("user")
    if active is not None:
        patrons = patrons.filter(active=active)
    if category in PatronCategory.values:
        patrons = patrons.filter(category=category)
    if group is not None:
        patrons = patrons.filter(memberships__group=group)
    patrons = search_people(patrons, query, via="user__")
    return patrons.prefetch_related(
        Prefetch(
            "memberships",
            queryset=GroupMember.objects.filter(group__active=True).select_related("group"),
        )
    ).order_by("user__last_name", "user__first_name", "user__username")


def groups_at(school: School, *, active: bool | None = True) -> QuerySet[Group]:
    groups = Group.objects.filter(school=school)
    if active is not None:
        groups = groups.filter(active=active)
    return groups.annotate(
        students=Count("members", filter=Q(members__role=GroupMember.Role.STUDENT)),
        teachers=Count("members", filter=Q(members__role=GroupMember.Role.TEACHER)),
    ).order_by("grade", "name")


def members_of(group: Group, role: str | None = None) -> QuerySet[GroupMember]:
    members = GroupMember.objects.filter(group=group).select_related("patron__user")
    if role:
        members = members.filter(role=role)
    return members.order_by("patron__user__last_name", "patron__user__first_name")


def people_by_roster_id(schools: QuerySet[School], source_id: str) -> QuerySet[User]:
    """The active people whose patron row at one of ``schools`` has this roster source id
    (what a sign-in provider matching on the roster id asks, through ``accounts.matching``)."""
    rows = Patron.objects.filter(school__in=schools, source_id=source_id, active=True)
    return User.objects.filter(is_active=True, pk__in=rows.values("user_id"))
