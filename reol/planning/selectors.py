"""Reads of planning worth a name: plans, collaborations, feeds, and (from ``coordination``)
the coordination calendar and its clashes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet

from reol.acquisitions.models import Suggestion
from reol.core.models import School, SchoolYear, User
from reol.core.permissions import Perm, scope
from reol.patrons.models import Group, GroupMember

# Re-exported: views, reports and the API read the coordination calendar from selectors.
from .coordination import _has_resources as _has_resources
from .coordination import capacity as capacity
from .coordination import coordination as coordination
from .coordination import heavy_use_between as heavy_use_between
from .models import CalendarFeed, Collaboration, PlanEntry, ResourceLine


def school_years(school: School) -> list[str]:
    names = set(SchoolYear.objects.filter(school=school).values_list("name", flat=True))
    names |= set(Group.objects.filter(school=school).values_list("school_year", flat=True))
    return sorted(names)


def plan_entries(actor: Any) -> QuerySet[PlanEntry]:
    """Every plan entry ``actor`` may see (at the schools where they plan)."""
    return scope(
        PlanEntry.objects.select_related("group", "school", "created_by"), actor, Perm.PLANNING
    )


def group_plan(group: Group) -> QuerySet[PlanEntry]:
    return (
        PlanEntry.objects.filter(group=group)
        .select_related("created_by")
        .prefetch_related(
            Prefetch(
                "resources__lines",
                queryset=ResourceLine.objects.select_related("record", "booking"),
            )
        )
        .order_by("starts", "id")
    )


def material_requests(entry: PlanEntry) -> QuerySet[Suggestion]:
    """What the teachers asked the library to buy for this topic, with its state."""
    return Suggestion.objects.filter(school=entry.school, plan_entry_id=entry.pk).select_related(
        "suggester"
    )


def group_teachers(group: Group) -> list[User]:
    return [
        m.patron.user
        for m in GroupMember.objects.filter(group=group, role=GroupMember.Role.TEACHER)
        .select_related("patron__user")
        .order_by("patron__user__last_name", "patron__user__first_name")
    ]


def staff_members(school: School) -> list[User]:
    """The teachers of the school's groups, for the calendar's staff filter."""
    return list(
        User.objects.filter(
            patrons__school=school,
            patrons__memberships__role=GroupMember.Role.TEACHER,
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


# --- Collaborations ---------------------------------------------------------------------------


def collaborations(school: School, school_year: str | None = None) -> QuerySet[Collaboration]:
    queryset = Collaboration.objects.filter(school=school)
    if school_year:
        queryset = queryset.filter(school_year=school_year)
    return queryset.select_related("group").prefetch_related("teachers", "rooms")


@dataclass
class YearSummary:
    school_year: str
    courses: int
    guidance: int
    grades: list[tuple[int | None, int]]  # (grade, how many) sorted
    subjects: list[tuple[str, int]]


def collaboration_summary(school: School, school_year: str) -> YearSummary:
    rows = list(
        Collaboration.objects.filter(school=school, school_year=school_year)
        .select_related("group")
        .only("kind", "subject", "group__grade")
    )
    grades: dict[int | None, int] = defaultdict(int)
    subjects: dict[str, int] = defaultdict(int)
    for row in rows:
        grades[row.group.grade if row.group else None] += 1
        subjects[row.subject or ""] += 1
    return YearSummary(
        school_year,
        courses=sum(1 for r in rows if r.kind == Collaboration.Kind.COURSE),
        guidance=sum(1 for r in rows if r.kind == Collaboration.Kind.GUIDANCE),
        grades=sorted(grades.items(), key=lambda g: (g[0] is None, g[0] or 0)),
        subjects=sorted(subjects.items(), key=lambda s: (s[0] == "", s[0].casefold())),
    )


# --- Feeds ------------------------------------------------------------------------------------


def my_feeds(user: User) -> QuerySet[CalendarFeed]:
    return CalendarFeed.objects.filter(user=user).select_related("school", "resource")


def live_feed(token: str) -> CalendarFeed | None:
    """The feed behind a secret address, if it is not revoked and its owner may still see it."""
    from reol.core.permissions import has_perm

    if not token or len(token) > 64:
        return None
    feed = (
        CalendarFeed.objects.filter(token=token, revoked_at__isnull=True)
        .select_related("user", "school", "resource")
        .first()
    )
    if feed is None or not feed.user.is_active:
        return None
    perm = Perm.PLANNING if feed.kind == CalendarFeed.Kind.COORDINATION else Perm.BOOKING
    if not has_perm(feed.user, perm, feed.school):
        return None
    return feed
