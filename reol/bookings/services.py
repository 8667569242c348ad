"""Every write of bookings: ``book``, ``cancel``, ``check_out``, ``check_return``,
``send_reminders``, and the rooms and equipment (``create_resource``, ``update_resource``).

Each is one transaction that checks the actor's permission (``Perm.BOOKING`` to book,
``Perm.CIRCULATION_DESK`` to lend and take back, ``Perm.SCHOOL_MANAGE`` for rooms and
equipment), enforces the rules and writes the audit event.

Concurrency: ``book`` locks the rows of the records and resources it asks for (in id order,
so two bookings never wait for each other in a circle) before it counts what is free, so two
teachers asking for the last class set at the same instant are served one after the other:
the first gets it, the second a ``BookingConflict`` naming the first. On SQLite the IMMEDIATE
transaction already serialises writers; on PostgreSQL the row locks do (each statement after
the lock sees what the other committed). Circulation's checkout takes the same record lock
(through ``selectors.latest_due_date``), so a copy cannot be lent past a booking's start
while that booking is being made.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reol.catalog.models import Item, ItemStatus, Record
from reol.circulation import rules as rulebook
from reol.circulation.actions import loans as loan_actions
from reol.circulation.errors import CirculationError
from reol.circulation.models import Loan
from reol.core import audit
from reol.core.models import Location, School, User
from reol.core.permissions import Actor, Perm, has_perm, require

from . import notify, selectors
from .errors import Alternative, BookingConflict, BookingError
from .models import (
    Booking,
    BookingLine,
    BookingLoan,
    BookingNotice,
    BookingState,
    Resource,
)
from .states import can_change

log = logging.getLogger(__name__)

WEEKS_TO_TRY = 8  # how far ahead "other weeks" looks
MAX_ALTERNATIVES = 4


@dataclass(frozen=True)
class BookingRequest:
    """One thing to book: N copies of a record, one named copy, or a room or equipment."""

    record: Record | None = None
    item: Item | None = None
    resource: Resource | None = None
    quantity: int = 1


def _today() -> dt.date:
    return timezone.localdate()


def _day(value: dt.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def _span(starts: dt.date, ends: dt.date) -> str:
    return _day(starts) if starts == ends else f"{_day(starts)}–{_day(ends)}"


def _person(user: User | None) -> str:
    if user is None:
        return "?"
    return user.get_full_name() or user.username


def describe(booking: Booking) -> str:
    """Who holds it and when: "Anna Lærer (5.B), 12.10.2026–16.10.2026, 12:00–15:00"."""
    who = _person(booking.teacher or booking.booked_by)
    if booking.group_id is not None:
        who = f"{who} ({booking.group})"
    text = f"{who}, {_span(booking.starts, booking.ends)}"
    if booking.start_time is not None and booking.end_time is not None:
        text += (
            f", {time_format(booking.start_time, 'TIME_FORMAT')}–"
            f"{time_format(booking.end_time, 'TIME_FORMAT')}"
        )
    return text


def _copies(count: int) -> str:
    return ngettext("%(count)s copy", "%(count)s copies", count) % {"count": count}


# --- Checking a request -------------------------------------------------------------------------


def _validate(
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
    if not problems and starts >= today:
        calendar = rulebook.calendar_for(school, today)
        days = (ends - starts).days + 1
        if (calendar.open_weekdays or calendar.closed) and not any(
            calendar.is_open(starts + dt.timedelta(days=n)) for n in range(days)
        ):
            problems["starts"].append(_("The school is closed on all of those days."))
    if problems:
        raise ValidationError(dict(problems))


def _record_alternatives(
    record: Record, school: School, starts: dt.date, ends: dt.date, need: int, free: int
) -> list[Alternative]:
    out: list[Alternative] = []
    if free > 0:
        out.append(
            Alternative(
                "copies",
                _("%(copies)s of “%(title)s” on the same days")
                % {"copies": _copies(free), "title": record.title},
                starts,
                ends,
                quantity=free,
            )
        )
    for n in range(1, WEEKS_TO_TRY + 1):
        s, e = starts + dt.timedelta(weeks=n), ends + dt.timedelta(weeks=n)
        if selectors.copy_count(record, school, s, e).free >= need:
            out.append(
                Alternative(
                    "week",
                    _("%(copies)s from %(span)s") % {"copies": _copies(need), "span": _span(s, e)},
                    s,
                    e,
                    quantity=need,
                )
            )
            if len(out) >= MAX_ALTERNATIVES:
                break
    return out


def _resource_alternatives(
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
    for n in range(1, WEEKS_TO_TRY + 1):
        s, e = starts + dt.timedelta(weeks=n), ends + dt.timedelta(weeks=n)
        usage = selectors.resource_usage(resource, s, e, start_time, end_time)
        if resource.units - usage.used >= need:
            out.append(
                Alternative(
                    "week",
                    _("“%(name)s” %(span)s") % {"name": resource.name, "span": _span(s, e)},
                    s,
                    e,
                    quantity=need,
                    resource=resource,
                )
            )
            if len(out) >= MAX_ALTERNATIVES:
                break
    return out


def _check_resource(
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
        alternatives=_resource_alternatives(resource, starts, ends, start_time, end_time, need),
        line=position,
        code="resource_taken",
    )


def _check_item(position: int, item: Item, starts: dt.date, ends: dt.date) -> None:
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
            % {"title": title, "barcode": item.barcode, "due": _day(loan.due_date)},
            holder=_("on loan until %(due)s") % {"due": _day(loan.due_date)},
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


def _check_record(
    position: int, record: Record, school: School, need: int, starts: dt.date, ends: dt.date
) -> None:
    count = selectors.copy_count(record, school, starts, ends)
    if count.free >= need:
        return
    parts = [f"{describe(b)}" for b in count.holders]
    if count.on_loan and count.due_back is not None:
        parts.append(
            _("%(copies)s on loan until %(due)s")
            % {"copies": _copies(count.on_loan), "due": _day(count.due_back)}
        )
    holder = "; ".join(parts)
    free = max(0, count.free)
    message = _(
        "Only %(free)s of the %(total)s copies of “%(title)s” are free %(span)s; "
        "%(asked)s asked for."
    ) % {
        "free": free,
        "total": count.total,
        "title": record.title,
        "span": _span(starts, ends),
        "asked": need,
    }
    if holder:
        message += " " + _("Held by: %(holder)s.") % {"holder": holder}
    raise BookingConflict(
        message=message,
        holder=holder,
        holders=count.holders,
        alternatives=_record_alternatives(record, school, starts, ends, need, free),
        line=position,
        code="copies_taken",
    )


# --- Booking ------------------------------------------------------------------------------------


@transaction.atomic
def book(
    actor: Actor,
    school: School,
    *,
    starts: dt.date,
    ends: dt.date,
    lines: list[BookingRequest],
    title: str = "",
    group: Any = None,
    teacher: User | None = None,
    start_time: dt.time | None = None,
    end_time: dt.time | None = None,
    today: dt.date | None = None,
) -> Booking:
    """Book ``lines`` at ``school`` from ``starts`` to ``ends`` (and, if given, those hours of
    each day), for ``teacher`` (by default the person booking) and their ``group``.

    Raises ``ValidationError`` for what is wrong with the request itself and
    ``BookingConflict`` when something asked for is not free, with who holds it and what is.
    """
    require(actor, Perm.BOOKING, school)
    today = today or _today()
    if teacher is None and isinstance(actor, User):
        teacher = actor
    if (
        teacher is not None
        and teacher != actor
        and not has_perm(actor, Perm.CIRCULATION_DESK, school)
    ):
        raise PermissionDenied(_("Only library staff may book for another teacher."))
    if teacher is not None and not has_perm(teacher, Perm.BOOKING, school):
        raise ValidationError(
            {
                "teacher": _("%(name)s does not teach at %(school)s.")
                % {"name": _person(teacher), "school": school.name}
            }
        )
    if group is not None and group.school_id != school.pk:
        raise ValidationError({"group": _("That class belongs to another school.")})
    # Lock what is asked for, in id order, before checking and counting (fresh rows: what
    # the caller holds may be stale).
    record_ids = sorted(
        {r.record.pk for r in lines if r.record is not None}
        | {r.item.record_id for r in lines if r.item is not None}
    )
    resource_ids = sorted({r.resource.pk for r in lines if r.resource is not None})
    list(Record.objects.select_for_update().filter(pk__in=record_ids).order_by("pk"))
    fresh = {
        r.pk: r
        for r in Resource.objects.select_for_update().filter(pk__in=resource_ids).order_by("pk")
    }
    copies = Item.objects.select_related("record").in_bulk(
        [r.item.pk for r in lines if r.item is not None]
    )
    lines = [
        BookingRequest(
            record=r.record,
            item=copies.get(r.item.pk) if r.item is not None else None,
            resource=fresh.get(r.resource.pk) if r.resource is not None else None,
            quantity=r.quantity,
        )
        for r in lines
    ]
    _validate(school, starts, ends, lines, start_time, end_time, today)

    need_record: dict[int, int] = defaultdict(int)
    first_line: dict[int, int] = {}
    need_resource: dict[int, int] = defaultdict(int)
    for position, request in enumerate(lines):
        if request.item is not None:
            item = request.item
            _check_item(position, item, starts, ends)
            need_record[item.record_id] += 1
            first_line.setdefault(item.record_id, position)
        elif request.record is not None:
            need_record[request.record.pk] += request.quantity
            first_line.setdefault(request.record.pk, position)
        elif request.resource is not None:
            need_resource[request.resource.pk] += request.quantity
            first_line.setdefault(-request.resource.pk, position)
    for resource in Resource.objects.filter(pk__in=resource_ids).order_by("pk"):
        _check_resource(
            first_line[-resource.pk],
            resource,
            need_resource[resource.pk],
            starts,
            ends,
            start_time,
            end_time,
        )
    for record in Record.objects.filter(pk__in=record_ids).order_by("pk"):
        _check_record(first_line[record.pk], record, school, need_record[record.pk], starts, ends)

    booking = Booking.objects.create(
        school=school,
        title=title.strip(),
        group=group,
        teacher=teacher,
        booked_by=actor if isinstance(actor, User) else None,
        starts=starts,
        ends=ends,
        start_time=start_time,
        end_time=end_time,
    )
    BookingLine.objects.bulk_create(
        BookingLine(
            booking=booking,
            record=r.record,
            item=r.item,
            resource=r.resource,
            quantity=r.quantity,
        )
        for r in lines
    )
    audit.record(
        actor,
        "booking.create",
        booking,
        school=school,
        details={
            "starts": starts.isoformat(),
            "ends": ends.isoformat(),
            "teacher": teacher.username if teacher else None,
            "lines": [
                {
                    "record": r.record.pk if r.record else None,
                    "item": r.item.barcode if r.item else None,
                    "resource": r.resource.pk if r.resource else None,
                    "quantity": r.quantity,
                }
                for r in lines
            ],
        },
    )
    _notify(booking, BookingNotice.Kind.CONFIRMATION)
    return booking


def _notify(booking: Booking, kind: str) -> bool:
    """Record the notice and send it once the transaction commits (if there is an address)."""
    recipient = notify.recipient(booking)
    if recipient is None:
        return False
    BookingNotice.objects.create(booking=booking, kind=kind, recipient=recipient.email)
    booking_id = booking.pk
    transaction.on_commit(lambda: notify.send(booking_id, kind))
    return True


def _locked(booking: Booking) -> Booking:
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("school", "teacher", "booked_by")
        .get(pk=booking.pk)
    )


def _refuse_change(booking: Booking, new: str) -> None:
    if can_change(booking.state, new):
        return
    raise BookingError(
        "state",
        _("This booking is %(state)s; that cannot be done now.")
        % {"state": BookingState(booking.state).label},
    )


@transaction.atomic
def cancel(actor: Actor, booking: Booking) -> Booking:
    """Cancel a planned booking: its teacher, whoever booked it, or the library staff."""
    locked = _locked(booking)
    school = locked.school
    mine = isinstance(actor, User) and actor.pk in (locked.teacher_id, locked.booked_by_id)
    if not (mine and has_perm(actor, Perm.BOOKING, school)):
        require(actor, Perm.CIRCULATION_DESK, school)
    _refuse_change(locked, BookingState.CANCELLED)
    locked.state = BookingState.CANCELLED
    locked.closed_at = timezone.now()
    locked.save(update_fields=["state", "closed_at"])
    audit.record(actor, "booking.cancel", locked, school=school)
    return locked


# --- Lending and taking back -------------------------------------------------------------------


@dataclass
class CheckOutResult:
    booking: Booking
    loans: list[Loan] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # sentences for the librarian


@transaction.atomic
def check_out(actor: Actor, booking: Booking, today: dt.date | None = None) -> CheckOutResult:
    """Lend every booked copy to the teacher in one action (each its own loan).

    The system picks copies on the shelf that no other booking names; a copy the desk cannot
    lend is skipped for the next. Loans are due on the booking's last day at the latest.
    What could not be lent is reported, not hidden; if nothing at all could be lent, nothing
    changes.
    """
    locked = _locked(booking)
    school = locked.school
    require(actor, Perm.CIRCULATION_DESK, school)
    today = today or _today()
    _refuse_change(locked, BookingState.CHECKED_OUT)
    if today < locked.starts:
        raise BookingError(
            "not_started",
            _("The booking starts on %(day)s; check it out then.") % {"day": _day(locked.starts)},
        )
    if today > locked.ends:
        raise BookingError("over", _("The booking ended on %(day)s.") % {"day": _day(locked.ends)})
    borrower = locked.teacher or locked.booked_by
    lines = list(locked.lines.select_related("record", "item__record", "resource"))
    lends_copies = any(line.resource_id is None for line in lines)
    if lends_copies and borrower is None:
        raise BookingError("no_borrower", _("Say which teacher the copies are lent to."))
    locked.state = BookingState.CHECKED_OUT
    locked.checked_out_at = timezone.now()
    locked.save(update_fields=["state", "checked_out_at"])
    result = CheckOutResult(booking=locked)
    taken: set[int] = set()
    candidates_of: dict[int, list[Item]] = {}
    for line in lines:
        if line.item is not None:
            candidates_of[line.pk] = [line.item]
        elif line.record is not None:
            candidates_of[line.pk] = selectors.free_copies_now(
                line.record, school, locked.starts, locked.ends
            )
    # Lock every candidate copy first, in id order, before the first loan: each loan then
    # locks its record's row (the booking lock), and a desk lending one of these copies at the
    # same instant must not hold a copy this needs while waiting for that record's row.
    every = sorted({copy.pk for copies in candidates_of.values() for copy in copies})
    list(Item.objects.select_for_update().filter(pk__in=every).order_by("pk").values_list("pk"))
    # The loans carry the booking's class, so they show among the class sets out.
    group = locked.group if locked.group_id is not None else None
    with selectors.lending_for(locked):
        for line in lines:
            if line.pk not in candidates_of:
                continue
            assert borrower is not None
            candidates = candidates_of[line.pk]
            lent = 0
            errors: list[str] = []
            for copy in candidates:
                if lent >= line.quantity:
                    break
                if copy.pk in taken:
                    continue
                try:
                    loan = loan_actions.checkout(
                        actor, school, borrower, copy, group=group, today=today
                    ).loan
                except CirculationError as error:
                    errors.append(error.message)
                    continue
                taken.add(copy.pk)
                BookingLoan.objects.create(line=line, loan=loan)
                result.loans.append(loan)
                lent += 1
            if lent < line.quantity:
                title = line.item.record.title if line.item else line.record.title  # type: ignore[union-attr]
                result.problems.append(
                    _("%(short)s of “%(title)s” could not be lent.")
                    % {"short": _copies(line.quantity - lent), "title": title}
                )
                result.problems.extend(dict.fromkeys(errors))
    if lends_copies and not result.loans:
        raise BookingError(
            "nothing_lent",
            " ".join([_("No copy could be lent."), *result.problems]),
        )
    audit.record(
        actor,
        "booking.check_out",
        locked,
        school=school,
        details={
            "lent": [loan.item.barcode for loan in result.loans],
            "problems": result.problems,
        },
    )
    return result


@transaction.atomic
def check_return(actor: Actor, booking: Booking, *, close: bool = False) -> selectors.ReturnState:
    """See which lent copies are back; the booking is returned when all are (or ``close``).

    Copies come back through the desk's ordinary checkin, one scan each; this is the
    librarian's look at the whole class set afterwards.
    """
    locked = _locked(booking)
    school = locked.school
    require(actor, Perm.CIRCULATION_DESK, school)
    _refuse_change(locked, BookingState.RETURNED)
    state = selectors.return_state(locked)
    if state.complete or close:
        locked.state = BookingState.RETURNED
        locked.closed_at = timezone.now()
        locked.save(update_fields=["state", "closed_at"])
        audit.record(
            actor,
            "booking.return",
            locked,
            school=school,
            details={
                "back": [loan.item.barcode for loan in state.back],
                "out": [loan.item.barcode for loan in state.out],
            },
        )
    return state


# --- Reminders ---------------------------------------------------------------------------------


def send_reminders(actor: Actor, today: dt.date | None = None) -> int:
    """Remind the teacher of each booking starting tomorrow, once (a notice row per booking).

    One transaction per booking, so one bad address does not hold back the others; running it
    again sends nothing twice.
    """
    today = today or _today()
    sent = 0
    for candidate in selectors.reminders_due(today):
        with transaction.atomic():
            booking = _locked(candidate)
            if BookingNotice.objects.filter(
                booking=booking, kind=BookingNotice.Kind.REMINDER
            ).exists():
                continue
            if booking.state != BookingState.PLANNED:
                continue
            if _notify(booking, BookingNotice.Kind.REMINDER):
                audit.record(actor, "booking.remind", booking, school=booking.school)
                sent += 1
    return sent


# --- Rooms and equipment -----------------------------------------------------------------------

RESOURCE_FIELDS = ("kind", "name", "description", "location", "units", "active")


def _check_resource_values(resource: Resource) -> None:
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


@transaction.atomic
def create_resource(
    actor: Actor,
    school: School,
    *,
    kind: str,
    name: str,
    description: str = "",
    location: Location | None = None,
    units: int = 1,
    active: bool = True,
) -> Resource:
    require(actor, Perm.SCHOOL_MANAGE, school)
    resource = Resource(
        school=school,
        kind=kind,
        name=name.strip(),
        description=description,
        location=location,
        units=units,
        active=active,
    )
    _check_resource_values(resource)
    resource.save()
    audit.record(actor, "resource.create", resource, school=school, details={"kind": kind})
    return resource


@transaction.atomic
def update_resource(actor: Actor, resource: Resource, **values: Any) -> Resource:
    require(actor, Perm.SCHOOL_MANAGE, resource.school)
    locked = Resource.objects.select_for_update().get(pk=resource.pk)
    for name in RESOURCE_FIELDS:
        if name in values:
            setattr(locked, name, values[name].strip() if name == "name" else values[name])
    _check_resource_values(locked)
    locked.save()
    audit.record(
        actor,
        "resource.change",
        locked,
        school=locked.school,
        details={k: str(v) for k, v in values.items() if k in RESOURCE_FIELDS},
    )
    return locked
