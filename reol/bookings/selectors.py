"""Reads of bookings worth a name: what is booked when, what is free, the pick list. The .ics
export is in ``ical.py``, the due-date hook circulation calls when lending in ``lending.py``.

Availability of a record's copies at a school for a date range (``available_copies``):

    copies of the record at the school that can be lent to staff and are not withdrawn,
    missing, lost or damaged
    − copies on loan due on or after the first day
    − copies promised to planned bookings that overlap the range (N of the record, or a
      named copy not already counted as on loan)

A checked-out booking's copies count through their loans (due on the booking's last day),
so nothing is counted twice. Rooms and equipment (``resource_usage``): a booking overlaps
another when their days overlap and, if both have hours, their hours overlap on those days.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from reol.catalog.models import Item, ItemStatus, Record
from reol.circulation import rules as rulebook
from reol.circulation.models import Loan, LoanCategory
from reol.core.models import School, User

from .ical import booked_things as booked_things  # the planning app's feeds use these here
from .ical import booking_event as booking_event
from .ical import booking_ics as booking_ics
from .ical import calendar_of as calendar_of
from .models import (
    HOLDING_STATES,
    Booking,
    BookingLine,
    BookingLoan,
    BookingState,
    Resource,
)

log = logging.getLogger(__name__)

# A copy in one of these states is not promised to anyone.
UNUSABLE = (ItemStatus.WITHDRAWN, ItemStatus.MISSING, ItemStatus.LOST, ItemStatus.DAMAGED)


def _with_lines(queryset: QuerySet[Booking]) -> QuerySet[Booking]:
    return queryset.select_related("school", "group", "teacher", "booked_by").prefetch_related(
        Prefetch(
            "lines",
            queryset=BookingLine.objects.select_related("record", "item__record", "resource"),
        )
    )


def overlapping(queryset: QuerySet[Booking], start: dt.date, end: dt.date) -> QuerySet[Booking]:
    return queryset.filter(starts__lte=end, ends__gte=start)


# --- Lists -------------------------------------------------------------------------------------


def bookings_between(school: School, start: dt.date, end: dt.date) -> QuerySet[Booking]:
    """The school's bookings (not cancelled) touching the days ``start``–``end``."""
    return _with_lines(
        overlapping(Booking.objects.filter(school=school), start, end).exclude(
            state=BookingState.CANCELLED
        )
    ).order_by("starts", "start_time", "id")


def bookings_for_teacher(user: User, *, include_cancelled: bool = False) -> QuerySet[Booking]:
    """Bookings for a teacher, or made by them for nobody else (newest start last)."""
    queryset = Booking.objects.filter(Q(teacher=user) | Q(teacher__isnull=True, booked_by=user))
    if not include_cancelled:
        queryset = queryset.exclude(state=BookingState.CANCELLED)
    return _with_lines(queryset).order_by("starts", "start_time", "id")


def bookings_for_resource(resource: Resource) -> QuerySet[Booking]:
    """A room's or equipment's bookings (not cancelled)."""
    return (
        _with_lines(Booking.objects.filter(lines__resource=resource))
        .exclude(state=BookingState.CANCELLED)
        .distinct()
        .order_by("starts", "start_time", "id")
    )


def resources_of(school: School, *, active_only: bool = False) -> QuerySet[Resource]:
    queryset = Resource.objects.filter(school=school).select_related("location")
    if active_only:
        queryset = queryset.filter(active=True)
    return queryset.order_by("kind", "name")


def booking_with_lines(pk: int) -> Booking | None:
    return _with_lines(Booking.objects.filter(pk=pk)).first()


# --- Copies ------------------------------------------------------------------------------------


def lendable_types(school: School) -> list[str]:
    """The circulation types the school lends to teachers (class sets, normal, …)."""
    rules = rulebook.rules_of(school)
    types = {r.circulation_type for r in rules if r.patron_category == LoanCategory.STAFF}
    return sorted(
        t
        for t in types
        if (rule := rulebook.pick_rule(rules, LoanCategory.STAFF, None, t)) and rule.lends
    )


def usable_copies(record: Record, school: School) -> QuerySet[Item]:
    return Item.objects.filter(
        record=record, school=school, circulation_type__in=lendable_types(school)
    ).exclude(status__in=UNUSABLE)


@dataclass
class CopyCount:
    """How a record's copies at a school stand for a date range."""

    total: int
    on_loan: int  # lent and due on or after the first day
    promised: int  # to overlapping planned bookings
    due_back: dt.date | None = None  # the last due date among those on loan
    holders: list[Booking] = field(default_factory=list)

    @property
    def free(self) -> int:
        return self.total - self.on_loan - self.promised


