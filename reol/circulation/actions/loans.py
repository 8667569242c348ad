"""A loan's life: ``checkout``, ``checkin``, ``renew`` and ``write_off`` (a copy never
brought back: the loan ends as written off, the copy is lost).

Each is one transaction: permission, the rules, the writes through the state machines
(``circulation.states`` for the loan and hold, ``catalog.states`` for the copy), the search
outbox (the copy's availability changed) and the audit event.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reol.catalog.models import Item, ItemStatus
from reol.catalog.services import queue_for_search
from reol.core import audit, bulk
from reol.core.models import School, User
from reol.core.permissions import Actor, Perm, require
from reol.core.rows import Shape, set_related
from reol.patrons.models import Group

from .. import rules as rulebook
from ..errors import CirculationError
from ..limits import earliest_cap, loan_event
from ..models import (
    Hold,
    HoldState,
    LibraryLoan,
    Loan,
    LoanCategory,
    LoanState,
    open_condition,
    open_sql,
)
from ..selectors import patron_grade
from ..states import require_loan_change
from .checks import CHECKS, Attempt
from .common import (
    Along,
    _key,
    along_shape,
    day,
    desk_copy,
    first_row,
    lending_patron,
    local_today,
    locked_item,
    may_act_for,
    memo,
    move_item,
    title_of,
)
from .privacy import note_return
from .shelf import (
    close_hold,
    hold_for_returned,
    hold_probe,
    make_ready,
    next_waiting_hold,
    release,
    unready,
)

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
    until: dt.date | None = None,
) -> CheckoutResult:
    """Lend a copy of ``school`` to a patron of ``school``.

    ``overrides`` names the overridable refusals the librarian chose to pass
    (``on_hold_for_other``, ``already_has_title``); ``override_hold`` is the first of them.
    Each override is audited. The refusals are ``checks.CHECKS``, in order. ``until`` asks
    for a due date instead of the rule's (a device lent for the school year: see
    ``devices``); the calendar still moves it off closed days and before the summer.
    """
    require(actor, Perm.CIRCULATION_DESK, school)
    if override_hold:
        overrides = {*overrides, "on_hold_for_other"}
    today = today or local_today()
    person, category, grade = memo(
        ("patron", _key(patron), school.pk), lambda: lending_patron(patron, school, today)
    )
    copy = locked_item(item, school, lock_record=True)
    attempt = Attempt(actor, school, person, category, grade, copy, today, overrides)
    attempt.until = until
    for check in CHECKS:
        check(attempt)
    loan = _lend(attempt, group)
    _audit_checkout(attempt, loan, group)
    loan.item = copy
    loan_event("checkout", loan)
    assert attempt.due is not None
    return CheckoutResult(
        loan=loan,
        due=attempt.due,
        hold_collected=attempt.own,
        overrode_hold_of=attempt.overrode.patron if attempt.overrode else None,
    )


def _lend(a: Attempt, group: Group | None) -> Loan:
    """The writes of a checkout whose checks passed."""
    assert a.due is not None
    if a.overrode is not None and a.overrode.state == HoldState.READY:
        unready(a.overrode)
    move_item(a.copy, ItemStatus.ON_LOAN)
    # No savepoint around the insert: a violation ends this checkout anyway, and the refusal
    # leaves through ``checkout``'s own atomic block, which rolls it all back (to its savepoint
    # when a class set or a booking called it), so nothing runs on the failed transaction.
    loan = Loan(
        school=a.school,
        item=a.copy,
        patron=a.person,
        patron_category=a.category,
        loan_date=a.today,
        checked_out_at=timezone.now(),
        due_date=a.due.date,
        group=group,
    )
    try:
        bulk.insert([loan])  # ``Loan.objects.create``'s row, without the query compiler
    except IntegrityError as error:  # the unique index: someone lent it a moment ago
        raise CirculationError(
            "already_on_loan",
            _("“%(title)s” is already on loan. Check it in first, then lend it.")
            % {"title": a.title()},
        ) from error
    if a.own is not None:
        a.own.item = a.copy
        close_hold(a.own, HoldState.FULFILLED)
    if a.released is not None:
        release(a.released, a.today)
    queue_for_search([a.copy.record_id])
    return loan


def _audit_checkout(a: Attempt, loan: Loan, group: Group | None) -> None:
    assert a.due is not None
    copy, person = a.copy, a.person
    details: dict[str, Any] = {
        "item": copy.barcode,
        "patron": person.username,
        "due": a.due.date.isoformat(),
    }
    if a.own is not None:
        details["hold"] = a.own.pk
    if group is not None:
        details["group"] = group.name
    if a.overrode is not None:
        details["override_hold_of"] = a.overrode.patron.username
        audit.record(
            a.actor,
            "loan.override_hold",
            copy,
            school=a.school,
            details={
                "item": copy.barcode,
                "hold_of": a.overrode.patron.username,
                "lent_to": person.username,
            },
        )
    if a.second_copy is not None:
        details["override_title"] = a.second_copy.item.barcode
        audit.record(
            a.actor,
            "loan.override_title",
            copy,
            school=a.school,
            details={
                "item": copy.barcode,
                "already_has": a.second_copy.item.barcode,
                "lent_to": person.username,
            },
        )
    audit.record(a.actor, "loan.checkout", loan, school=a.school, details=details)


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
    library_loan: LibraryLoan | None = None  # the loan to another library just ended


def _close_library_loan(copy: Item, today: dt.date) -> LibraryLoan | None:
    """The copy's open loan to another library ends (it came back from the partner)."""
    lent: LibraryLoan | None = first_row(
        LibraryLoan.objects.select_for_update().filter(open_condition(), item=copy)
    )
    if lent is not None:
        lent.returned_at = timezone.now()
        lent.save(update_fields=["returned_at"])
    return lent


