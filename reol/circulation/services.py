"""Every write of circulation: ``checkout``, ``checkin``, ``renew``, ``place_hold``,
``cancel_hold`` (and the loan rules' ``save_rule``/``delete_rule``).

Each is one transaction that checks the actor's permission, enforces the rules, writes the
loan/hold, moves the copy through the catalogue's status machine, queues the record for search
(its availability changed) and writes the audit event. The desk page, the API and later the
SIP2 server and the OPAC call these and nothing else. Every refusal is a ``CirculationError``
with a code and a sentence for the librarian.

Concurrency: the copy's row is locked first (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite
the IMMEDIATE transaction already serialises writers), so a second desk scanning the same copy
waits, then sees it on loan and gets the ordinary "already on loan" refusal. Should anything get
past that, the partial unique index on open loans turns the second loan into the same refusal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reol.catalog.models import CirculationType, Item, ItemStatus, Record
from reol.catalog.services import queue_for_search
from reol.catalog.states import can_change
from reol.core import audit
from reol.core.models import Location, School, User
from reol.core.permissions import Actor, Perm, has_perm, require
from reol.patrons.models import Group
from reol.patrons.selectors import borrowing_refusal
from reol.patrons.services import note_return

from . import rules as rulebook
from .errors import CirculationError
from .models import (
    OPEN_HOLD_STATES,
    Hold,
    HoldState,
    Loan,
    LoanPeriod,
    LoanRule,
    LoanState,
    PatronCategory,
    StocktakeScan,
    StocktakeSession,
)
from .selectors import (
    AWAY_STATUSES,
    desk_patron,
    item_by_barcode,
    location_subtree,
    patron_category,
    patron_grade,
    stocktake_report,
)
from .states import IllegalTransition, require_hold_change, require_loan_change

T = TypeVar("T")
HOLD_PICKUP_DAYS = 7  # a ready hold waits this long (then the next open day) on the hold shelf


def _today() -> dt.date:
    return timezone.localdate()


def _day(value: dt.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


# --- Looking up what was scanned ---------------------------------------------------------------


def _patron(
    patron: User | str, school: School, today: dt.date | None = None
) -> tuple[User, str, int | None]:
    """The patron, their category and grade at ``school``; refused when unknown there or
    blocked. One query (``selectors.desk_patron``); the patrons app words a refusal."""
    today = today or _today()
    found = desk_patron(patron, school, today)
    if found is None:
        raise CirculationError(
            "unknown_patron",
            _("No patron has the card or username %(code)s.") % {"code": patron},
            status=422,
        )
    person = found.person
    if not person.is_active:
        raise CirculationError(
            "patron_blocked",
            _("%(name)s may not borrow: the account is closed.") % {"name": person},
        )
    category = patron_category(person, school)
    if category is None:
        raise CirculationError(
            "unknown_patron",
            _("%(name)s is not a patron at %(school)s.") % {"name": person, "school": school.name},
            status=422,
        )
    if not found.may_borrow:  # blocked, expired, left the school: the patrons app says how
        refusal = borrowing_refusal(person, school, today)
        if refusal is not None:
            raise CirculationError("patron_blocked", refusal)
    return person, category, found.grade


def _copy_columns() -> list[str]:
    """What a desk action reads of a copy: all of the copy and its school, and of its record
    only what the messages and the answer show. The record's MARC and its JSON extracts are
    left in the database: decoding them cost more than the rest of the row."""
    record = ("record__title", "record__subtitle", "record__shelf_mark", "record__municipality")
    return [
        *(f.name for f in Item._meta.concrete_fields),
        *record,
        *(f"school__{f.name}" for f in School._meta.concrete_fields),
    ]


def _first(queryset: Any) -> Any:
    """The first row, without the ``ORDER BY`` that ``first()`` adds (one row is expected)."""
    return next(iter(queryset[:1]), None)


def _locked_item(item: Item | str, school: School, *, lock_record: bool = False) -> Item:
    """The copy, locked for this transaction. A copy of another municipality is unknown here.

    ``lock_record`` locks the record's row in the same statement (checkout: the bookings'
    check needs it locked, see ``bookings.selectors.latest_due_date``).
    """
    of = ("self", "record") if lock_record else ("self",)
    locked = (
        Item.objects.select_for_update(of=of)
        .select_related("record", "school")
        .only(*_copy_columns())
        .order_by()
    )
    if isinstance(item, Item):
        barcode = item.barcode
        found = _first(locked.filter(pk=item.pk))
    else:
        # Looked up and locked in one query; a barcode typed in another case is looked up first.
        barcode = item.strip()
        found = _first(locked.filter(barcode=barcode)) if barcode else None
        if found is None and barcode:
            loose = item_by_barcode(barcode)
            found = _first(locked.filter(pk=loose.pk)) if loose is not None else None
    if found is None or found.school.municipality_id != school.municipality_id:
        raise CirculationError(
            "unknown_item",
            _("No copy has the barcode %(barcode)s.") % {"barcode": barcode},
            status=422,
        )
    return found


def _title(item: Item) -> str:
    return item.record.title


def _move_item(item: Item, new_status: str) -> None:
    """Change the copy's status through the catalogue's state machine (``catalog.states``).

    Not ``catalog.services.change_item_status``: that one is the cataloguer's action (it needs
    CATALOG_EDIT, which desk volunteers lack, and writes its own audit event per change); here
    the circulation event is the audit record and the caller queues the record for search.
    """
    if item.status == new_status:
        return
    if not can_change(item.status, new_status):
        raise IllegalTransition(f"item {item.status} → {new_status}")
    item.status = new_status
    item.save(update_fields=["status", "updated_at"])


def _refuse_unlendable_status(item: Item) -> None:
    status = item.status
    if status == ItemStatus.IN_TRANSIT:
        raise CirculationError(
            "item_in_transit",
            _("“%(title)s” is in transit to %(school)s. Check it in first.")
            % {"title": _title(item), "school": item.school.name},
        )
    if status == ItemStatus.WITHDRAWN:
        raise CirculationError(
            "item_withdrawn",
            _("“%(title)s” has been withdrawn from the collection and cannot be lent.")
            % {"title": _title(item)},
        )
    if status in (ItemStatus.MISSING, ItemStatus.LOST, ItemStatus.DAMAGED):
        raise CirculationError(
            "item_unavailable",
            _("“%(title)s” is registered as %(status)s. Check it in first to put it back.")
            % {"title": _title(item), "status": ItemStatus(status).label},
        )


# --- Holds, as checkout and checkin see them ------------------------------------------------


def _next_waiting_hold(item: Item, *, exclude_patron: User | None = None) -> Hold | None:
    """The first waiting hold this copy can fill: at its school, for its record or for it."""
    holds = Hold.objects.select_for_update(of=("self",)).filter(
        state=HoldState.WAITING, school_id=item.school_id, record_id=item.record_id
    )
    holds = holds.filter(Q(item_specific=False) | Q(item=item))
    if exclude_patron is not None:
        holds = holds.exclude(patron=exclude_patron)
    return holds.select_related("patron").order_by("placed_at", "id").first()


def _make_ready(hold: Hold, item: Item, today: dt.date) -> None:
    require_hold_change(hold.state, HoldState.READY)
    calendar = rulebook.calendar_for(item.school, today)
    pickup = today + dt.timedelta(days=HOLD_PICKUP_DAYS)
    hold.state = HoldState.READY
    hold.item = item
    hold.ready_at = timezone.now()
    hold.pickup_by = calendar.next_open(pickup) or pickup
    hold.save(update_fields=["state", "item", "ready_at", "pickup_by"])


def _unready(hold: Hold) -> None:
    """A ready hold goes back to the queue (its copy went to someone else), keeping its place."""
    require_hold_change(hold.state, HoldState.WAITING)
    hold.state = HoldState.WAITING
    if not hold.item_specific:
        hold.item = None
    hold.ready_at = None
    hold.pickup_by = None
    hold.save(update_fields=["state", "item", "ready_at", "pickup_by"])


def _close_hold(hold: Hold, state: str) -> None:
    require_hold_change(hold.state, state)
    hold.state = state
    hold.closed_at = timezone.now()
    hold.save(update_fields=["state", "closed_at", "item"])


def _release(item: Item, today: dt.date) -> None:
    """A copy on the hold shelf whose hold closed: to the next in the queue, or to the shelf."""
    following = _next_waiting_hold(item)
    if following is not None:
        _make_ready(following, item, today)
    else:
        _move_item(item, ItemStatus.AVAILABLE)


# --- One batch of checkouts (a class set) reads the same things once --------------------------

_batch: ContextVar[dict[Any, Any] | None] = ContextVar("reol_circulation_batch", default=None)


def _key(value: Any) -> Any:
    return value.pk if isinstance(value, User) else value


def _memo(key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """``compute()``, once per key while a batch runs (the patron, the rules, the calendar's due
    date are the same for all 28 copies of a class set); outside a batch, every time."""
    cache = _batch.get()
    if cache is None:
        return compute()
    if key not in cache:
        cache[key] = compute()
    found: T = cache[key]
    return found


@contextmanager
def _one_batch() -> Iterator[None]:
    token = _batch.set({})
    try:
        yield
    finally:
        _batch.reset(token)


# --- Checkout ----------------------------------------------------------------------------------


@dataclass
class CheckoutResult:
    loan: Loan
    due: rulebook.DueDate
    hold_collected: Hold | None = None
    overrode_hold_of: User | None = None


@transaction.atomic
def checkout(
    actor: Actor,
    school: School,
    patron: User | str,
    item: Item | str,
    *,
    override_hold: bool = False,
    overrides: frozenset[str] | set[str] = frozenset(),
    group: Group | None = None,
    today: dt.date | None = None,
) -> CheckoutResult:
    """Lend a copy of ``school`` to a patron of ``school``.

    ``overrides`` names the overridable refusals the librarian chose to pass
    (``on_hold_for_other``, ``already_has_title``); ``override_hold`` is the first of them.
    Each override is audited.
    """
    require(actor, Perm.CIRCULATION_DESK, school)
    if override_hold:
        overrides = {*overrides, "on_hold_for_other"}
    today = today or _today()
    person, category, grade = _memo(
        ("patron", _key(patron), school.pk), lambda: _patron(patron, school, today)
    )
    copy = _locked_item(item, school, lock_record=True)
    if copy.status == ItemStatus.ON_LOAN:
        current = (
            Loan.objects.filter(item=copy, returned_at__isnull=True)
            .select_related("patron")
            .first()
        )
        if current is not None and current.patron_id == person.pk:
            raise CirculationError(
                "already_on_loan",
                _("%(name)s already has “%(title)s” (due %(due)s). Renew it instead?")
                % {"name": person, "title": _title(copy), "due": _day(current.due_date)},
                same_patron=True,
            )
        raise CirculationError(
            "already_on_loan",
            _("“%(title)s” is already on loan to %(name)s. Check it in first, then lend it.")
            % {"title": _title(copy), "name": current.patron if current else "?"},
        )
    _refuse_unlendable_status(copy)
    if copy.school_id != school.pk:
        raise CirculationError(
            "other_school",
            _("This copy belongs to %(school)s. Check it in to send it home.")
            % {"school": copy.school.name},
        )
    terms = _memo(("terms", school.pk, today), lambda: rulebook.lending_terms(school, today))
    rule = rulebook.pick_rule(terms.rules, category, grade, copy.circulation_type)
    if rule is None or not rule.lends:
        raise CirculationError(
            "not_for_loan",
            _("“%(title)s” is %(type)s: not for loan to a %(category)s.")
            % {
                "title": _title(copy),
                "type": CirculationType(copy.circulation_type).label,
                "category": PatronCategory(category).label,
            },
        )
    count = Loan.objects.filter(
        patron=person,
        school=school,
        returned_at__isnull=True,
        item__circulation_type=copy.circulation_type,
    ).count()
    if count >= rule.max_loans:
        raise CirculationError(
            "too_many_loans",
            _("%(name)s already has %(count)s loans of this kind; the most allowed is %(max)s.")
            % {"name": person, "count": count, "max": rule.max_loans},
        )

    # A student borrows one copy of a title (so a class's copies go round); staff take more.
    second_copy = None
    if category == PatronCategory.STUDENT:
        second_copy = (
            Loan.objects.filter(patron=person, item__record_id=copy.record_id)
            .filter(returned_at__isnull=True)
            .select_related("item")
            .first()
        )
        if second_copy is not None and "already_has_title" not in overrides:
            raise CirculationError(
                "already_has_title",
                _("%(name)s already has a copy of “%(title)s” (%(barcode)s).")
                % {"name": person, "title": _title(copy), "barcode": second_copy.item.barcode},
                overridable=True,
            )

    # Holds: a copy trapped for (or asked for by) someone else is theirs unless overridden.
    # One query (usually no rows): the open holds on this copy and the patron's on its title.
    holds = list(
        Hold.objects.select_for_update(of=("self",))
        .filter(
            Q(item=copy, state__in=OPEN_HOLD_STATES)
            | Q(patron=person, record_id=copy.record_id, state__in=OPEN_HOLD_STATES)
        )
        .order_by("placed_at", "id")
    )
    ready = next((h for h in holds if h.item_id == copy.pk and h.state == HoldState.READY), None)
    theirs = ready if ready is not None and ready.patron_id != person.pk else None
    if theirs is None:
        theirs = next(
            (
                h
                for h in holds
                if h.item_id == copy.pk
                and h.item_specific
                and h.state == HoldState.WAITING
                and h.patron_id != person.pk
            ),
            None,
        )
    overrode: User | None = None
    if theirs is not None:
        if "on_hold_for_other" not in overrides:
            raise CirculationError(
                "on_hold_for_other",
                _("“%(title)s” is on hold for %(name)s.")
                % {"title": _title(copy), "name": theirs.patron},
                overridable=True,
            )
        overrode = theirs.patron
        if theirs.state == HoldState.READY:
            _unready(theirs)
    own = ready if ready is not None and ready.patron_id == person.pk else None
    if own is None:
        own = next(
            (
                h
                for h in holds
                if h.patron_id == person.pk
                and h.record_id == copy.record_id
                and h.state in OPEN_HOLD_STATES
            ),
            None,
        )
    # Their hold had another copy waiting on the hold shelf: that one goes to the next in line.
    released: Item | None = None
    if own is not None and own.state == HoldState.READY and own.item_id not in (None, copy.pk):
        released = (
            Item.objects.select_for_update(of=("self",))
            .select_related("record", "school")
            .get(pk=own.item_id or 0)
        )

    due = rulebook.due_on(rule, terms.calendar, today)
    from reol.bookings.selectors import latest_due_date  # lazy: bookings builds on circulation

    booked = latest_due_date(copy, school, due.date, today=today, record_locked=True)
    if booked is not None:
        if booked.date < today:  # a booking needs this copy today
            raise CirculationError("booked", booked.reason)
        due = rulebook.DueDate(date=booked.date, nominal=due.nominal)
    _move_item(copy, ItemStatus.ON_LOAN)
    now = timezone.now()
    # No savepoint around the insert: a violation ends this checkout anyway, and the refusal
    # leaves through ``checkout``'s own atomic block, which rolls it all back (to its savepoint
    # when a class set or a booking called it), so nothing runs on the failed transaction.
    try:
        loan = Loan.objects.create(
            school=school,
            item=copy,
            patron=person,
            patron_category=category,
            loan_date=today,
            checked_out_at=now,
            due_date=due.date,
            group=group,
        )
    except IntegrityError as error:  # the unique index: someone lent it a moment ago
        raise CirculationError(
            "already_on_loan",
            _("“%(title)s” is already on loan. Check it in first, then lend it.")
            % {"title": _title(copy)},
        ) from error
    if own is not None:
        own.item = copy
        _close_hold(own, HoldState.FULFILLED)
    if released is not None:
        _release(released, today)
    queue_for_search([copy.record_id])
    details: dict[str, Any] = {
        "item": copy.barcode,
        "patron": person.username,
        "due": due.date.isoformat(),
    }
    if own is not None:
        details["hold"] = own.pk
    if group is not None:
        details["group"] = group.name
    if overrode is not None:
        details["override_hold_of"] = overrode.username
        audit.record(
            actor,
            "loan.override_hold",
            copy,
            school=school,
            details={
                "item": copy.barcode,
                "hold_of": overrode.username,
                "lent_to": person.username,
            },
        )
    if second_copy is not None:
        details["override_title"] = second_copy.item.barcode
        audit.record(
            actor,
            "loan.override_title",
            copy,
            school=school,
            details={
                "item": copy.barcode,
                "already_has": second_copy.item.barcode,
                "lent_to": person.username,
            },
        )
    audit.record(actor, "loan.checkout", loan, school=school, details=details)
    loan.item = copy
    return CheckoutResult(loan=loan, due=due, hold_collected=own, overrode_hold_of=overrode)


# --- Checkin -----------------------------------------------------------------------------------


class Route:
    SHELF = "shelf"
    HOLD_SHELF = "hold_shelf"
    TRANSIT = "transit"


@dataclass
class CheckinResult:
    item: Item
    route: str
    loan: Loan | None = None  # the loan just closed, if there was one
    hold: Hold | None = None  # the hold now ready (route HOLD_SHELF)
    found: bool = False  # the copy was registered missing or lost
    overdue_days: int = 0


@transaction.atomic
def checkin(
    actor: Actor, school: School, item: Item | str, *, today: dt.date | None = None
) -> CheckinResult:
    """Take a copy back at ``school`` and say where it goes next.

    To the hold shelf when someone waits for it here, in transit when it belongs to another
    school, else back on the shelf. A missing or lost copy that turns up is found again.
    """
    require(actor, Perm.CIRCULATION_DESK, school)
    today = today or _today()
    copy = _locked_item(item, school)
    if copy.status in (ItemStatus.WITHDRAWN, ItemStatus.DAMAGED):
        raise CirculationError(
            "item_unavailable",
            _("“%(title)s” is registered as %(status)s; change that in the catalogue.")
            % {"title": _title(copy), "status": ItemStatus(copy.status).label},
        )
    loan = (
        Loan.objects.select_for_update(of=("self",))
        .filter(item=copy, returned_at__isnull=True)
        .select_related("patron")
        .first()
    )
    result = CheckinResult(item=copy, route=Route.SHELF, loan=loan)
    if loan is not None:
        require_loan_change(loan.state, LoanState.RETURNED)
        result.overdue_days = max(0, (today - loan.due_date).days)
        loan.state = LoanState.RETURNED
        loan.returned_at = max(timezone.now(), loan.checked_out_at)
        loan.returned_school = school
        # Privacy by default: a student's returned loan forgets the student (rule 7).
        if loan.patron_category == PatronCategory.STUDENT and note_return(loan):
            loan.patron = None
        loan.save(update_fields=["state", "returned_at", "returned_school", "patron"])
    if copy.status in (ItemStatus.MISSING, ItemStatus.LOST):
        result.found = True
        _move_item(copy, ItemStatus.AVAILABLE)

    ready = (
        Hold.objects.select_for_update(of=("self",))
        .filter(item=copy, state=HoldState.READY)
        .select_related("patron", "record")
        .first()
    )
    if copy.school_id != school.pk:
        result.route = Route.TRANSIT
        if ready is not None:  # it left its hold shelf: the hold waits for the next copy
            _unready(ready)
        _move_item(copy, ItemStatus.IN_TRANSIT)
    else:
        hold = ready or _next_waiting_hold(copy)
        if hold is not None:
            if hold.state == HoldState.WAITING:
                _make_ready(hold, copy, today)
            result.route, result.hold = Route.HOLD_SHELF, hold
            _move_item(copy, ItemStatus.ON_HOLD_SHELF)
        else:
            _move_item(copy, ItemStatus.AVAILABLE)
    queue_for_search([copy.record_id])
    audit.record(
        actor,
        "loan.checkin",
        loan if loan is not None else copy,
        school=school,
        details={
            "item": copy.barcode,
            "route": result.route,
            "found": result.found,
            "hold": result.hold.pk if result.hold else None,
        },
    )
    return result


# --- Renewal -----------------------------------------------------------------------------------


def _may_act_for(actor: Actor, patron: User | None, school: School) -> None:
    """Staff at the desk of ``school``, or the patron themself (the OPAC, self-service)."""
    if has_perm(actor, Perm.CIRCULATION_DESK, school):
        return
    if isinstance(actor, User) and patron is not None and actor.pk == patron.pk:
        return
    require(actor, Perm.CIRCULATION_DESK, school)  # raises with the usual message


@transaction.atomic
def renew(actor: Actor, school: School, item: Item | str, *, today: dt.date | None = None) -> Loan:
    """Give the loan of this copy a new due date, counted from today by the same rule."""
    today = today or _today()
    copy = _locked_item(item, school)
    loan = (
        Loan.objects.select_for_update(of=("self",))
        .filter(item=copy, returned_at__isnull=True, state=LoanState.ACTIVE)
        .select_related("patron", "school__municipality")
        .first()
    )
    if loan is None:
        raise CirculationError(
            "not_on_loan", _("“%(title)s” is not on loan.") % {"title": _title(copy)}
        )
    _may_act_for(actor, loan.patron, loan.school)
    terms = rulebook.lending_terms(loan.school, today)
    rule = rulebook.pick_rule(
        terms.rules,
        loan.patron_category,
        patron_grade(loan.patron, loan.school) if loan.patron else None,
        copy.circulation_type,
    )
    if rule is None or not rule.lends:
        raise CirculationError(
            "not_for_loan",
            _("“%(title)s” can no longer be lent, so it cannot be renewed.")
            % {"title": _title(copy)},
        )
    if loan.renewals >= rule.max_renewals:
        raise CirculationError(
            "renewal_limit",
            _("“%(title)s” has been renewed %(count)s times, the most allowed.")
            % {"title": _title(copy), "count": loan.renewals},
        )
    if _next_waiting_hold(copy, exclude_patron=loan.patron) is not None:
        raise CirculationError(
            "on_hold_for_other",
            _("Someone is waiting for “%(title)s”, so it cannot be renewed.")
            % {"title": _title(copy)},
        )
    due = rulebook.due_on(rule, terms.calendar, today)
    # A booking of this copy (or of every free copy of its title) caps the new due date, as at
    # checkout; a renewal that would not reach past the current due date is refused.
    from reol.bookings.selectors import latest_due_date  # lazy: bookings builds on circulation

    booked = latest_due_date(copy, loan.school, due.date, today=today)
    if booked is not None:
        if booked.date <= loan.due_date:
            raise CirculationError(
                "booked",
                _("“%(title)s” is booked, so it cannot be renewed; it is due back on %(due)s.")
                % {"title": _title(copy), "due": _day(loan.due_date)},
            )
        due = rulebook.DueDate(date=booked.date, nominal=due.nominal)
    if due.date <= loan.due_date:
        raise CirculationError(
            "renewal_not_later",
            _("Renewing would not give “%(title)s” a later due date than %(due)s.")
            % {"title": _title(copy), "due": _day(loan.due_date)},
        )
    require_loan_change(loan.state, LoanState.ACTIVE)
    old = loan.due_date
    loan.due_date = due.date
    loan.renewals += 1
    loan.save(update_fields=["due_date", "renewals"])
    audit.record(
        actor,
        "loan.renew",
        loan,
        school=loan.school,
        details={"item": copy.barcode, "from": old.isoformat(), "to": due.date.isoformat()},
    )
    loan.item = copy
    return loan


# --- Holds -------------------------------------------------------------------------------------


@transaction.atomic
def place_hold(
    actor: Actor,
    school: School,
    patron: User | str,
    *,
    record: Record | None = None,
    item: Item | str | None = None,
) -> Hold:
    """Queue a patron for a title (the first copy back at ``school``) or for one copy.

    Self-service (a student or teacher placing their own hold, as in the OPAC) is refused
    with ``on_shelf_here`` while a copy is on the shelf at ``school``: it is fetched, not
    reserved. Staff placing a hold for someone else may (they may be putting it aside).
    """
    person, category, grade = _patron(patron, school)
    _may_act_for(actor, person, school)
    self_service = isinstance(actor, User) and actor.pk == person.pk
    copy: Item | None = None
    if item is not None:
        copy = _locked_item(item, school)
        if copy.school_id != school.pk:
            raise CirculationError(
                "other_school",
                _("This copy belongs to %(school)s; place the hold there.")
                % {"school": copy.school.name},
            )
        record = copy.record
    if record is None or record.municipality_id != school.municipality_id:
        raise CirculationError("unknown_record", _("There is no such title."), status=422)
    copies = list(
        Item.objects.filter(record=record, school=school).exclude(
            status__in=[ItemStatus.WITHDRAWN, ItemStatus.LOST]
        )
    )
    if copy is not None:
        copies = [copy]
    if not copies:
        raise CirculationError(
            "no_copies",
            _("%(school)s has no copies of “%(title)s” to hold.")
            % {"school": school.name, "title": record.title},
        )
    if self_service:
        shelved = sorted(
            (c for c in copies if c.status == ItemStatus.AVAILABLE), key=lambda c: c.barcode
        )
        if shelved:
            shelved[0].record = record
            raise CirculationError("on_shelf_here", _on_shelf_here(school, shelved[0]))
    rules = rulebook.rules_of(school)
    allowed = [
        c
        for c in copies
        if (r := rulebook.pick_rule(rules, category, grade, c.circulation_type)) is not None
        and r.lends
        and r.holds_allowed
    ]
    if not allowed:
        raise CirculationError(
            "holds_not_allowed",
            _("A %(category)s cannot place holds on “%(title)s”.")
            % {"category": PatronCategory(category).label, "title": record.title},
        )
    if Loan.objects.filter(patron=person, item__record=record, returned_at__isnull=True).exists():
        raise CirculationError(
            "already_has_it",
            _("%(name)s already has “%(title)s” on loan.")
            % {"name": person, "title": record.title},
        )
    duplicate = CirculationError(
        "hold_exists",
        _("%(name)s already has a hold on “%(title)s”.") % {"name": person, "title": record.title},
    )
    if Hold.objects.filter(patron=person, record=record, state__in=OPEN_HOLD_STATES).exists():
        raise duplicate
    try:
        with transaction.atomic():
            hold = Hold.objects.create(
                school=school,
                record=record,
                item=copy,
                item_specific=copy is not None,
                patron=person,
                placed_at=timezone.now(),
            )
    except IntegrityError as error:
        raise duplicate from error
    audit.record(
        actor,
        "hold.place",
        hold,
        school=school,
        details={
            "record": record.pk,
            "item": copy.barcode if copy else None,
            "patron": person.username,
        },
    )
    return hold


def _on_shelf_here(school: School, copy: Item) -> str:
    """Where to fetch a copy instead of reserving it (the OPAC's words)."""
    mark = copy.effective_shelf_mark
    if mark:
        return _(
            "It is on the shelf at %(school)s — shelf mark %(mark)s. "
            "You can fetch it there; no need to reserve it."
        ) % {"school": school.name, "mark": mark}
    return _("It is on the shelf at %(school)s. You can fetch it there; no need to reserve it.") % {
        "school": school.name
    }


@transaction.atomic
def cancel_hold(actor: Actor, hold: Hold | int, *, today: dt.date | None = None) -> Hold:
    """Cancel a hold. A copy waiting on the hold shelf goes to the next in the queue, or home."""
    pk = hold.pk if isinstance(hold, Hold) else hold
    locked = (
        Hold.objects.select_for_update(of=("self",))
        .select_related("school", "patron", "record")
        .filter(pk=pk)
        .first()
    )
    if locked is None:
        raise CirculationError("unknown_hold", _("There is no such hold."), status=422)
    _may_act_for(actor, locked.patron, locked.school)
    if not locked.is_open:
        raise CirculationError(
            "hold_closed",
            _("This hold is already %(state)s.") % {"state": HoldState(locked.state).label},
        )
    copy: Item | None = None
    if locked.state == HoldState.READY and locked.item_id is not None:
        copy = (
            Item.objects.select_for_update(of=("self",))
            .select_related("record", "school")
            .get(pk=locked.item_id)
        )
    _close_hold(locked, HoldState.CANCELLED)
    if copy is not None:
        _release(copy, today or _today())
        queue_for_search([copy.record_id])
    audit.record(
        actor,
        "hold.cancel",
        locked,
        school=locked.school,
        details={"record": locked.record_id, "patron": locked.patron.username},
    )
    return locked


@transaction.atomic
def expire_hold(actor: Actor, hold: Hold | int, *, today: dt.date | None = None) -> Hold | None:
    """Expire a ready hold not collected by its collect-by date; the copy moves on (to the next
    in the queue, else back on the shelf). None when it was collected or closed meanwhile."""
    today = today or _today()
    pk = hold.pk if isinstance(hold, Hold) else hold
    locked = (
        Hold.objects.select_for_update(of=("self",))
        .select_related("school", "patron", "record")
        .filter(pk=pk, state=HoldState.READY, pickup_by__lt=today)
        .first()
    )
    if locked is None:
        return None
    require(actor, Perm.CIRCULATION_DESK, locked.school)
    copy = (
        Item.objects.select_for_update(of=("self",))
        .select_related("record", "school")
        .get(pk=locked.item_id or 0)
    )
    _close_hold(locked, HoldState.EXPIRED)
    if copy.status == ItemStatus.ON_HOLD_SHELF:
        _release(copy, today)
        queue_for_search([copy.record_id])
    audit.record(
        actor,
        "hold.expire",
        locked,
        school=locked.school,
        details={
            "record": locked.record_id,
            "item": copy.barcode,
            "patron": locked.patron.username,
            "pickup_by": locked.pickup_by.isoformat() if locked.pickup_by else None,
        },
    )
    return locked


# --- Loan rules --------------------------------------------------------------------------------

RULE_FIELDS = (
    "patron_category",
    "grade_min",
    "grade_max",
    "circulation_type",
    "period",
    "loan_days",
    "fixed_due_date",
    "max_loans",
    "max_renewals",
    "holds_allowed",
)


def _materialise_defaults(school: School) -> None:
    """A school's first edit turns the built-in rules into its own rows."""
    if not LoanRule.objects.filter(school=school).exists():
        LoanRule.objects.bulk_create(rulebook.default_rules(school))


@transaction.atomic
def save_rule(
    actor: Actor, school: School, rule: LoanRule | None = None, **values: Any
) -> LoanRule:
    """Add a loan rule, or change one of the school's (``rule``)."""
    require(actor, Perm.SCHOOL_MANAGE, school)
    _materialise_defaults(school)
    if rule is not None and rule.pk is not None:
        if rule.school_id != school.pk:
            raise PermissionDenied(_("That rule belongs to another school."))
        target = LoanRule.objects.select_for_update().get(pk=rule.pk)
    else:
        target = LoanRule(school=school)
    for name in RULE_FIELDS:
        if name in values:
            setattr(target, name, values[name])
    problems: dict[str, str] = {}
    if target.period == LoanPeriod.DAYS and not target.loan_days:
        problems["loan_days"] = _("Give the number of days.")
    if target.period == LoanPeriod.FIXED_DATE and target.fixed_due_date is None:
        problems["fixed_due_date"] = _("Give the due date.")
    if target.patron_category != PatronCategory.STUDENT and (
        target.grade_min is not None or target.grade_max is not None
    ):
        problems["grade_min"] = _("Only rules for students have grades.")
    if (
        target.grade_min is not None
        and target.grade_max is not None
        and target.grade_max < target.grade_min
    ):
        problems["grade_max"] = _("The last grade comes before the first.")
    if problems:
        raise ValidationError(problems)
    if target.period != LoanPeriod.DAYS:
        target.loan_days = None
    if target.period != LoanPeriod.FIXED_DATE:
        target.fixed_due_date = None
    target.full_clean(exclude=["school"])
    created = target.pk is None
    target.save()
    audit.record(
        actor,
        "loan_rule.add" if created else "loan_rule.change",
        target,
        school=school,
        details={name: str(getattr(target, name)) for name in RULE_FIELDS},
    )
    return target


@transaction.atomic
def adopt_default_rules(actor: Actor, school: School) -> list[LoanRule]:
    """Make the built-in rules the school's own rows, to edit them (no-op if it has rules)."""
    require(actor, Perm.SCHOOL_MANAGE, school)
    if not LoanRule.objects.filter(school=school).exists():
        _materialise_defaults(school)
        audit.record(actor, "loan_rule.adopt", school, school=school)
    return list(LoanRule.objects.filter(school=school))


@transaction.atomic
def delete_rule(actor: Actor, school: School, rule: LoanRule) -> None:
    require(actor, Perm.SCHOOL_MANAGE, school)
    if rule.school_id != school.pk:
        raise PermissionDenied(_("That rule belongs to another school."))
    audit.record(actor, "loan_rule.remove", rule, school=school)
    rule.delete()


# --- Stocktaking -------------------------------------------------------------------------------


def _school_location(school: School, location: Location | int | None) -> Location | None:
    if location is None:
        return None
    pk = location.pk if isinstance(location, Location) else location
    found = Location.objects.filter(pk=pk, school=school).first()
    if found is None:
        raise CirculationError(
            "unknown_location",
            _("%(school)s has no such location.") % {"school": school.name},
            status=422,
        )
    return found


@transaction.atomic
def open_stocktake(
    actor: Actor, school: School, *, location: Location | int | None = None, name: str = ""
) -> StocktakeSession:
    """Start counting a school's copies (or one location's, with what is inside it)."""
    require(actor, Perm.CIRCULATION_DESK, school)
    place = _school_location(school, location)
    session = StocktakeSession.objects.create(
        school=school,
        location=place,
        name=name.strip()[:100],
        opened_by=actor if isinstance(actor, User) else None,
        opened_at=timezone.now(),
    )
    audit.record(
        actor,
        "stocktake.open",
        session,
        school=school,
        details={"location": place.code if place else None, "name": session.name},
    )
    return session


def _open_session(session: StocktakeSession | int) -> StocktakeSession:
    pk = session.pk if isinstance(session, StocktakeSession) else session
    locked = (
        StocktakeSession.objects.select_for_update(of=("self",))
        .select_related("school__municipality", "location")
        .filter(pk=pk)
        .first()
    )
    if locked is None:
        raise CirculationError(
            "unknown_stocktake", _("There is no such stocktaking session."), status=422
        )
    return locked


@dataclass
class ScanResult:
    scan: StocktakeScan
    created: bool  # False: the copy had been counted already in this session
    # What the person scanning should do with the copy now, if anything: it belongs to another
    # school or on another shelf, or the system has it as away (on loan, missing, lost, in
    # transit). The report lists these again when the session closes.
    warning: str = ""


@transaction.atomic
def record_scan(
    actor: Actor,
    session: StocktakeSession | int,
    barcode: str,
    *,
    location: Location | int | None = None,
) -> ScanResult:
    """Count one copy as seen (at ``location``, else the session's). Counting twice is harmless."""
    locked = _open_session(session)
    school = locked.school
    require(actor, Perm.CIRCULATION_DESK, school)
    if not locked.is_open:
        raise CirculationError(
            "stocktake_closed", _("This stocktaking session is closed; open a new one.")
        )
    barcode = barcode.strip()
    copy = item_by_barcode(barcode) if barcode else None
    if copy is None or copy.school.municipality_id != school.municipality_id:
        raise CirculationError(
            "unknown_item",
            _("No copy has the barcode %(barcode)s.") % {"barcode": barcode},
            status=422,
        )
    place = _school_location(school, location) if location is not None else locked.location
    existing = StocktakeScan.objects.filter(session=locked, item=copy).first()
    if existing is not None:
        existing.item = copy
        return ScanResult(scan=existing, created=False)
    try:
        with transaction.atomic():
            scan = StocktakeScan.objects.create(
                session=locked,
                item=copy,
                location=place,
                scanned_at=timezone.now(),
                scanned_by=actor if isinstance(actor, User) else None,
            )
    except IntegrityError:  # the same copy from a second phone at the same instant
        scan = StocktakeScan.objects.get(session=locked, item=copy)
        return ScanResult(scan=scan, created=False)
    audit.record(
        actor,
        "stocktake.scan",
        locked,
        school=school,
        details={"item": copy.barcode, "location": place.code if place else None},
    )
    scan.item = copy
    return ScanResult(scan=scan, created=True, warning=_scan_warning(copy, school, place))


def _scan_warning(copy: Item, school: School, place: Location | None) -> str:
    if copy.school_id != school.pk:
        return _("It belongs to %(school)s: put it aside to send back.") % {
            "school": copy.school.name
        }
    if copy.status in AWAY_STATUSES:
        return _("The system has it as “%(status)s”: take it to the desk.") % {
            "status": copy.get_status_display()
        }
    where = location_subtree(place.pk if place else None, school)
    shelf = copy.location
    if where is not None and shelf is not None and shelf.pk not in where:
        return _("It belongs in %(location)s.") % {"location": shelf.name}
    return ""


@transaction.atomic
def close_stocktake(actor: Actor, session: StocktakeSession | int) -> StocktakeSession:
    """Stop counting; the report stays, and copies may still be marked missing from it."""
    locked = _open_session(session)
    require(actor, Perm.CIRCULATION_DESK, locked.school)
    if locked.is_open:
        locked.closed_at = timezone.now()
        locked.save(update_fields=["closed_at"])
        audit.record(
            actor,
            "stocktake.close",
            locked,
            school=locked.school,
            details={"scanned": locked.scans.count()},
        )
    return locked


@transaction.atomic
def mark_missing(
    actor: Actor, session: StocktakeSession | int, items: list[int] | None = None
) -> list[Item]:
    """Register the copies the count did not find as missing (all of them, or those named).

    Only copies the report lists as missing are changed, whatever the browser sent, and only
    as the catalogue's status machine allows. A copy waiting on the hold shelf that is not
    there sends its hold back to the queue (keeping its place). Changing a copy's status is
    the cataloguer's action, so it needs CATALOG_EDIT; each copy gets its audit event.
    """
    locked = _open_session(session)
    school = locked.school
    require(actor, Perm.CATALOG_EDIT, school)
    candidates = stocktake_report(locked).missing.exclude(status=ItemStatus.MISSING)
    if items is not None:
        candidates = candidates.filter(pk__in=items)
    ids = list(candidates.values_list("pk", flat=True))
    copies = list(
        Item.objects.select_for_update(of=("self",))
        .select_related("record", "school")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    changed: list[Item] = []
    for copy in copies:
        if not can_change(copy.status, ItemStatus.MISSING):
            continue
        old = copy.status
        if old == ItemStatus.ON_HOLD_SHELF:
            ready = (
                Hold.objects.select_for_update(of=("self",))
                .filter(item=copy, state=HoldState.READY)
                .first()
            )
            if ready is not None:
                _unready(ready)
        _move_item(copy, ItemStatus.MISSING)
        audit.record(
            actor,
            "stocktake.missing",
            copy,
            school=school,
            details={"item": copy.barcode, "from": old, "session": locked.pk},
        )
        changed.append(copy)
    queue_for_search(sorted({c.record_id for c in changed}))
    return changed


# --- Class sets --------------------------------------------------------------------------------

MAX_CLASS_SET = 200  # copies in one class set: a year group's set, and a guard against typos


@dataclass
class ClassSetResult:
    group: Group
    record: Record
    patron: User
    loans: list[Loan]


def _school_group(school: School, group: Group | int) -> Group:
    pk = group.pk if isinstance(group, Group) else group
    found = Group.objects.filter(pk=pk, school=school).first()
    if found is None:
        raise CirculationError(
            "unknown_group",
            _("%(school)s has no such class.") % {"school": school.name},
            status=422,
        )
    return found


def _refused_copies(problems: list[dict[str, str]]) -> CirculationError:
    lines = "; ".join(f"{p['item']}: {p['message']}" for p in problems)
    return CirculationError(
        "class_set_refused",
        ngettext(
            "%(count)s copy cannot be lent, so none were: %(lines)s",
            "%(count)s copies cannot be lent, so none were: %(lines)s",
            len(problems),
        )
        % {"count": len(problems), "lines": lines},
        problems=problems,
    )


@transaction.atomic
def lend_class_set(
    actor: Actor,
    school: School,
    patron: User | str,
    group: Group | int,
    *,
    items: list[str] | list[Item] | None = None,
    record: Record | int | None = None,
    count: int | None = None,
    today: dt.date | None = None,
) -> ClassSetResult:
    """Lend a teacher copies of one title for a class, in one action: the copies scanned
    (``items``), or ``count`` copies the system picks from those on the shelf.

    Each copy is its own loan (with ``group``), made by ``checkout`` with every rule of the
    desk (holds, bookings, the copy's status); class sets are for teachers and staff, whose
    loans have no one-copy-per-title limit. All or nothing: if a scanned copy cannot be lent,
    or fewer than ``count`` can, no copy is lent and the refusal names every problem.
    """
    require(actor, Perm.CIRCULATION_DESK, school)
    today = today or _today()
    person, category, _grade = _patron(patron, school)
    if category != PatronCategory.STAFF:
        raise CirculationError(
            "class_set_for_staff",
            _("Class sets are lent to teachers and staff, and %(name)s is a student.")
            % {"name": person},
        )
    the_group = _school_group(school, group)
    with _one_batch():
        loans, the_record = _lend_copies(
            actor, school, person, the_group, items=items, record=record, count=count, today=today
        )
    audit.record(
        actor,
        "loan.class_set",
        the_group,
        school=school,
        details={
            "group": the_group.name,
            "record": the_record.pk,
            "patron": person.username,
            "items": [loan.item.barcode for loan in loans],
        },
    )
    return ClassSetResult(group=the_group, record=the_record, patron=person, loans=loans)


def _lend_copies(
    actor: Actor,
    school: School,
    person: User,
    the_group: Group,
    *,
    items: list[str] | list[Item] | None,
    record: Record | int | None,
    count: int | None,
    today: dt.date,
) -> tuple[list[Loan], Record]:
    loans: list[Loan] = []
    if items:
        wanted = list(dict.fromkeys(i if isinstance(i, Item) else i.strip() for i in items if i))
        if len(wanted) > MAX_CLASS_SET:
            raise CirculationError(
                "class_set_too_big",
                _("A class set has at most %(max)s copies.") % {"max": MAX_CLASS_SET},
                status=422,
            )
        problems: list[dict[str, str]] = []
        for copy in wanted:
            code = copy.barcode if isinstance(copy, Item) else copy
            try:
                with transaction.atomic():
                    result = checkout(actor, school, person, copy, group=the_group, today=today)
                loans.append(result.loan)
            except CirculationError as error:
                problems.append({"item": code, "code": error.code, "message": error.message})
        if problems:
            raise _refused_copies(problems)
        titles = {loan.item.record_id for loan in loans}
        if len(titles) > 1:
            raise CirculationError(
                "mixed_titles",
                _("A class set is copies of one title; these are copies of %(count)s titles.")
                % {"count": len(titles)},
            )
        the_record = loans[0].item.record
    else:
        pk = record.pk if isinstance(record, Record) else record
        found = None
        if pk is not None:
            found = Record.objects.filter(pk=pk, municipality_id=school.municipality_id).first()
        if found is None:
            raise CirculationError("unknown_record", _("There is no such title."), status=422)
        if count is None or not 1 <= count <= MAX_CLASS_SET:
            raise CirculationError(
                "class_set_count",
                _("Say how many copies, from 1 to %(max)s.") % {"max": MAX_CLASS_SET},
                status=422,
            )
        the_record = found
        shelf = Item.objects.filter(
            record=found, school=school, status=ItemStatus.AVAILABLE
        ).order_by("barcode")
        for candidate in shelf.iterator():
            if len(loans) == count:
                break
            try:
                with transaction.atomic():
                    result = checkout(
                        actor, school, person, candidate, group=the_group, today=today
                    )
                loans.append(result.loan)
            except CirculationError:
                continue  # held for someone, booked, lent a moment ago: the next one
        if len(loans) < count:
            raise CirculationError(
                "not_enough_copies",
                _("Only %(found)s of the %(count)s copies of “%(title)s” can be lent now.")
                % {"found": len(loans), "count": count, "title": found.title},
            )
    if not loans:
        raise CirculationError(
            "class_set_count", _("Scan the copies of the class set."), status=422
        )
    return loans, the_record


@dataclass
class ClassSetReturn:
    returned: list[CheckinResult]
    problems: list[dict[str, str]]


@transaction.atomic
def return_class_set(
    actor: Actor, school: School, items: list[str] | list[Item], *, today: dt.date | None = None
) -> ClassSetReturn:
    """Take back many copies at once (a class set's box). Each is checked in as at the desk;
    a copy that cannot be (unknown, withdrawn) is reported and the others are still returned."""
    require(actor, Perm.CIRCULATION_DESK, school)
    today = today or _today()
    wanted = list(dict.fromkeys(i if isinstance(i, Item) else i.strip() for i in items if i))
    if len(wanted) > MAX_CLASS_SET:
        raise CirculationError(
            "class_set_too_big",
            _("A class set has at most %(max)s copies.") % {"max": MAX_CLASS_SET},
            status=422,
        )
    done: list[CheckinResult] = []
    problems: list[dict[str, str]] = []
    for copy in wanted:
        code = copy.barcode if isinstance(copy, Item) else copy
        try:
            with transaction.atomic():
                done.append(checkin(actor, school, copy, today=today))
        except CirculationError as error:
            problems.append({"item": code, "code": error.code, "message": error.message})
    if done:
        audit.record(
            actor,
            "loan.class_set_return",
            school,
            school=school,
            details={"items": [r.item.barcode for r in done], "problems": len(problems)},
        )
    return ClassSetReturn(returned=done, problems=problems)
