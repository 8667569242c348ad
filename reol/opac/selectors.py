"""Reads of the public catalogue: where the visitor is, new arrivals, reading lists.

The search itself is ``reol.catalog.search``; copies come from ``catalog.selectors``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet
from django.http import HttpRequest

from reol.catalog.lists.models import ReadingList, ReadingListEntry
from reol.catalog.models import ItemStatus, Record
from reol.catalog.selectors import GONE, public_municipality
from reol.core.models import Municipality, School, User
from reol.core.permissions import Actor, Perm, schools_with

SESSION_SCHOOL = "opac_school"  # the school an anonymous visitor chose, by primary key


@dataclass
class Place:
    """Where a visitor searches: a municipality, and "my school" when we know it."""

    municipality: Municipality
    school: School | None


def place(request: HttpRequest) -> Place | None:
    """The signed-in person's active school; else the school the visitor picked; else the
    installation's public municipality (None when there are several and nobody chose)."""
    user = request.user
    if isinstance(user, User):
        school: School | None = getattr(request, "school", None)
        if school:
            return Place(school.municipality, school)
    chosen = request.session.get(SESSION_SCHOOL)
    if isinstance(chosen, int):
        found = School.objects.select_related("municipality").filter(pk=chosen).first()
        if found is not None:
            return Place(found.municipality, found)
    municipality = public_municipality(None)
    return Place(municipality, None) if municipality else None


def public_schools() -> QuerySet[School]:
    return School.objects.select_related("municipality").order_by("municipality__name", "name")


def new_arrivals(school: School, limit: int = 12) -> list[Record]:
    """The titles whose newest copy at ``school`` arrived most recently."""
    return list(
        # One filter() call, so the annotation runs over the same join: this school's copies.
        Record.objects.filter(
            items__school=school,
            items__status__in=[s for s in ItemStatus.values if s not in GONE],
            merged_into__isnull=True,
        )
        .annotate(arrived=Max("items__created_at"))
        .order_by("-arrived", "-id")[:limit]
    )


def reading_lists(municipality: Municipality, school: School | None) -> QuerySet[ReadingList]:
    """Published lists for the whole municipality, and for ``school`` when there is one."""
    where = Q(school__isnull=True)
    if school is not None:
        where |= Q(school=school)
    return (
        ReadingList.objects.filter(where, municipality=municipality, published=True)
        .select_related("school")
        .order_by("school_id", "title", "id")
    )


def reading_list_entries(reading_list: ReadingList) -> QuerySet[ReadingListEntry]:
    return reading_list.entries.select_related("record").order_by("position", "id")


def editable_lists(actor: Actor) -> QuerySet[ReadingList]:
    """Lists this person may edit: their schools' lists and their municipalities' shared ones."""
    schools = schools_with(actor, Perm.CATALOG_EDIT)
    return (
        ReadingList.objects.filter(
            Q(school__in=schools)
            | Q(school__isnull=True, municipality__in=schools.values("municipality"))
        )
        .select_related("school", "municipality")
        .annotate(size=Count("entries"))
        .order_by("municipality__name", "school__name", "title", "id")
    )
