"""Whether a booking request can be had: the request's own sense (``validate``), and for each
line whether the copies, the named copy or the room are free on those days (``check_item``,
``check_record``, ``check_resource``), refusing with a ``BookingConflict`` that names who holds
it and offers alternatives; and whether a room's or equipment's values make sense
(``resource_values``). Reads only; ``services`` calls these under its row locks.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reol.catalog.models import Item, ItemStatus, Record
from reol.circulation import rules as rulebook
from reol.circulation.models import Loan
from reol.core.formats import days as written_days
from reol.core.models import School, User

from . import selectors
from .errors import Alternative, BookingConflict
from .models import Booking, BookingState, Resource

WEEKS_TO_TRY = 8  # how far ahead "other weeks" looks
MAX_ALTERNATIVES = 4


@dataclass(frozen=True)
class BookingRequest:
    """One thing to book: N copies of a record, one named copy, or a room or equipment."""

    record: Record | None = None
    item: Item | None = None
    resource: Resource | None = None
    quantity: int = 1


def day(value: dt.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def person(user: User | None) -> str:
    if user is None:
        return "?"
    return user.get_full_name() or user.username


def describe(booking: Booking) -> str:
    """Who holds it and when: "Anna Lærer (5.B), 12.10.2026–16.10.2026, 12:00–15:00"."""
    who = person(booking.teacher or booking.booked_by)
    if booking.group_id is not None:
        who = f"{who} ({booking.group})"
    text = f"{who}, {written_days(booking.starts, booking.ends)}"
    if booking.start_time is not None and booking.end_time is not None:
        text += (
            f", {time_format(booking.start_time, 'TIME_FORMAT')}–"
            f"{time_format(booking.end_time, 'TIME_FORMAT')}"
        )
    return text


def copies(count: int) -> str:
    return ngettext("%(count)s copy", "%(count)s copies", count) % {"count": count}


# --- Checking a request -------------------------------------------------------------------------


def validate(
    school: School,
    starts: dt.date,
    ends: dt.date,
    lines: list[BookingRequest],
    start_time: dt.time | None,
    end_time: dt.time | None,
    today: dt.date,
) -> None:
    problems: dict[str, list[str]] = defaultdict(list)
    if ends < starts:
        problems["ends"].append(_("The last day comes before the first."))
    if starts < today:
        problems["starts"].append(_("A booking cannot start in the past."))
    if (start_time is None) != (end_time is None):
        problems["end_time"].append(_("Give both times, or neither."))
    elif start_time is not None and end_time is not None and end_time <= start_time:
        problems["end_time"].append(_("The end time must come after the start time."))
    if not lines:
        problems["lines"].append(_("Say what to book."))
    for request in lines:
        given = [x for x in (request.record, request.item, request.resource) if x is not None]
        if len(given) != 1:
            problems["lines"].append(_("Each line books a title, a copy, or a room or equipment."))
            continue
        if request.quantity < 1:
            problems["quantity"].append(_("Book at least one."))
        if request.item is not None:
            if request.quantity != 1:
                problems["quantity"].append(_("A named copy is one copy."))
            if request.item.school_id != school.pk:
                problems["lines"].append(_("That copy belongs to another school."))
        if request.record is not None and request.record.municipality_id != school.municipality_id:
            problems["lines"].append(_("That title is not in this school's catalogue."))
        if request.resource is not None:
            if request.resource.school_id != school.pk:
                problems["lines"].append(_("That room or equipment belongs to another school."))
            elif not request.resource.active:
                problems["lines"].append(
                    _("“%(name)s” cannot be booked at the moment.") % {"name": request.resource}
                )
            elif request.quantity > request.resource.units:
                problems["quantity"].append(
                    _("There are only %(count)s of “%(name)s”.")
                    % {"count": request.resource.units, "name": request.resource}
                )
    if not problems and starts >= today and closed_throughout(school, starts, ends):
        problems["starts"].append(_("The school is closed on all of those days."))
    if problems:
        raise ValidationError(dict(problems))


def closed_throughout(school: School, starts: dt.date, ends: dt.date) -> bool:
    """The school is closed on every day from ``starts`` to ``ends``: nothing can be booked
    then, nor offered instead. A school with no opening hours or closed periods set is open."""
    calendar = rulebook.calendar_for(school, starts)
    if not (calendar.open_weekdays or calendar.closed):
        return False
    days = (ends - starts).days + 1
    return not any(calendar.is_open(starts + dt.timedelta(days=n)) for n in range(days))


def _other_weeks(
    school: School, starts: dt.date, ends: dt.date
) -> Iterator[tuple[dt.date, dt.date]]:
    """The same days 1 to ``WEEKS_TO_TRY`` weeks later, skipping weeks the school is closed."""
    for n in range(1, WEEKS_TO_TRY + 1):
        s, e = starts + dt.timedelta(weeks=n), ends + dt.timedelta(weeks=n)
        if not closed_throughout(school, s, e):
            yield s, e


def record_alternatives(
    record: Record, school: School, starts: dt.date, ends: dt.date, need: int, free: int
) -> list[Alternative]:
    out: list[Alternative] = []
    if free > 0:
        out.append(
            Alternative(
                "copies",
                _("%(copies)s of “%(title)s” on the same days")
                % {"copies": copies(free), "title": record.title},
                starts,
                ends,
                quantity=free,
            )
        )
    for s, e in _other_weeks(school, starts, ends):
        if selectors.copy_count(record, school, s, e).free >= need:
            out.append(
                Alternative(
                    "week",
                    _("%(copies)s from %(span)s")
                    % {"copies": copies(need), "span": written_days(s, e)},
                    s,
                    e,
                    quantity=need,
                )
            )
            if len(out) >= MAX_ALTERNATIVES:
                break
    return out


def resource_alternatives(
    resource: Resource,
    starts: dt.date,
    ends: dt.date,
    start_time: dt.time | None,
    end_time: dt.time | None,
    need: int,
) -> list[Alternative]:
    out: list[Alternative] = []
    others = Resource.objects.filter(
        school_id=resource.school_id, kind=resource.kind, active=True, units__gte=need
    ).exclude(pk=resource.pk)
    for other in others.order_by("name"):
        usage = selectors.resource_usage(other, starts, ends, start_time, end_time)
        if other.units - usage.used >= need:
            out.append(
                Alternative(
                    "resource",
                    _("“%(name)s” on the same days") % {"name": other.name},
                    starts,
                    ends,
                    quantity=need,
                    resource=other,
                )
            )
        if len(out) >= MAX_ALTERNATIVES - 2:
            break
    for s, e in _other_weeks(resource.school, starts, ends):
        usage = selectors.resource_usage(resource, s, e, start_time, end_time)
        if resource.units - usage.used >= need:
            out.append(
                Alternative(
                    "week",
                    _("“%(name)s” %(span)s") % {"name": resource.name, "span": written_days(s, e)},
                    s,
                    e,
                    quantity=need,
                    resource=resource,
                )
            )
            if len(out) >= MAX_ALTERNATIVES:
                break
    return out


def check_resource(
    position: int,
    resource: Resource,
    need: int,
    starts: dt.date,
    ends: dt.date,
    start_time: dt.time | None,
    end_time: dt.time | None,
) -> None:
    usage = selectors.resource_usage(resource, starts, ends, start_time, end_time)
    if resource.units - usage.used >= need:
        return
    holder = "; ".join(describe(b) for b in usage.holders)
    if resource.units == 1:
        message = _("“%(name)s” is already booked then, by %(holder)s.") % {
            "name": resource.name,
            "holder": holder,
        }
    else:
        message = _(
            "Only %(free)s of %(units)s “%(name)s” are free then (booked by %(holder)s)."
        ) % {
            "free": max(0, resource.units - usage.used),
            "units": resource.units,
            "name": resource.name,
            "holder": holder,
        }
    raise BookingConflict(
        message=message,
        holder=holder,
        holders=usage.holders,
        alternatives=resource_alternatives(resource, starts, ends, start_time, end_time, need),
        line=position,
        code="resource_taken",
    )


def check_item(position: int, item: Item, starts: dt.date, ends: dt.date) -> None:
    title = item.record.title
    if item.status in selectors.UNUSABLE:
        raise BookingConflict(
            message=_("“%(title)s” (%(barcode)s) is registered as %(status)s.")
            % {"title": title, "barcode": item.barcode, "status": ItemStatus(item.status).label},
            line=position,
            code="copy_unusable",
        )
    loan = Loan.objects.open().filter(item=item, due_date__gte=starts).first()
    if loan is not None:
        raise BookingConflict(
            message=_("“%(title)s” (%(barcode)s) is on loan until %(due)s.")
            % {"title": title, "barcode": item.barcode, "due": day(loan.due_date)},
            holder=_("on loan until %(due)s") % {"due": day(loan.due_date)},
            line=position,
            code="copy_on_loan",
        )
    other = (
        selectors.overlapping(
            Booking.objects.filter(state=BookingState.PLANNED, lines__item=item), starts, ends
        )
        .select_related("teacher", "booked_by", "group")
        .first()
    )
    if other is not None:
        holder = describe(other)
        raise BookingConflict(
            message=_("“%(title)s” (%(barcode)s) is already booked, by %(holder)s.")
            % {"title": title, "barcode": item.barcode, "holder": holder},
            holder=holder,
            holders=[other],
            line=position,
            code="copy_booked",
        )


def check_record(
    position: int, record: Record, school: School, need: int, starts: dt.date, ends: dt.date
) -> None:
    count = selectors.copy_count(record, school, starts, ends)
    if count.free >= need:
        return
    parts = [f"{describe(b)}" for b in count.holders]
    if count.on_loan and count.due_back is not None:
        parts.append(
            _("%(copies)s on loan until %(due)s")
            % {"copies": copies(count.on_loan), "due": day(count.due_back)}
        )
    holder = "; ".join(parts)
    free = max(0, count.free)
    message = ngettext(
        "Only %(free)s of the %(total)s copy of “%(title)s” is free %(span)s; %(asked)s asked for.",
        "Only %(free)s of the %(total)s copies of “%(title)s” are free %(span)s; "
        "%(asked)s asked for.",
        count.total,
    ) % {
        "free": free,
        "total": count.total,
        "title": record.title,
        "span": written_days(starts, ends),
        "asked": need,
    }
    if holder:
        message += " " + _("Held by: %(holder)s.") % {"holder": holder}
    raise BookingConflict(
        message=message,
        holder=holder,
        holders=count.holders,
        alternatives=record_alternatives(record, school, starts, ends, need, free),
        line=position,
        code="copies_taken",
    )


def check_all_free(
    school: School,
    lines: list[BookingRequest],
    record_ids: list[int],
    resource_ids: list[int],
    *,
    starts: dt.date,
    ends: dt.date,
    start_time: dt.time | None,
    end_time: dt.time | None,
) -> None:
    """Each named copy, then each room or equipment, then each title (in id order) free for
    what all the lines together ask of it; a conflict names the first line that asked."""
    need_record: dict[int, int] = defaultdict(int)
    first_line: dict[int, int] = {}
    need_resource: dict[int, int] = defaultdict(int)
    for position, request in enumerate(lines):
        if request.item is not None:
            item = request.item
            check_item(position, item, starts, ends)
            need_record[item.record_id] += 1
            first_line.setdefault(item.record_id, position)
        elif request.record is not None:
            need_record[request.record.pk] += request.quantity
            first_line.setdefault(request.record.pk, position)
        elif request.resource is not None:
            need_resource[request.resource.pk] += request.quantity
            first_line.setdefault(-request.resource.pk, position)
    for resource in Resource.objects.filter(pk__in=resource_ids).order_by("pk"):
        check_resource(
            first_line[-resource.pk],
            resource,
            need_resource[resource.pk],
            starts,
            ends,
            start_time,
            end_time,
        )
    for record in Record.objects.filter(pk__in=record_ids).order_by("pk"):
        check_record(first_line[record.pk], record, school, need_record[record.pk], starts, ends)


def resource_values(resource: Resource) -> None:
    problems: dict[str, str] = {}
    if not resource.name.strip():
        problems["name"] = _("Give it a name.")
    if resource.kind == Resource.Kind.ROOM and resource.units != 1:
        problems["units"] = _("A room is one room.")
    if resource.units < 1:
        problems["units"] = _("At least one.")
    if resource.location is not None and resource.location.school_id != resource.school_id:
        problems["location"] = _("That location belongs to another school.")
    clash = Resource.objects.filter(
        school_id=resource.school_id, name__iexact=resource.name.strip()
    )
    if resource.pk is not None:
        clash = clash.exclude(pk=resource.pk)
    if clash.exists():
        problems["name"] = _("There is already a room or equipment with that name.")
    if problems:
        raise ValidationError(problems)
