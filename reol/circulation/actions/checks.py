"""Checkout's refusals, each its own named check (as Invenio ILS's loan transitions).

A checkout is an ``Attempt``: who lends what to whom, today, with which overrides. ``CHECKS``
runs in order; each check reads what it needs, raises its ``CirculationError`` or notes on the
attempt what the write will need (the rule, the patron's hold, the hold it overrode, the due
date). The order is the desk's: first what is wrong with the copy, then the rules, then holds,
then bookings (which need the due date the rules give). ``loans.checkout`` runs them and writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection
from django.utils.translation import gettext as _

from reol.catalog.models import CirculationType, Item, ItemStatus
from reol.core.models import School, User
from reol.core.permissions import Actor
from reol.core.rows import Shape, set_related

from .. import rules as rulebook
from ..errors import CirculationError
from ..limits import earliest_cap
from ..models import (
    OPEN_HOLD_STATES,
    Hold,
    HoldState,
    LibraryLoan,
    Loan,
    LoanCategory,
    LoanRule,
    open_condition,
    open_sql,
)
from .common import day, memo, title_of


@dataclass
class Attempt:
    """One checkout on its way: what the checks found out, for the write that follows."""

    actor: Actor
    school: School
    person: User
    category: str
    grade: int | None
    copy: Item
    today: dt.date
    overrides: frozenset[str] | set[str]
    terms: rulebook.Terms | None = None
    rule: LoanRule | None = None
    second_copy: Loan | None = None  # the student's other copy of this title (overridden)
    holds: list[Hold] = field(default_factory=list)
    ready: Hold | None = None  # the copy's ready hold, whoever's
    overrode: Hold | None = None  # someone else's hold on this copy, overridden
    own: Hold | None = None  # the patron's own hold this loan fills
    released: Item | None = None  # the other copy that was waiting for the patron
    due: rulebook.DueDate | None = None
    until: dt.date | None = None  # a fixed due date asked for (a device for the school year)

    def title(self) -> str:
        return title_of(self.copy)


def not_on_loan(a: Attempt) -> None:
    """A copy on loan is checked in first (or renewed, when it is the same patron's)."""
    if a.copy.status != ItemStatus.ON_LOAN:
        return
    current = Loan.objects.open().filter(item=a.copy).select_related("patron").first()
    if current is not None and current.patron_id == a.person.pk:
        raise CirculationError(
            "already_on_loan",
            _("%(name)s already has “%(title)s” (due %(due)s). Renew it instead?")
            % {"name": a.person, "title": a.title(), "due": day(current.due_date)},
            same_patron=True,
        )
    lent = None if current else LibraryLoan.objects.filter(open_condition(), item=a.copy).first()
    if lent is not None:
        raise CirculationError(
            "already_on_loan",
            _("“%(title)s” is lent to %(library)s until %(due)s. Check it in when it comes back.")
            % {"title": a.title(), "library": lent.library, "due": day(lent.due_date)},
        )
    raise CirculationError(
        "already_on_loan",
        _("“%(title)s” is already on loan to %(name)s. Check it in first, then lend it.")
        % {"title": a.title(), "name": current.patron if current else "?"},
    )


def lendable_status(a: Attempt) -> None:
    """In transit, withdrawn, missing, lost or damaged copies are not lent."""
    status = a.copy.status
    if status == ItemStatus.IN_TRANSIT:
        raise CirculationError(
            "item_in_transit",
            _("“%(title)s” is in transit to %(school)s. Check it in first.")
            % {"title": a.title(), "school": a.copy.school.name},
        )
    if status == ItemStatus.WITHDRAWN:
        raise CirculationError(
            "item_withdrawn",
            _("“%(title)s” has been withdrawn from the collection and cannot be lent.")
            % {"title": a.title()},
        )
    if status in (ItemStatus.MISSING, ItemStatus.LOST, ItemStatus.DAMAGED):
        raise CirculationError(
            "item_unavailable",
            _("“%(title)s” is registered as %(status)s. Check it in first to put it back.")
            % {"title": a.title(), "status": ItemStatus(status).label},
        )


def of_this_school(a: Attempt) -> None:
    """A copy of another school goes home first."""
    if a.copy.school_id != a.school.pk:
        raise CirculationError(
            "other_school",
            _("This copy belongs to %(school)s. Check it in to send it home.")
            % {"school": a.copy.school.name},
        )


def rule_lends(a: Attempt) -> None:
    """The school's rules lend this kind of copy to this kind of patron."""
    school, today = a.school, a.today
    a.terms = memo(("terms", school.pk, today), lambda: rulebook.lending_terms(school, today))
    a.rule = rulebook.pick_rule(a.terms.rules, a.category, a.grade, a.copy.circulation_type)
    if a.rule is None or not a.rule.lends:
        raise CirculationError(
            "not_for_loan",
            _("“%(title)s” is %(type)s: not for loan to a %(category)s.")
            % {
                "title": a.title(),
                "type": CirculationType(a.copy.circulation_type).label,
                "category": LoanCategory(a.category).label,
            },
        )


_LOANS_OF_KIND = """
SELECT COUNT(*) FROM {loan} l JOIN {item} i ON i.id = l.item_id
 WHERE l.patron_id = %s AND l.school_id = %s AND {open} AND i.circulation_type = %s
"""


def under_loan_limit(a: Attempt) -> None:
    """No more loans of this kind than the rule allows. (The count is written out in SQL:
    every checkout asks, and building it through the ORM cost more than running it.)"""
    assert a.rule is not None
    sql = _LOANS_OF_KIND.format(
        loan=Loan._meta.db_table, item=Item._meta.db_table, open=open_sql("l")
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [a.person.pk, a.school.pk, a.copy.circulation_type])
        (count,) = cursor.fetchone()
    if count >= a.rule.max_loans:
        raise CirculationError(
            "too_many_loans",
            _("%(name)s already has %(count)s loans of this kind; the most allowed is %(max)s.")
            % {"name": a.person, "count": count, "max": a.rule.max_loans},
        )


_SECOND_COPY = Shape((Loan, "l"), (Item, "i"))
_SECOND_COPY_SQL = """
SELECT {columns} FROM {loan} l JOIN {item} i ON i.id = l.item_id
 WHERE l.patron_id = %s AND {open} AND i.record_id = %s
 ORDER BY l.due_date, l.id LIMIT 1
"""


def one_copy_per_title(a: Attempt) -> None:
    """A student borrows one copy of a title (so a class's copies go round); staff take more.
    Overridable (``already_has_title``). (Written out in SQL, as the loan count.)"""
    if a.category != LoanCategory.STUDENT:
        return
    sql = _SECOND_COPY_SQL.format(
        columns=_SECOND_COPY.columns(),
        loan=Loan._meta.db_table,
        item=Item._meta.db_table,
        open=open_sql("l"),
    )
    found = _SECOND_COPY.fetch(sql, [a.person.pk, a.copy.record_id])
    a.second_copy = None
    if found:
        a.second_copy, item = found[0]
        set_related(a.second_copy, "item", item)
    if a.second_copy is not None and "already_has_title" not in a.overrides:
        raise CirculationError(
            "already_has_title",
            _("%(name)s already has a copy of “%(title)s” (%(barcode)s).")
            % {"name": a.person, "title": a.title(), "barcode": a.second_copy.item.barcode},
            overridable=True,
        )


_HOLDS = Shape((Hold, "h"))
_HOLDS_SQL = """
SELECT {columns} FROM {hold} h
 WHERE h.state IN (%s, %s) AND (h.item_id = %s OR (h.patron_id = %s AND h.record_id = %s))
 ORDER BY h.placed_at, h.id{lock}
"""


def _read_holds(a: Attempt) -> None:
    """One statement (usually no rows), locked: the open holds on this copy and the patron's on
    its title. Written out in SQL, as the loan count."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    sql = _HOLDS_SQL.format(columns=_HOLDS.columns(), hold=Hold._meta.db_table, lock=lock)
    waiting, ready = OPEN_HOLD_STATES
    params = [waiting.value, ready.value, a.copy.pk, a.person.pk, a.copy.record_id]
    a.holds = [hold for (hold,) in _HOLDS.fetch(sql, params)]
    a.ready = next(
        (h for h in a.holds if h.item_id == a.copy.pk and h.state == HoldState.READY), None
    )


def not_held_for_other(a: Attempt) -> None:
    """A copy trapped for (or asked for by) someone else is theirs unless overridden
    (``on_hold_for_other``)."""
    _read_holds(a)
    me, copy = a.person.pk, a.copy.pk
    theirs = a.ready if a.ready is not None and a.ready.patron_id != me else None
    if theirs is None:
        theirs = next(
            (
                h
                for h in a.holds
                if h.item_id == copy
                and h.item_specific
                and h.state == HoldState.WAITING
                and h.patron_id != me
            ),
            None,
        )
    if theirs is not None and "on_hold_for_other" not in a.overrides:
        raise CirculationError(
            "on_hold_for_other",
            _("“%(title)s” is on hold for %(name)s.") % {"title": a.title(), "name": theirs.patron},
            overridable=True,
        )
    a.overrode = theirs


def own_hold(a: Attempt) -> None:
    """The patron's own hold on this title is filled by this loan; when another copy waited
    for them on the hold shelf, that one is locked to go to the next in line."""
    me = a.person.pk
    a.own = a.ready if a.ready is not None and a.ready.patron_id == me else None
    if a.own is None:
        a.own = next(
            (
                h
                for h in a.holds
                if h.patron_id == me
                and h.record_id == a.copy.record_id
                and h.state in OPEN_HOLD_STATES
            ),
            None,
        )
    own = a.own
    if own is not None and own.state == HoldState.READY and own.item_id not in (None, a.copy.pk):
        a.released = (
            Item.objects.select_for_update(of=("self",))
            .select_related("record", "school")
            .get(pk=own.item_id or 0)
        )


def not_booked(a: Attempt) -> None:
    """The due date the rules give, cut short by what other apps registered (a booking of the
    copy); refused when a booking needs the copy today."""
    assert a.rule is not None and a.terms is not None
    if a.until is not None:
        due = rulebook.due_until(a.until, a.terms.calendar, a.today)
    else:
        due = rulebook.due_on(a.rule, a.terms.calendar, a.today)
    cap = earliest_cap(a.copy, a.school, due.date, today=a.today, record_locked=True)
    if cap is not None:
        if cap.date < a.today:
            raise CirculationError(cap.code, cap.reason)
        due = rulebook.DueDate(date=cap.date, nominal=due.nominal)
    a.due = due


Check = Callable[[Attempt], None]

CHECKS: tuple[Check, ...] = (
    not_on_loan,
    lendable_status,
    of_this_school,
    rule_lends,
    under_loan_limit,
    one_copy_per_title,
    not_held_for_other,
    own_hold,
    not_booked,
)
