"""The coordination calendar: weeks × groups of one school, and the clashes of each week.

Each cell holds the group's plan entries and bookings that touch the week. Clashes are computed
over everything in a week (whatever the filters show), so a filter never hides one:

* two groups need the same title (a class set) or the same room or equipment in one week:
  from bookings' lines and from the resource lists of plan entries not yet reserved;
* more heavy-use classes in a week than the staff can serve (``PlanningSettings``).

``planning.selectors`` re-exports the public names, so callers read them from there.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext as _

from reol.bookings.models import Resource
from reol.bookings.selectors import UNUSABLE, bookings_between, lendable_types
from reol.catalog.models import Item
from reol.core import calendar
from reol.core.models import ClosedPeriod, School, User
from reol.patrons.models import Group, GroupMember

from .models import PlanEntry, PlanningSettings, ResourceLine

DEFAULT_CAPACITY = PlanningSettings._meta.get_field("heavy_use_capacity").default


def capacity(school: School) -> int:
    row = PlanningSettings.objects.filter(school=school).first()
    return row.heavy_use_capacity if row else int(DEFAULT_CAPACITY)


@dataclass
class Week:
    year: int
    number: int
    monday: dt.date
    holiday: str = ""

    @property
    def key(self) -> tuple[int, int]:
        return (self.year, self.number)

    @property
    def friday(self) -> dt.date:
        return self.monday + dt.timedelta(days=4)

    @property
    def sunday(self) -> dt.date:
        return self.monday + dt.timedelta(days=6)

    @property
    def anchor(self) -> str:
        return f"w{self.year}-{self.number:02d}"

    def touches(self, thing: Any) -> bool:
        """Whether a plan entry or booking (anything with ``starts``/``ends``) is in this week."""
        return bool(thing.starts <= self.sunday and thing.ends >= self.monday)


Key = tuple[str, int]  # ("material", record id) or ("room", resource id)


@dataclass
class Clash:
    kind: str  # "material", "room" or "capacity"
    message: str
    group_ids: set[int] = field(default_factory=set)


@dataclass
class Cell:
    group: Group
    entries: list[PlanEntry] = field(default_factory=list)
    bookings: list[Any] = field(default_factory=list)
    clash: bool = False

    @property
    def heavy(self) -> bool:
        return any(e.heavy_use for e in self.entries)

    @property
    def empty(self) -> bool:
        return not self.entries and not self.bookings


@dataclass
class Row:
    week: Week
    cells: list[Cell]
    other_bookings: list[Any]  # bookings of no group shown
    heavy: int
    clashes: list[Clash]

    @property
    def over_capacity(self) -> bool:
        return any(c.kind == "capacity" for c in self.clashes)

    @property
    def busy(self) -> bool:
        return bool(self.other_bookings) or any(not c.empty for c in self.cells)


@dataclass
class CoordinationCalendar:
    school: School
    starts: dt.date
    ends: dt.date
    groups: list[Group]
    rows: list[Row]
    capacity: int

    @property
    def clash_count(self) -> int:
        return sum(len(r.clashes) for r in self.rows)


def _weeks(school: School, starts: dt.date, ends: dt.date) -> list[Week]:
    """The weeks from the one holding ``starts`` to the one holding ``ends``, holidays marked."""
    first = starts - dt.timedelta(days=starts.weekday())
    week_list = [
        Week(*calendar.week_of(day), day)
        for day in (first + dt.timedelta(weeks=n) for n in range(((ends - first).days // 7) + 1))
    ]
    _holidays(school, week_list)
    return week_list


def _holidays(school: School, week_list: list[Week]) -> None:
    if not week_list:
        return
    periods = list(
        ClosedPeriod.objects.filter(
            school=school, starts__lte=week_list[-1].friday, ends__gte=week_list[0].monday
        )
    )
    for week in week_list:
        for period in periods:
            if period.starts <= week.monday and period.ends >= week.friday:
                week.holiday = period.name
                break


def _entries_between(school: School, first: dt.date, last: dt.date) -> list[PlanEntry]:
    """Every plan entry of the school touching ``first``–``last``, with its resource lines."""
    return list(
        PlanEntry.objects.filter(school=school, starts__lte=last, ends__gte=first)
        .select_related("group")
        .prefetch_related(
            Prefetch("resources__lines", queryset=ResourceLine.objects.select_related("record"))
        )
        .order_by("starts", "id")
    )


def _needs(booking: Any) -> list[tuple[str, int, str, int]]:
    """What a booking needs: ("material", record id, title, copies) or ("room", id, name, n)."""
    found = []
    for line in booking.lines.all():
        if line.resource_id is not None:
            found.append(("room", line.resource_id, line.resource.name, line.quantity))
        elif line.record_id is not None:
            found.append(("material", line.record_id, line.record.title, line.quantity))
        elif line.item_id is not None:
            found.append(("material", line.item.record_id, line.item.record.title, 1))
    return found


def _owned(school: School, bookings: list[Any], entries: list[PlanEntry]) -> dict[Key, int]:
    """How many copies of each title (units of each room or equipment) the school has."""
    records: set[int] = set()
    rooms: set[int] = set()
    for booking in bookings:
        for kind, pk, _title, _n in _needs(booking):
            (rooms if kind == "room" else records).add(pk)
    for entry in entries:
        if _has_resources(entry):
            records.update(line.record_id for line in entry.resources.lines.all())
    counts = (
        Item.objects.filter(
            record_id__in=records, school=school, circulation_type__in=lendable_types(school)
        )
        .exclude(status__in=UNUSABLE)
        .values("record_id")
        .annotate(n=Count("id"))
    )
    owned: dict[Key, int] = {("material", row["record_id"]): row["n"] for row in counts}
    for pk, units in Resource.objects.filter(pk__in=rooms).values_list("pk", "units"):
        owned[("room", pk)] = units
    return owned


@dataclass
class _Wants:
    """What one week asks for, per title or room: who wants it, how many, and its name.

    ``holders`` maps a key to {who: label}, where "who" is ``g<group id>`` or, for a booking of
    no group, ``b<booking id>``; ``group_of`` maps each "who" back to its group (or None).
    """

    holders: dict[Key, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    wanted: dict[Key, int] = field(default_factory=lambda: defaultdict(int))
    titles: dict[Key, str] = field(default_factory=dict)
    group_of: dict[str, int | None] = field(default_factory=dict)

    def add(self, key: Key, who: str, label: str, quantity: int, title: str) -> None:
        self.holders[key][who] = label
        self.wanted[key] += quantity
        self.titles[key] = title


def _wants(bookings: list[Any], entries: list[PlanEntry], names: dict[int, str]) -> _Wants:
    """Booked lines and plan lines not yet reserved, gathered per title or room."""
    wants = _Wants()
    for booking in bookings:
        who = f"g{booking.group_id}" if booking.group_id else f"b{booking.pk}"
        wants.group_of[who] = booking.group_id
        label = names.get(booking.group_id or 0) or str(booking.teacher or booking)
        for kind, pk, title, quantity in _needs(booking):
            wants.add((kind, pk), who, label, quantity, title)
    for entry in entries:
        if not _has_resources(entry):
            continue
        who = f"g{entry.group_id}"
        wants.group_of[who] = entry.group_id
        for line in entry.resources.lines.all():
            if line.booking_id is None:
                key = ("material", line.record_id)
                wants.add(key, who, entry.group.name, line.quantity, line.record.title)
    return wants


def _clashes(
    bookings: list[Any], entries: list[PlanEntry], names: dict[int, str], owned: dict[Key, int]
) -> list[Clash]:
    """Clashes of one week: a title or room wanted by several groups *and* more copies (units)
    wanted than the school has. Booked lines and plan lines not yet reserved both count."""
    wants = _wants(bookings, entries, names)
    clashes: list[Clash] = []
    for key, holders in wants.holders.items():
        have = owned.get(key, 0)
        if len(holders) < 2 or wants.wanted[key] <= have:
            continue
        if key[0] == "room":
            message = _("%(groups)s need %(n)s × %(thing)s this week; there are %(have)s.")
        else:
            message = _(
                "%(groups)s need %(n)s copies of “%(thing)s” this week; the school has %(have)s."
            )
        values = {
            "groups": ", ".join(sorted(holders.values())),
            "thing": wants.titles[key],
            "n": wants.wanted[key],
            "have": have,
        }
        group_ids = {gid for who in holders if (gid := wants.group_of.get(who))}
        clashes.append(Clash(key[0], message % values, group_ids))
    return clashes


def _capacity_clash(heavy_groups: set[int], cap: int) -> Clash:
    return Clash(
        "capacity",
        _("%(n)s heavy-use classes this week; the staff can serve %(cap)s.")
        % {"n": len(heavy_groups), "cap": cap},
        heavy_groups,
    )


def _shown_groups(
    school: School,
    years: set[str],
    grade: int | None,
    staff: User | None,
    entries: list[PlanEntry],
    bookings: list[Any],
) -> list[Group]:
    """The active groups of the school years shown, narrowed to a grade or to what one member of
    staff teaches, planned or booked."""
    shown = Group.objects.filter(school=school, active=True).filter(school_year__in=years)
    if grade is not None:
        shown = shown.filter(grade=grade)
    if staff is not None:
        taught = GroupMember.objects.filter(
            role=GroupMember.Role.TEACHER, patron__user=staff
        ).values("group_id")
        shown = shown.filter(
            Q(pk__in=taught)
            | Q(pk__in=[e.group_id for e in entries if e.created_by_id == staff.pk])
            | Q(pk__in=[b.group_id for b in bookings if b.teacher_id == staff.pk])
        )
    return list(shown.order_by("grade", "name"))


@dataclass
class _Filter:
    """What the calendar's filters let through; clashes are counted before it applies."""

    group_ids: set[int]
    subject: str  # casefolded; "" shows every subject (and hides no booking)
    grade: int | None
    staff: User | None

    def entry_shown(self, entry: PlanEntry) -> bool:
        return entry.group_id in self.group_ids and (
            not self.subject or self.subject in entry.subject.casefold()
        )

    def booking_shown(self, booking: Any) -> bool:
        if self.subject:
            return False
        if self.staff is not None and booking.group_id not in self.group_ids:
            return booking.teacher_id == self.staff.pk
        return booking.group_id is None or booking.group_id in self.group_ids or self.grade is None


