"""The lifecycle of a guidance session, written out as a table (tested pair by pair).

A student's request waits for a teacher of that student (requested → agreed, or declined);
a teacher's own booking starts as agreed. The librarian confirms or declines an agreed
session, and marks a confirmed one held. Anyone involved may cancel until it is held.
"""

from __future__ import annotations

from typing import Final

from .models import SessionState as S

SESSION_TRANSITIONS: Final[dict[str, frozenset[str]]] = {
    S.REQUESTED: frozenset({S.AGREED, S.DECLINED, S.CANCELLED}),
    S.AGREED: frozenset({S.CONFIRMED, S.DECLINED, S.CANCELLED}),
    S.CONFIRMED: frozenset({S.HELD, S.CANCELLED}),
    S.DECLINED: frozenset(),
    S.HELD: frozenset(),
    S.CANCELLED: frozenset(),
}


def can_change(old: str, new: str) -> bool:
    return new in SESSION_TRANSITIONS.get(old, frozenset())
