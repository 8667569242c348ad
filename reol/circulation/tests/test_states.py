"""The loan and hold state machines, every pair of states: allowed exactly when in the table,
and the table's promises (closed states are final; renewal keeps a loan active)."""

from __future__ import annotations

import itertools

import pytest

from reol.circulation import states
from reol.circulation.models import HoldState, LoanState

LOAN_ALLOWED = {
    ("active", "active"),
    ("active", "returned"),
    ("active", "lost"),
    ("lost", "returned"),
    ("active", "written_off"),
    ("lost", "written_off"),
}
HOLD_ALLOWED = {
    ("waiting", "ready"),
    ("waiting", "fulfilled"),
    ("waiting", "cancelled"),
    ("waiting", "expired"),
    ("ready", "waiting"),
    ("ready", "fulfilled"),
    ("ready", "cancelled"),
    ("ready", "expired"),
}


@pytest.mark.parametrize(("a", "b"), list(itertools.product(LoanState.values, repeat=2)))
def test_every_loan_transition(a, b):
    assert states.loan_can_change(a, b) == ((a, b) in LOAN_ALLOWED)
    if (a, b) in LOAN_ALLOWED:
        states.require_loan_change(a, b)
    else:
        with pytest.raises(states.IllegalTransition):
            states.require_loan_change(a, b)


@pytest.mark.parametrize(("a", "b"), list(itertools.product(HoldState.values, repeat=2)))
def test_every_hold_transition(a, b):
    assert states.hold_can_change(a, b) == ((a, b) in HOLD_ALLOWED)
    if (a, b) in HOLD_ALLOWED:
        states.require_hold_change(a, b)
    else:
        with pytest.raises(states.IllegalTransition):
            states.require_hold_change(a, b)


def test_the_tables_name_every_state_and_closed_states_are_final():
    assert set(states.LOAN_TRANSITIONS) == set(LoanState.values)
    assert set(states.HOLD_TRANSITIONS) == set(HoldState.values)
    assert states.LOAN_TRANSITIONS[LoanState.RETURNED] == frozenset()
    assert states.LOAN_TRANSITIONS[LoanState.WRITTEN_OFF] == frozenset()
    for closed in ("fulfilled", "cancelled", "expired"):
        assert states.HOLD_TRANSITIONS[closed] == frozenset()


def test_unknown_states_change_to_nothing():
    assert not states.loan_can_change("borrowed", "returned")
    assert not states.hold_can_change("pending", "ready")
