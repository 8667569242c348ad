"""Reads of planning worth a name: the coordination calendar and its clashes, plans, feeds.

The coordination calendar is weeks × groups of one school: each cell holds the group's plan
entries and bookings that touch the week. Clashes are computed over everything in a week
(whatever the filters show), so a filter never hides one:

* two groups need the same title (a class set) or the same room or equipment in one week:
  from bookings' lines and from the resource lists of plan entries not yet reserved;
* more heavy-use classes in a week than the staff can serve (``PlanningSettings``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from reol.acquisitions.models import Suggestion
from reol.bookings.models import Resource
from reol.bookings.selectors import UNUSABLE, lendable_types
from reol.catalog.models import Item
from reol.core import calendar
from reol.core.models import ClosedPeriod, School, SchoolYear, User
from reol.core.permissions import Perm, scope
from reol.patrons.models import Group, GroupMember

from .models import (
    CalendarFeed,
    Collaboration,
    PlanEntry,
    PlanningSettings,
    ResourceLine,
)

DEFAULT_CAPACITY = PlanningSettings._meta.get_field("heavy_use_capacity").default


def capacity(school: School) -> int:
    row = PlanningSettings.objects.filter(school=school).first()
    return row.heavy_use_capacity if row else int(DEFAULT_CAPACITY)


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


# --- The coordination calendar ----------------------------------------------------------------


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


def _clashes(
    bookings: list[Any], entries: list[PlanEntry], names: dict[int, str], owned: dict[Key, int]
) -> list[Clash]:
    """Clashes of one week: a title or room wanted by several groups *and* more copies (units)
    wanted than the school has. Booked lines and plan lines not yet reserved both count."""
    needs: dict[Key, dict[str, str]] = defaultdict(dict)
    wanted: dict[Key, int] = defaultdict(int)
    titles: dict[Key, str] = {}
    group_of: dict[str, int | None] = {}
    for booking in bookings:
        who = f"g{booking.group_id}" if booking.group_id else f"b{booking.pk}"
        group_of[who] = booking.group_id
        label = names.get(booking.group_id or 0) or str(booking.teacher or booking)
        for kind, pk, title, quantity in _needs(booking):
            needs[(kind, pk)][who] = label
            wanted[(kind, pk)] += quantity
            titles[(kind, pk)] = title
    for entry in entries:
        if not _has_resources(entry):
            continue
        who = f"g{entry.group_id}"
        group_of[who] = entry.group_id
        for line in entry.resources.lines.all():
            if line.booking_id is None:
                needs[("material", line.record_id)][who] = entry.group.name
                wanted[("material", line.record_id)] += line.quantity
                titles[("material", line.record_id)] = line.record.title
    clashes: list[Clash] = []
    for key, holders in needs.items():
        have = owned.get(key, 0)
        if len(holders) < 2 or wanted[key] <= have:
            continue
        if key[0] == "room":
            message = _("%(groups)s need %(n)s × %(thing)s this week; there are %(have)s.")
        else:
            message = _(
                "%(groups)s need %(n)s copies of “%(thing)s” this week; the school has %(have)s."
            )
        values = {
            "groups": ", ".join(sorted(holders.values())),
            "thing": titles[key],
            "n": wanted[key],
            "have": have,
        }
        group_ids = {gid for who in holders if (gid := group_of.get(who))}
        clashes.append(Clash(key[0], message % values, group_ids))
    return clashes


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
    from reol.bookings.selectors import bookings_between

    first = starts - dt.timedelta(days=starts.weekday())
    week_list = [
        Week(*calendar.week_of(day), day)
        for day in (first + dt.timedelta(weeks=n) for n in range(((ends - first).days // 7) + 1))
    ]
    _holidays(school, week_list)
    range_end = week_list[-1].sunday if week_list else ends

    groups_qs = Group.objects.filter(school=school, active=True)
    years = (
        {school_year}
        if school_year
        else {calendar.year_name_of(starts), calendar.year_name_of(ends)}
    )
    groups_qs = groups_qs.filter(school_year__in=years)
    all_entries = list(
        PlanEntry.objects.filter(school=school, starts__lte=range_end, ends__gte=first)
        .select_related("group")
        .prefetch_related(
            Prefetch("resources__lines", queryset=ResourceLine.objects.select_related("record"))
        )
        .order_by("starts", "id")
    )
    all_bookings = list(bookings_between(school, first, range_end))

    shown_groups = groups_qs
    if grade is not None:
        shown_groups = shown_groups.filter(grade=grade)
    if staff is not None:
        taught = GroupMember.objects.filter(
            role=GroupMember.Role.TEACHER, patron__user=staff
        ).values("group_id")
        shown_groups = shown_groups.filter(
            Q(pk__in=taught)
            | Q(pk__in=[e.group_id for e in all_entries if e.created_by_id == staff.pk])
            | Q(pk__in=[b.group_id for b in all_bookings if b.teacher_id == staff.pk])
        )
    groups = list(shown_groups.order_by("grade", "name"))
    group_ids = {g.pk for g in groups}
    subject_folded = subject.strip().casefold()

    def entry_shown(entry: PlanEntry) -> bool:
        return entry.group_id in group_ids and (
            not subject_folded or subject_folded in entry.subject.casefold()
        )

    def booking_shown(booking: Any) -> bool:
        if subject_folded:
            return False
        if staff is not None and booking.group_id not in group_ids:
            return booking.teacher_id == staff.pk
        return booking.group_id is None or booking.group_id in group_ids or grade is None

    cap = capacity(school)
    names = {g.pk: g.name for g in groups}
    for entry in all_entries:
        names.setdefault(entry.group_id, entry.group.name)
    for booking in all_bookings:
        if booking.group is not None:
            names.setdefault(booking.group.pk, booking.group.name)

    owned = _owned(school, all_bookings, all_entries)
    rows: list[Row] = []
    for week in week_list:
        w_entries = [e for e in all_entries if e.starts <= week.sunday and e.ends >= week.monday]
        w_bookings = [b for b in all_bookings if b.starts <= week.sunday and b.ends >= week.monday]
        clashes = [] if week.holiday else _clashes(w_bookings, w_entries, names, owned)
        heavy_groups = {e.group_id for e in w_entries if e.heavy_use}
        if len(heavy_groups) > cap:
            clashes.append(
                Clash(
                    "capacity",
                    _("%(n)s heavy-use classes this week; the staff can serve %(cap)s.")
                    % {"n": len(heavy_groups), "cap": cap},
                    heavy_groups,
                )
            )
        clashing = set().union(*(c.group_ids for c in clashes)) if clashes else set()
        cells = []
        for group in groups:
            cells.append(
                Cell(
                    group,
                    [e for e in w_entries if e.group_id == group.pk and entry_shown(e)],
                    [b for b in w_bookings if b.group_id == group.pk and booking_shown(b)],
                    clash=group.pk in clashing,
                )
            )
        others = [
            b
            for b in w_bookings
            if (b.group_id is None or b.group_id not in group_ids) and booking_shown(b)
        ]
        rows.append(Row(week, cells, others, len(heavy_groups), clashes))
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
