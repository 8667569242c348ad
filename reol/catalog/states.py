"""The copy's status as an explicit state machine: which changes are allowed.

Circulation moves copies between the lending states; cataloguing and stocktaking move them
between the others. Any change not in this table is refused.
"""

from __future__ import annotations

from typing import Final

from .models import ItemStatus as S

ITEM_TRANSITIONS: Final[dict[str, frozenset[str]]] = {
    S.AVAILABLE: frozenset(
        {S.ON_LOAN, S.ON_HOLD_SHELF, S.IN_TRANSIT, S.MISSING, S.LOST, S.DAMAGED, S.WITHDRAWN}
    ),
    S.ON_LOAN: frozenset(
        {S.AVAILABLE, S.ON_HOLD_SHELF, S.IN_TRANSIT, S.LOST, S.DAMAGED, S.MISSING}
    ),
    S.ON_HOLD_SHELF: frozenset({S.AVAILABLE, S.ON_LOAN, S.IN_TRANSIT, S.MISSING}),
    S.IN_TRANSIT: frozenset({S.AVAILABLE, S.ON_HOLD_SHELF, S.MISSING}),
    S.MISSING: frozenset({S.AVAILABLE, S.LOST, S.WITHDRAWN}),
    S.LOST: frozenset({S.AVAILABLE, S.WITHDRAWN}),
    S.DAMAGED: frozenset({S.AVAILABLE, S.WITHDRAWN}),
    S.WITHDRAWN: frozenset(),
}


def can_change(current: str, new: str) -> bool:
    return new in ITEM_TRANSITIONS.get(current, frozenset())