def copy_count(
    record: Record,
    school: School,
    starts: dt.date,
    ends: dt.date,
    *,
    exclude: Booking | None = None,
) -> CopyCount:
    usable = usable_copies(record, school)
    usable_ids = set(usable.values_list("pk", flat=True))
    loans = (
        Loan.objects.open()
        .filter(item_id__in=usable_ids, due_date__gte=starts)
        .values_list("item_id", "due_date")
    )
    lent = dict(loans)
    planned = overlapping(
        Booking.objects.filter(school=school, state=BookingState.PLANNED), starts, ends
    )
    if exclude is not None and exclude.pk is not None:
        planned = planned.exclude(pk=exclude.pk)
    lines = BookingLine.objects.filter(booking__in=planned).filter(
        Q(record=record) | Q(item_id__in=usable_ids)
    )
    promised = 0
    holder_ids: list[int] = []
    for booking_id, item_id, quantity in lines.values_list("booking_id", "item_id", "quantity"):
        if item_id is not None and item_id in lent:
            continue
        promised += quantity
        holder_ids.append(booking_id)
    holders = list(
        Booking.objects.filter(pk__in=holder_ids)
        .select_related("teacher", "booked_by", "group")
        .order_by("starts", "id")
    )
    return CopyCount(
        total=len(usable_ids),
        on_loan=len(lent),
        promised=promised,
        due_back=max(lent.values()) if lent else None,
        holders=holders,
    )


def available_copies(record: Record, school: School, starts: dt.date, ends: dt.date) -> int:
    """How many copies of ``record`` at ``school`` can still be promised for these days."""
    return max(0, copy_count(record, school, starts, ends).free)


def free_copies_now(record: Record, school: School, starts: dt.date, ends: dt.date) -> list[Item]:
    """Copies on the shelf now that no other planned booking names, for the pick list."""
    named = BookingLine.objects.filter(
        item__record=record,
        booking__state=BookingState.PLANNED,
        booking__starts__lte=ends,
        booking__ends__gte=starts,
    ).values("item_id")
    return list(
        usable_copies(record, school)
        .filter(status=ItemStatus.AVAILABLE)
        .exclude(pk__in=named)
        .select_related("location", "record")
        .order_by("location__name", "barcode")
    )


# --- Rooms and equipment -----------------------------------------------------------------------


def times_overlap(
    a: tuple[dt.time | None, dt.time | None], b: tuple[dt.time | None, dt.time | None]
) -> bool:
    """Hours of the day overlap; a booking without hours takes the whole day."""
    if a[0] is None or a[1] is None or b[0] is None or b[1] is None:
        return True
    return a[0] < b[1] and b[0] < a[1]


@dataclass
class Usage:
    used: int
    holders: list[Booking]


def resource_usage(
    resource: Resource,
    starts: dt.date,
    ends: dt.date,
    start_time: dt.time | None = None,
    end_time: dt.time | None = None,
    *,
    exclude: Booking | None = None,
) -> Usage:
    """How many units of ``resource`` other bookings take in this range, and whose they are."""
    bookings = overlapping(
        Booking.objects.filter(lines__resource=resource, state__in=HOLDING_STATES), starts, ends
    ).distinct()
    if exclude is not None and exclude.pk is not None:
        bookings = bookings.exclude(pk=exclude.pk)
    holders = [
        b
        for b in bookings.select_related("teacher", "booked_by", "group").prefetch_related("lines")
        if times_overlap((b.start_time, b.end_time), (start_time, end_time))
    ]
    used = sum(
        line.quantity for b in holders for line in b.lines.all() if line.resource_id == resource.pk
    )
    return Usage(used=used, holders=holders)


def resource_free_units(
    resource: Resource,
    starts: dt.date,
    ends: dt.date,
    start_time: dt.time | None = None,
    end_time: dt.time | None = None,
) -> int:
    usage = resource_usage(resource, starts, ends, start_time, end_time)
    return max(0, resource.units - usage.used)


# --- The pick list and returns -----------------------------------------------------------------


@dataclass
class PickLine:
    line: BookingLine
    copies: list[Item]  # the copies to pull (named, or the first free ones)
    short: int  # how many of the quantity cannot be found on the shelf now


@dataclass
class PickBooking:
    booking: Booking
    lines: list[PickLine]


