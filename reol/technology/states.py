"""A work order's life as an explicit table of allowed changes.

Reported → triaged → repaired in-house, sent to the supplier or waiting for parts (back and
forth between these as a repair goes), → fixed or written off. A fixed order can be reopened
(triaged again) when the fault returns; a written-off one is final.
"""

from __future__ import annotations

from typing import Final

from .models import WorkOrderState as W

_REPAIRING = frozenset({W.IN_REPAIR, W.AT_SUPPLIER, W.WAITING_PARTS})

WORK_ORDER_TRANSITIONS: Final[dict[str, frozenset[str]]] = {
    W.REPORTED: frozenset({W.TRIAGED, W.IN_REPAIR, W.AT_SUPPLIER, W.FIXED, W.WRITTEN_OFF}),
    W.TRIAGED: _REPAIRING | {W.FIXED, W.WRITTEN_OFF},
    W.IN_REPAIR: frozenset({W.AT_SUPPLIER, W.WAITING_PARTS, W.FIXED, W.WRITTEN_OFF}),
    W.AT_SUPPLIER: frozenset({W.IN_REPAIR, W.WAITING_PARTS, W.FIXED, W.WRITTEN_OFF}),
    W.WAITING_PARTS: frozenset({W.IN_REPAIR, W.AT_SUPPLIER, W.FIXED, W.WRITTEN_OFF}),
    W.FIXED: frozenset({W.TRIAGED}),
    W.WRITTEN_OFF: frozenset(),
}

# While a work order is in one of these, its device is in repair (not lent).
REPAIR_STATES: Final = _REPAIRING


def can_change(current: str, new: str) -> bool:
    return new in WORK_ORDER_TRANSITIONS.get(current, frozenset())


def next_states(current: str) -> list[str]:
    """The states a work order may move to, in the order the table's enum lists them."""
    allowed = WORK_ORDER_TRANSITIONS.get(current, frozenset())
    return [s for s in W.values if s in allowed]
