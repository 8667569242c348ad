"""The loan and hold lifecycles as explicit tables of allowed transitions.

A service that moves a loan or a hold asks ``require_loan_change``/``require_hold_change``
first; a change not in the table is a programming error, not a refusal a librarian can act on,
so it raises ``IllegalTransition``. (The copy's own status machine is ``catalog.states``.)
"""

from __future__ import annotations

from typing import Final

from .models import HoldState as H
from .models import LoanState as L

LOAN_TRANSITIONS: Final[dict[str, frozenset[str]]] = {
    # A renewal keeps a loan active (active → active); a found copy's lost loan is returned.
    # A copy never brought back (a leaver's, on erasure) is written off: the loan ends without
    # a return, and the copy is registered lost.
    L.ACTIVE: frozenset({L.ACTIVE, L.RETURNED, L.LOST, L.WRITTEN_OFF}),
    L.LOST: frozenset({L.RETURNED, L.WRITTEN_OFF}),
    L.RETURNED: frozenset(),
    L.WRITTEN_OFF: frozenset(),
}

HOLD_TRANSITIONS: Final[dict[str, frozenset[str]]] = {
    H.WAITING: frozenset({H.READY, H.FULFILLED, H.CANCELLED, H.EXPIRED}),
    # Back to waiting when a librarian lends the trapped copy to someone else (audited).
    H.READY: frozenset({H.WAITING, H.FULFILLED, H.CANCELLED, H.EXPIRED}),
    H.FULFILLED: frozenset(),
    H.CANCELLED: frozenset(),
    H.EXPIRED: frozenset(),
}


class IllegalTransition(RuntimeError):
    pass


def loan_can_change(current: str, new: str) -> bool:
    return new in LOAN_TRANSITIONS.get(current, frozenset())


def hold_can_change(current: str, new: str) -> bool:
    return new in HOLD_TRANSITIONS.get(current, frozenset())


def require_loan_change(current: str, new: str) -> None:
    if not loan_can_change(current, new):
        raise IllegalTransition(f"loan {current} → {new}")


def require_hold_change(current: str, new: str) -> None:
    if not hold_can_change(current, new):
        raise IllegalTransition(f"hold {current} → {new}")
