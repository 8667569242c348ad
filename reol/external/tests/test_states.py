"""The interlibrary loan's transition table, written out by hand (not copied from the code):
every pair of states is tried, the allowed ones must pass, every other must be refused."""

from __future__ import annotations

import itertools

import pytest

from reol.external.states import IllegalIllTransition, IllState, can_change, require_change

S = IllState
ALLOWED = {
    ("requested", "approved"),
    ("requested", "cancelled"),
    ("approved", "sent"),
    ("approved", "cancelled"),
    ("sent", "accepted"),
    ("sent", "refused"),
    ("sent", "received"),
    ("sent", "cancelled"),
    ("accepted", "shipped"),
    ("accepted", "received"),
    ("accepted", "refused"),
    ("accepted", "cancelled"),
    ("shipped", "received"),
    ("received", "lent"),
    ("received", "sent_back"),
    ("lent", "returned"),
    ("returned", "lent"),
    ("returned", "sent_back"),
}
STATES = [
    "requested", "approved", "sent", "accepted", "refused", "shipped", "received", "lent",
    "returned", "sent_back", "cancelled",
]  # fmt: skip


def test_the_states_are_the_ones_written_here():
    assert sorted(S.values) == sorted(STATES)


@pytest.mark.parametrize(("current", "new"), list(itertools.product(STATES, STATES)))
def test_every_pair(current, new):
    assert can_change(current, new) == ((current, new) in ALLOWED)
    if (current, new) in ALLOWED:
        require_change(current, new)
    else:
        with pytest.raises(IllegalIllTransition):
            require_change(current, new)


def test_end_states_lead_nowhere():
    for end in ("refused", "sent_back", "cancelled"):
        assert not any(can_change(end, other) for other in STATES)
