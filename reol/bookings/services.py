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
(through ``lending.latest_due_date``), so a copy cannot be lent past a booking's start
while that booking is being made.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reol.catalog.models import Item, Record
from reol.circulation.actions import loans as loan_actions
from reol.circulation.errors import CirculationError
from reol.circulation.models import Loan
from reol.core import audit
from reol.core.models import Location, School, User
from reol.core.permissions import Actor, Perm, has_perm, require

from . import checks, lending, notify, selectors
from .checks import BookingRequest
from .errors import BookingError
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


def _today() -> dt.date:
    return timezone.localdate()


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
    teacher = _teacher_for(actor, school, teacher, group)
    lines, record_ids, resource_ids = _locked_requests(lines)
    checks.validate(school, starts, ends, lines, start_time, end_time, today)
    checks.check_all_free(
        school,
        lines,
        record_ids,
        resource_ids,
        starts=starts,
        ends=ends,
        start_time=start_time,
        end_time=end_time,
    )
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
    _audit_booking(actor, booking, lines)
    _notify(booking, BookingNotice.Kind.CONFIRMATION)
    return booking


def _teacher_for(actor: Actor, school: School, teacher: User | None, group: Any) -> User | None:
    """Whom the booking is for (by default the person booking), refused unless the booker may
    book for them, they teach at ``school`` and ``group`` is a class of ``school``."""
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
                % {"name": checks.person(teacher), "school": school.name}
            }
        )
    if group is not None and group.school_id != school.pk:
        raise ValidationError({"group": _("That class belongs to another school.")})
    return teacher


def _locked_requests(
    lines: list[BookingRequest],
) -> tuple[list[BookingRequest], list[int], list[int]]:
    """Lock what is asked for, in id order, before checking and counting; the requests again
    with fresh rows (what the caller holds may be stale), and the record and resource ids."""
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
    fresh_lines = [
        BookingRequest(
            record=r.record,
            item=copies.get(r.item.pk) if r.item is not None else None,
            resource=fresh.get(r.resource.pk) if r.resource is not None else None,
            quantity=r.quantity,
        )
        for r in lines
    ]
    return fresh_lines, record_ids, resource_ids


def _audit_booking(actor: Actor, booking: Booking, lines: list[BookingRequest]) -> None:
    teacher = booking.teacher
    audit.record(
        actor,
        "booking.create",
        booking,
        school=booking.school,
        details={
            "starts": booking.starts.isoformat(),
            "ends": booking.ends.isoformat(),
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
    borrower, lines = _lendable(locked, today)
    lends_copies = any(line.resource_id is None for line in lines)
    locked.state = BookingState.CHECKED_OUT
    locked.checked_out_at = timezone.now()
    locked.save(update_fields=["state", "checked_out_at"])
    result = CheckOutResult(booking=locked)
    candidates_of = _locked_candidates(locked, lines)
    taken: set[int] = set()
    with lending.lending_for(locked):
        for line in lines:
            if line.pk not in candidates_of:
                continue
            assert borrower is not None
            lent, errors = _lend_line(
                actor, locked, line, candidates_of[line.pk], borrower, taken, result, today
            )
            if lent < line.quantity:
                title = line.item.record.title if line.item else line.record.title  # type: ignore[union-attr]
                result.problems.append(
                    _("%(short)s of “%(title)s” could not be lent.")
                    % {"short": checks.copies(line.quantity - lent), "title": title}
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


def _lendable(locked: Booking, today: dt.date) -> tuple[User | None, list[BookingLine]]:
    """The borrower and lines of a booking that may be checked out ``today``, or the refusal."""
    _refuse_change(locked, BookingState.CHECKED_OUT)
    if today < locked.starts:
        raise BookingError(
            "not_started",
            _("The booking starts on %(day)s; check it out then.")
            % {"day": checks.day(locked.starts)},
        )
    if today > locked.ends:
        raise BookingError(
            "over", _("The booking ended on %(day)s.") % {"day": checks.day(locked.ends)}
        )
    borrower = locked.teacher or locked.booked_by
    lines = list(locked.lines.select_related("record", "item__record", "resource"))
    if any(line.resource_id is None for line in lines) and borrower is None:
        raise BookingError("no_borrower", _("Say which teacher the copies are lent to."))
    return borrower, lines


def _locked_candidates(locked: Booking, lines: list[BookingLine]) -> dict[int, list[Item]]:
    """Per line that lends copies, the copies it may lend, every one of them locked."""
    candidates_of: dict[int, list[Item]] = {}
    for line in lines:
        if line.item is not None:
            candidates_of[line.pk] = [line.item]
        elif line.record is not None:
            candidates_of[line.pk] = selectors.free_copies_now(
                line.record, locked.school, locked.starts, locked.ends
            )
    # Lock every candidate copy first, in id order, before the first loan: each loan then
    # locks its record's row (the booking lock), and a desk lending one of these copies at the
    # same instant must not hold a copy this needs while waiting for that record's row.
    every = sorted({copy.pk for copies in candidates_of.values() for copy in copies})
    list(Item.objects.select_for_update().filter(pk__in=every).order_by("pk").values_list("pk"))
    return candidates_of


def _lend_line(
    actor: Actor,
    locked: Booking,
    line: BookingLine,
    candidates: list[Item],
    borrower: User,
    taken: set[int],
    result: CheckOutResult,
    today: dt.date,
) -> tuple[int, list[str]]:
    """Lend up to the line's quantity of ``candidates`` not ``taken`` by an earlier line, each
    through circulation's checkout; how many were lent and why the others were refused."""
    # The loans carry the booking's class, so they show among the class sets out.
    group = locked.group if locked.group_id is not None else None
    lent = 0
    errors: list[str] = []
    for copy in candidates:
        if lent >= line.quantity:
            break
        if copy.pk in taken:
            continue
        try:
            loan = loan_actions.checkout(
                actor, locked.school, borrower, copy, group=group, today=today
            ).loan
        except CirculationError as error:
            errors.append(error.message)
            continue
        taken.add(copy.pk)
        BookingLoan.objects.create(line=line, loan=loan)
        result.loans.append(loan)
        lent += 1
    return lent, errors


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
    checks.resource_values(resource)
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
    checks.resource_values(locked)
    locked.save()
    audit.record(
        actor,
        "resource.change",
        locked,
        school=locked.school,
        details={k: str(v) for k, v in values.items() if k in RESOURCE_FIELDS},
    )
    return locked