_OPEN_LOAN = Shape((Loan, "l"), (User, "u"))
_RETURNED = along_shape((Loan, "l"), (User, "u"))
_OPEN_LOAN_SQL = "SELECT {columns} FROM {loan} l LEFT JOIN {user} u ON u.id = l.patron_id"
_OPEN_LOAN_SQL += " WHERE l.item_id = %s AND {open}{lock}"


@functools.cache  # table names only: built once a process, not at every return
def _open_loan_along() -> Along:
    """The copy's open loan and its borrower, locked with the copy in its statement (a
    check-in): one statement where there were two."""
    join = f" JOIN {Loan._meta.db_table} l ON l.item_id = i.id AND {open_sql('l')}"
    join += f" LEFT JOIN {User._meta.db_table} u ON u.id = l.patron_id"
    return Along(shape=_RETURNED, join=join, lock="l")


def _open_loan_locked(copy: Item) -> Loan | None:
    """The copy's open loan with its patron, locked: one statement, written out in SQL (every
    check-in asks, and building the ORM's query cost more than running it)."""
    lock = " FOR UPDATE OF l" if connection.features.has_select_for_update else ""
    sql = _OPEN_LOAN_SQL.format(
        columns=_OPEN_LOAN.columns(),
        loan=Loan._meta.db_table,
        user=User._meta.db_table,
        open=open_sql("l"),
        lock=lock,
    )
    found = _OPEN_LOAN.fetch(sql, [copy.pk])
    if not found:
        return None
    loan, patron = found[0]
    set_related(loan, "patron", patron)
    return loan


def _close_loan(loan: Loan, school: School, today: dt.date) -> int:
    """The loan ends as returned at ``school``; a student's forgets the student (rule 7) unless
    they keep their history. Returns the days it was late."""
    require_loan_change(loan.state, LoanState.RETURNED)
    loan.state = LoanState.RETURNED
    loan.returned_at = max(timezone.now(), loan.checked_out_at)
    loan.returned_school = school
    if loan.patron_category == LoanCategory.STUDENT and note_return(loan):
        loan.patron = None
    bulk.update([loan], ["state", "returned_at", "returned_school", "patron"])  # as save() would
    return max(0, (today - loan.due_date).days)


def _route(
    copy: Item, school: School, today: dt.date, result: CheckinResult, may_hold: bool
) -> None:
    """Where the copy goes: in transit home, to the hold shelf, or back on the shelf."""
    hold = hold_for_returned(copy) if may_hold else None
    if copy.school_id != school.pk:
        result.route = Route.TRANSIT
        if hold is not None and hold.state == HoldState.READY:
            unready(hold)  # it left its hold shelf: the hold waits for the next copy
        move_item(copy, ItemStatus.IN_TRANSIT)
        return
    if hold is None:
        move_item(copy, ItemStatus.AVAILABLE)
        return
    if hold.state == HoldState.WAITING:
        make_ready(hold, copy, today)
    result.route, result.hold = Route.HOLD_SHELF, hold
    move_item(copy, ItemStatus.ON_HOLD_SHELF)