def pick_list(school: School, day: dt.date) -> list[PickBooking]:
    """The planned bookings starting on ``day`` and, per line, the copies to take off the shelf.

    Copies are suggested, not reserved: checking out picks again (the desk may have lent one
    meanwhile), preferring these.
    """
    bookings = _with_lines(
        Booking.objects.filter(school=school, state=BookingState.PLANNED, starts=day)
    ).order_by("start_time", "id")
    out: list[PickBooking] = []
    taken: set[int] = set()  # one copy goes to one booking of the day
    for booking in bookings:
        picks: list[PickLine] = []
        for line in booking.lines.all():
            if line.item is not None:
                picks.append(PickLine(line, [line.item], 0))
                taken.add(line.item.pk)
            elif line.record is not None:
                free = [
                    c
                    for c in free_copies_now(line.record, school, booking.starts, booking.ends)
                    if c.pk not in taken
                ][: line.quantity]
                taken.update(c.pk for c in free)
                picks.append(PickLine(line, free, line.quantity - len(free)))
            else:
                picks.append(PickLine(line, [], 0))
        out.append(PickBooking(booking, picks))
    return out


@dataclass
class ReturnState:
    """Which of a booking's lent copies are back."""

    back: list[Loan]
    out: list[Loan]

    @property
    def complete(self) -> bool:
        return not self.out

    @property
    def total(self) -> int:
        return len(self.back) + len(self.out)


def return_state(booking: Booking) -> ReturnState:
    loans = [
        bl.loan
        for bl in BookingLoan.objects.filter(line__booking=booking)
        .select_related("loan__item__record", "loan__patron")
        .order_by("loan__item__barcode")
    ]
    return ReturnState(
        back=[loan for loan in loans if loan.returned_at is not None],
        out=[loan for loan in loans if loan.returned_at is None],
    )


def reminders_due(today: dt.date) -> QuerySet[Booking]:
    """Planned bookings starting tomorrow whose reminder has not been sent."""
    return (
        Booking.objects.filter(state=BookingState.PLANNED, starts=today + dt.timedelta(days=1))
        .exclude(notices__kind="reminder")
        .select_related("school", "teacher", "booked_by")
        .order_by("id")
    )


# --- For the pages -----------------------------------------------------------------------------


def bookers_at(school: School) -> QuerySet[User]:
    """People who may book at ``school`` (teachers, librarians, administrators)."""
    from reol.core.permissions import ROLE_PERMS, Perm

    roles = [role for role, perms in ROLE_PERMS.items() if Perm.BOOKING in perms]
    return (
        User.objects.filter(is_active=True, memberships__school=school, memberships__role__in=roles)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def groups_at(school: School) -> QuerySet[Any]:
    from reol.patrons.models import Group

    return Group.objects.filter(school=school, active=True).order_by("grade", "name")


@dataclass
class RecordChoice:
    record: Record
    copies: int  # usable copies at the school
    free: int | None  # free for the chosen days, when known


def find_records(
    school: School,
    text: str,
    starts: dt.date | None = None,
    ends: dt.date | None = None,
    limit: int = 10,
) -> list[RecordChoice]:
    """Titles with copies at ``school`` matching ``text``: the catalogue's search (typos,
    stemming), else a plain title match when the search index is not there."""
    text = text.strip()
    if not text:
        return []
    ids: list[int] = []
    try:
        from reol.catalog.search import SearchQuery, search

        result = search(
            SearchQuery(
                text=text,
                municipality_id=school.municipality_id,
                school=school.code,
                facets=False,
                size=limit,
            )
        )
        ids = [hit.id for hit in result.hits]
    except Exception:  # no index yet (a fresh installation): fall back to the database
        log.warning("catalogue search unavailable; matching titles in the database", exc_info=True)
    if not ids:
        ids = list(
            Record.objects.filter(
                municipality_id=school.municipality_id,
                items__school=school,
                title__icontains=text,
            )
            .distinct()
            .order_by("title")
            .values_list("pk", flat=True)[:limit]
        )
    records = {r.pk: r for r in Record.objects.filter(pk__in=ids)}
    out = []
    for pk in ids:
        if pk not in records:
            continue
        record = records[pk]
        copies = usable_copies(record, school).count()
        free = (
            max(0, copy_count(record, school, starts, ends).free)
            if starts and ends and ends >= starts
            else None
        )
        out.append(RecordChoice(record, copies, free))
    return out


def record_at(school: School, pk: int) -> Record | None:
    """A record of the school's municipality that has copies at the school."""
    return (
        Record.objects.filter(pk=pk, municipality_id=school.municipality_id, items__school=school)
        .distinct()
        .first()
    )
