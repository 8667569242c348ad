"""A booking's lifecycle as a table of allowed changes (tested exhaustively)."""

from __future__ import annotations

from typing import Final

from .models import BookingState as S

BOOKING_TRANSITIONS: Final[dict[str, frozenset[str]]] = {
    S.PLANNED: frozenset({S.CHECKED_OUT, S.CANCELLED}),
    S.CHECKED_OUT: frozenset({S.RETURNED}),
    S.RETURNED: frozenset(),
    S.CANCELLED: frozenset(),
}


class IllegalTransition(Exception):
    pass


def can_change(current: str, new: str) -> bool:
    return new in BOOKING_TRANSITIONS.get(current, frozenset())


def require_change(current: str, new: str) -> None:
    if not can_change(current, new):
        raise IllegalTransition(f"booking {current} → {new}")