@transaction.atomic
def checkin(
    actor: Actor, school: School | None, item: Item | str, *, today: dt.date | None = None
) -> CheckinResult:
    """Take a copy back at ``school`` (None: ``desk_for`` the copy) and say where it goes next.

    To the hold shelf when someone waits for it here, in transit when it belongs to another
    school, else back on the shelf. A missing or lost copy that turns up is found again.
    """
    today = today or local_today()
    school, (copy, loan, patron, hold_id) = desk_copy(
        actor, school, item, hold_probe(), _open_loan_along()
    )
    if copy.status in (ItemStatus.WITHDRAWN, ItemStatus.DAMAGED):
        raise CirculationError(
            "item_unavailable",
            _("“%(title)s” is registered as %(status)s; change that in the catalogue.")
            % {"title": title_of(copy), "status": ItemStatus(copy.status).label},
        )
    if loan is None:  # ask again: one may have begun since the copy's statement looked
        loan = _open_loan_locked(copy)
    else:
        set_related(loan, "patron", patron)
    result = CheckinResult(item=copy, route=Route.SHELF, loan=loan)
    if loan is not None:
        loan.item = copy  # the audit event names it; read once
        if loan.school_id == school.pk:
            loan.school = school  # a student's return reads it (``note_return``)
        result.overdue_days = _close_loan(loan, school, today)
        loan_event("checkin", loan)
    else:
        result.library_loan = _close_library_loan(copy, today)
        if result.library_loan is not None:
            result.overdue_days = max(0, (today - result.library_loan.due_date).days)
    if copy.status in (ItemStatus.MISSING, ItemStatus.LOST):
        result.found = True
        move_item(copy, ItemStatus.AVAILABLE)
    _route(copy, school, today, result, may_hold=hold_id is not None)
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
            **({"library": result.library_loan.library} if result.library_loan else {}),
        },
    )
    return result


# --- Renewal -----------------------------------------------------------------------------------


def _renewal_rule(loan: Loan, copy: Item, terms: rulebook.Terms) -> Any:
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
            % {"title": title_of(copy)},
        )
    if loan.renewals >= rule.max_renewals:
        raise CirculationError(
            "renewal_limit",
            _("“%(title)s” has been renewed %(count)s times, the most allowed.")
            % {"title": title_of(copy), "count": loan.renewals},
        )
    if next_waiting_hold(copy, exclude_patron=loan.patron) is not None:
        raise CirculationError(
            "on_hold_for_other",
            _("Someone is waiting for “%(title)s”, so it cannot be renewed.")
            % {"title": title_of(copy)},
        )
    return rule


def _renewed_due(loan: Loan, copy: Item, today: dt.date) -> rulebook.DueDate:
    """The new due date by the same rule, counted from today. A cap (a booking of this copy,
    or of every free copy of its title) cuts it short, as at checkout; a renewal that would
    not reach past the current due date is refused."""
    terms = rulebook.lending_terms(loan.school, today)
    rule = _renewal_rule(loan, copy, terms)
    due = rulebook.due_on(rule, terms.calendar, today)
    cap = earliest_cap(copy, loan.school, due.date, today=today, record_locked=False)
    if cap is not None:
        if cap.date < today and cap.code != "booked":  # not lendable now, for another reason
            raise CirculationError(cap.code, cap.reason)
        if cap.date <= loan.due_date:
            raise CirculationError(
                "booked",
                _("“%(title)s” is booked, so it cannot be renewed; it is due back on %(due)s.")
                % {"title": title_of(copy), "due": day(loan.due_date)},
            )
        due = rulebook.DueDate(date=cap.date, nominal=due.nominal)
    if due.date <= loan.due_date:
        raise CirculationError(
            "renewal_not_later",
            _("Renewing would not give “%(title)s” a later due date than %(due)s.")
            % {"title": title_of(copy), "due": day(loan.due_date)},
        )
    return due


@transaction.atomic
def renew(actor: Actor, school: School, item: Item | str, *, today: dt.date | None = None) -> Loan:
    """Give the loan of this copy a new due date, counted from today by the same rule."""
    today = today or local_today()
    copy = locked_item(item, school)
    loan = (
        Loan.objects.select_for_update(of=("self",))
        .active()
        .filter(item=copy)
        .select_related("patron", "school__municipality")
        .first()
    )
    if loan is None:
        raise CirculationError(
            "not_on_loan", _("“%(title)s” is not on loan.") % {"title": title_of(copy)}
        )
    may_act_for(actor, loan.patron, loan.school)
    due = _renewed_due(loan, copy, today)
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
