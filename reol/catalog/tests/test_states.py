"""The copy's status is a state machine: exactly the changes in the table are allowed, through
the one service that changes it, and a withdrawn copy stays withdrawn."""

from __future__ import annotations

import itertools

import pytest
from django.core.exceptions import ValidationError

from reol.catalog import services, states
from reol.catalog.models import Item, ItemStatus, SearchOutbox
from reol.core.models import AuditEvent
from reol.core.permissions import SYSTEM

pytestmark = pytest.mark.django_db

A, L, H, T = "available", "on_loan", "on_hold_shelf", "in_transit"
M, X, D, W = "missing", "lost", "damaged", "withdrawn"

# Written out by hand from the rules (not copied from states.py): from → allowed to.
EXPECTED = {
    A: {L, H, T, M, X, D, W},
    L: {A, H, T, X, D, M},
    H: {A, L, T, M},
    T: {A, H, M},
    M: {A, X, W},
    X: {A, W},
    D: {A, W},
    W: set(),
}
ALL = [s.value for s in ItemStatus]


def test_the_table_is_the_expected_one():
    assert set(EXPECTED) == set(ALL) == set(states.ITEM_TRANSITIONS)
    assert {k: set(v) for k, v in states.ITEM_TRANSITIONS.items()} == EXPECTED


def test_can_change_agrees_with_the_table_for_every_pair():
    for current, new in itertools.product(ALL, ALL):
        assert states.can_change(current, new) == (new in EXPECTED[current]), (current, new)


def test_unknown_statuses_are_never_allowed():
    assert not states.can_change("borrowed", A)
    assert not states.can_change(A, "borrowed")


def test_no_status_changes_to_itself():
    assert not any(states.can_change(s, s) for s in ALL)


def test_withdrawn_is_final():
    assert not any(states.can_change(W, s) for s in ALL)


@pytest.fixture
def copy(record) -> Item:
    return Item.objects.get(barcode="A100")


@pytest.mark.parametrize(("current", "new"), list(itertools.product(ALL, ALL)))
def test_change_item_status_succeeds_exactly_when_allowed(catalogue, copy, current, new):
    Item.objects.filter(pk=copy.pk).update(status=current)
    copy.refresh_from_db()
    outbox, events = SearchOutbox.objects.count(), AuditEvent.objects.count()

    if new in EXPECTED[current]:
        changed = services.change_item_status(SYSTEM, copy, new, note="test")
        assert changed.status == copy.status == new
        assert Item.objects.get(pk=copy.pk).status == new
        assert SearchOutbox.objects.count() == outbox + 1
        event = AuditEvent.objects.latest("id")
        assert event.action == "item.status"
        assert event.details == {"from": current, "to": new, "note": "test"}
    else:
        with pytest.raises(ValidationError):
            services.change_item_status(SYSTEM, copy, new)
        assert Item.objects.get(pk=copy.pk).status == current
        assert (SearchOutbox.objects.count(), AuditEvent.objects.count()) == (outbox, events)


def test_the_service_reads_the_status_from_the_database_not_the_object(catalogue, copy):
    """A copy object that is out of date cannot bring a withdrawn copy back."""
    stale = Item.objects.get(pk=copy.pk)
    services.withdraw_item(SYSTEM, copy)
    assert stale.status == A
    with pytest.raises(ValidationError):
        services.change_item_status(SYSTEM, stale, A)
    assert Item.objects.get(pk=copy.pk).status == W


def test_the_database_refuses_an_unknown_status(catalogue, copy):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Item.objects.filter(pk=copy.pk).update(status="borrowed")
