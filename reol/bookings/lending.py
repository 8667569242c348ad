"""The hook circulation calls when lending a copy: ``latest_due_date`` (registered with
``circulation.limits`` by bookings' AppConfig) answers how long a copy may be lent without
breaking a planned booking, and ``lending_for`` marks the loans a booking's own checkout makes,
due no later than its last day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from reol.catalog.models import Item, Record
from reol.circulation import rules as rulebook
from reol.circulation.limits import DueDateLimit
from reol.core.models import School

from .checks import day
from .models import Booking, BookingLine, BookingState
from .selectors import copy_count

BookingLimit = DueDateLimit  # the latest day a copy may be due, and why

_lending_for: ContextVar[Booking | None] = ContextVar("reol_lending_for", default=None)


@contextmanager
def lending_for(booking: Booking) -> Iterator[None]:
    """Loans made inside the block are for ``booking``: due no later than its last day."""
    token = _lending_for.set(booking)
    try:
        yield
    finally:
        _lending_for.reset(token)


def _any_planned(school_id: int, until: dt.date, today: dt.date) -> bool:
    """Whether the school has any planned booking between ``today`` and ``until``: checked
    with a hand-written statement because the desk asks it at every checkout, and building the
    ORM's query cost more than the rest of the bookings check."""
    table = Booking._meta.db_table  # the model's own table name, not input
    sql = f"SELECT 1 FROM {table} WHERE school_id = %s AND state = %s"  # noqa: S608
    sql += " AND starts <= %s AND ends >= %s LIMIT 1"
    with connection.cursor() as cursor:
        cursor.execute(sql, [school_id, BookingState.PLANNED.value, until, today])
        return cursor.fetchone() is not None


def latest_due_date(
    item: Item,
    school: School,
    proposed_due: dt.date,
    *,
    today: dt.date | None = None,
    record_locked: bool = False,
) -> BookingLimit | None:
    """How long ``item`` may be lent from ``school`` without breaking a booking.

    Registered with ``circulation.limits`` (bookings' AppConfig), so circulation's checkout
    and renewal call it inside their transaction, after the copy is
    locked. Answers None when ``proposed_due`` is fine; else the last day it may be due (the
    last open day before the booking starts) and why. A date before ``today`` means the copy
    may not be lent at all now (a booking needs it today). The record's row is locked first,
    so a booking being made at the same instant waits for this loan (``services.book`` takes
    the same lock). ``record_locked``: the caller locked it already (checkout locks the copy and
    its record in one statement).
    """
    today = today or timezone.localdate()
    if not record_locked:
        list(
            Record.objects.select_for_update()
            .filter(pk=item.record_id)
            .order_by()
            .values_list("pk")
        )
    limits: list[BookingLimit] = []
    current = _lending_for.get()
    if current is not None and current.school_id == school.pk and proposed_due > current.ends:
        limits.append(
            BookingLimit(
                current.ends,
                _("Lent for the booking “%(booking)s”, due on its last day.")
                % {"booking": current},
            )
        )
    if not limits and not _any_planned(item.school_id, proposed_due, today):
        return None  # most schools, most days: nothing booked, one cheap statement
    needed = _first_booking_needing(item, proposed_due, today, current)
    if needed is not None:
        limits.append(needed)
    if not limits:
        return None
    limit = min(limits)
    if limit.reason:
        return limit
    return _due_before_booking(item, limit.date, today)


def _first_booking_needing(
    item: Item, proposed_due: dt.date, today: dt.date, current: Booking | None
) -> BookingLimit | None:
    """The day before the first planned booking (other than ``current``) up to
    ``proposed_due`` that names ``item``, or asks for its title with no other copy free."""
    planned = Booking.objects.filter(
        school_id=item.school_id,
        state=BookingState.PLANNED,
        starts__lte=proposed_due,
        ends__gte=today,
    )
    if current is not None:
        planned = planned.exclude(pk=current.pk)
    lines = (
        BookingLine.objects.filter(booking__in=planned)
        .filter(Q(item=item) | Q(record_id=item.record_id))
        .select_related("booking__school")
        .order_by("booking__starts", "id")
    )
    for line in lines:
        booking = line.booking
        if line.item_id is None:
            count = copy_count(item.record, item.school, max(booking.starts, today), booking.ends)
            if count.free >= 1:
                continue
        return BookingLimit(booking.starts - dt.timedelta(days=1), "")
    return None


def _due_before_booking(item: Item, last: dt.date, today: dt.date) -> BookingLimit:
    """A booking needs the copy from the day after ``last``: due on the last open day before
    it starts, or not lendable at all when that day has passed."""
    first = last + dt.timedelta(days=1)
    title = item.record.title
    if last < today:
        return BookingLimit(
            last,
            _("“%(title)s” is booked from %(day)s and no other copy is free: it cannot be lent.")
            % {"title": title, "day": day(first)},
        )
    calendar = rulebook.calendar_for(item.school, today)
    due = calendar.previous_open(last, not_before=today) or last
    return BookingLimit(
        due,
        _("“%(title)s” is booked from %(day)s: due back the day before.")
        % {"title": title, "day": day(first)},
    )