def _group_names(
    groups: list[Group], entries: list[PlanEntry], bookings: list[Any]
) -> dict[int, str]:
    """Names of the groups shown and of every group planned or booked (for clash messages)."""
    names = {g.pk: g.name for g in groups}
    for entry in entries:
        names.setdefault(entry.group_id, entry.group.name)
    for booking in bookings:
        if booking.group is not None:
            names.setdefault(booking.group.pk, booking.group.name)
    return names


@dataclass
class _Context:
    """What every week's row is built from: the range's plans and bookings, and the filter."""

    groups: list[Group]
    shown: _Filter
    entries: list[PlanEntry]
    bookings: list[Any]
    names: dict[int, str]
    owned: dict[Key, int]
    capacity: int


def _row(week: Week, ctx: _Context) -> Row:
    """One week: its clashes (over everything), then the cells of what the filters show."""
    w_entries = [e for e in ctx.entries if week.touches(e)]
    w_bookings = [b for b in ctx.bookings if week.touches(b)]
    clashes = [] if week.holiday else _clashes(w_bookings, w_entries, ctx.names, ctx.owned)
    heavy_groups = {e.group_id for e in w_entries if e.heavy_use}
    if len(heavy_groups) > ctx.capacity:
        clashes.append(_capacity_clash(heavy_groups, ctx.capacity))
    clashing = set().union(*(c.group_ids for c in clashes)) if clashes else set()
    shown = ctx.shown
    cells = [
        Cell(
            group,
            [e for e in w_entries if e.group_id == group.pk and shown.entry_shown(e)],
            [b for b in w_bookings if b.group_id == group.pk and shown.booking_shown(b)],
            clash=group.pk in clashing,
        )
        for group in ctx.groups
    ]
    others = [
        b
        for b in w_bookings
        if (b.group_id is None or b.group_id not in shown.group_ids) and shown.booking_shown(b)
    ]
    return Row(week, cells, others, len(heavy_groups), clashes)


