"""Reads of the public catalogue: where the visitor is, new arrivals, reading lists.

The search itself is ``reol.catalog.search``; copies come from ``catalog.selectors``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet
from django.http import HttpRequest

from reol.catalog.lists.models import ReadingList, ReadingListEntry
from reol.catalog.models import Item, ItemStatus, Record
from reol.catalog.search import series_parts
from reol.catalog.search.labels import full_title
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


# --- A series: the books before and after this one ------------------------------------------


@dataclass
class SeriesBook:
    record_id: int
    title: str
    number: str  # as catalogued ("3"), or "" when the series is not numbered
    on_shelf: bool  # a copy on the shelf at the visitor's school (at any school without one)


@dataclass
class SeriesPlace:
    name: str
    previous: SeriesBook | None
    next: SeriesBook | None


def _series_key(record: Record) -> tuple[float, int, str, int]:
    """A series in reading order: by number when the catalogue gives one, else by year."""
    number = series_parts(record.series)[1]
    try:
        position = float(number.replace(",", "."))
    except ValueError:
        position = float("inf")
    return (position, record.year or 9999, record.title.lower(), record.pk)


def series_place(record: Record, where: Place) -> SeriesPlace | None:
    """The books just before and after ``record`` in its series, in its language.

    Editions and formats of one volume (the book, the audiobook, the film of "number 1") are
    one step: the neighbours are the next *volume*, each shown in ``record``'s material type
    when there is one, and on the shelf when any copy of it is.
    """
    name = series_parts(record.series)[0]
    if not name:
        return None
    members = list(
        Record.objects.filter(municipality=where.municipality, merged_into__isnull=True)
        .filter(Q(series=name) | Q(series__startswith=f"{name} ;"))
        .only("id", "title", "subtitle", "series", "year", "languages", "material_type")
    )
    language = (record.languages or [None])[0]
    if language:
        members = [m for m in members if not m.languages or language in m.languages]
    steps: dict[str, list[Record]] = {}
    for member in sorted(members, key=_series_key):
        number = series_parts(member.series)[1]
        steps.setdefault(number or member.title.strip().lower(), []).append(member)
    volumes = list(steps.values())
    here = next((i for i, v in enumerate(volumes) if any(m.pk == record.pk for m in v)), None)
    if here is None or len(volumes) < 2:
        return None
    shelved = _on_shelf([m.pk for v in volumes for m in v], where.school)

    def book(i: int) -> SeriesBook | None:
        if not 0 <= i < len(volumes):
            return None
        volume = volumes[i]
        same = [m for m in volume if m.material_type == record.material_type] or volume
        shown = next((m for m in same if m.pk in shelved), same[0])
        number = series_parts(shown.series)[1]
        return SeriesBook(
            shown.pk, full_title(shown.title, shown.subtitle), number, shown.pk in shelved
        )

    return SeriesPlace(name, book(here - 1), book(here + 1))


def _on_shelf(record_ids: list[int], school: School | None) -> set[int]:
    copies = Item.objects.filter(record_id__in=record_ids, status=ItemStatus.AVAILABLE)
    if school is not None:
        copies = copies.filter(school=school)
    return set(copies.values_list("record_id", flat=True))
