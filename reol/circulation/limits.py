"""What other apps may say about how long a copy is lent: a registry, so circulation never
imports the apps built on it (bookings sits above circulation on the ladder).

An app registers a *due-date cap* in its ``AppConfig.ready()``::

    from reol.circulation.limits import register_due_date_cap
    register_due_date_cap(latest_due_date)

A cap is called inside checkout's and renewal's transaction, after the copy (and at checkout
its record) is locked, with the due date the loan rules propose. It answers None when that date
is fine, else the last day the copy may be due and why (a date before today: not lendable
now). The earliest answer of all caps wins.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, NamedTuple, Protocol

if TYPE_CHECKING:
    from reol.catalog.models import Item
    from reol.core.models import School

    from .models import Loan


class DueDateLimit(NamedTuple):
    """The latest day a copy may be due, and why (a sentence for the desk); ``code`` is the
    refusal's code when the date is before today (the copy cannot be lent now)."""

    date: dt.date
    reason: str
    code: str = "booked"


class DueDateCap(Protocol):
    def __call__(
        self,
        item: Item,
        school: School,
        proposed_due: dt.date,
        *,
        today: dt.date | None = None,
        record_locked: bool = False,
    ) -> DueDateLimit | None: ...


_caps: list[DueDateCap] = []


def register_due_date_cap(cap: DueDateCap) -> None:
    if cap not in _caps:
        _caps.append(cap)


def earliest_cap(
    item: Item, school: School, proposed_due: dt.date, *, today: dt.date, record_locked: bool
) -> DueDateLimit | None:
    """The tightest limit any registered cap puts on ``proposed_due`` (None: no limit)."""
    found: DueDateLimit | None = None
    for cap in _caps:
        limit = cap(item, school, proposed_due, today=today, record_locked=record_locked)
        if limit is not None and (found is None or limit.date < found.date):
            found = limit
    return found


# --- Loan listeners --------------------------------------------------------------------------
# An app above circulation that must follow a copy's loans (external: an interlibrary loan moves
# to "lent" when its temporary copy is checked out, to "returned" when it comes back) registers
# a listener. It is called inside checkout's and checkin's transaction, after the loan was
# written, with "checkout" or "checkin" and the loan; what it writes commits or rolls back with
# the loan.


class LoanListener(Protocol):
    def __call__(self, event: str, loan: Loan) -> None: ...


_listeners: list[LoanListener] = []


def register_loan_listener(listener: LoanListener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def loan_event(event: str, loan: Loan) -> None:
    for listener in _listeners:
        listener(event, loan)