def coordination(
    school: School,
    starts: dt.date,
    ends: dt.date,
    *,
    school_year: str | None = None,
    grade: int | None = None,
    subject: str = "",
    staff: User | None = None,
) -> CoordinationCalendar:
    """The weeks ``starts``–``ends`` × the school's groups, with clashes (see the module)."""
    week_list = _weeks(school, starts, ends)
    first = starts - dt.timedelta(days=starts.weekday())
    range_end = week_list[-1].sunday if week_list else ends
    years = (
        {school_year}
        if school_year
        else {calendar.year_name_of(starts), calendar.year_name_of(ends)}
    )
    all_entries = _entries_between(school, first, range_end)
    all_bookings = list(bookings_between(school, first, range_end))
    groups = _shown_groups(school, years, grade, staff, all_entries, all_bookings)
    shown = _Filter({g.pk for g in groups}, subject.strip().casefold(), grade, staff)
    cap = capacity(school)
    ctx = _Context(
        groups,
        shown,
        all_entries,
        all_bookings,
        _group_names(groups, all_entries, all_bookings),
        _owned(school, all_bookings, all_entries),
        cap,
    )
    rows = [_row(week, ctx) for week in week_list]
    return CoordinationCalendar(school, first, range_end, groups, rows, cap)


def _has_resources(entry: PlanEntry) -> bool:
    try:
        entry.resources  # noqa: B018 - a reverse one-to-one raises when there is none
    except PlanEntry.resources.RelatedObjectDoesNotExist:
        return False
    return True


def heavy_use_between(school: School, starts: dt.date, ends: dt.date) -> list[PlanEntry]:
    return list(
        PlanEntry.objects.filter(school=school, heavy_use=True, starts__lte=ends, ends__gte=starts)
        .select_related("group")
        .order_by("group__grade", "group__name", "starts")
    )
