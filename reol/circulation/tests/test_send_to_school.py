"""``send_to_school``: a copy on the shelf of its own school goes in transit to a sibling school
of the municipality (an interlibrary loan between our schools); nothing else may be sent, and
only by the owning school's desk. Back home, checkin shelves it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from reol.catalog import services as catalog
from reol.catalog.models import Item, ItemStatus
from reol.circulation.actions import loans
from reol.circulation.actions.copies import send_to_school
from reol.circulation.errors import CirculationError
from reol.core import services as core
from reol.core.models import AuditEvent
from reol.core.permissions import SYSTEM

pytestmark = pytest.mark.django_db


@pytest.fixture
def copies(world):  # type: ignore[no-untyped-def]
    record = catalog.create_record(SYSTEM, world.municipality, catalog.new_marc(title="Fjeld"))
    catalog.add_items(SYSTEM, record, world.school_a, barcodes=["N-1", "N-2"])
    return record


def test_a_copy_on_the_shelf_travels_and_comes_home(world, copies):  # type: ignore[no-untyped-def]
    sent = send_to_school(
        world.librarian_a, world.school_a, "N-1", to_school=world.school_b, reason="ill:1"
    )
    assert sent.status == ItemStatus.IN_TRANSIT
    event = AuditEvent.objects.get(action="item.send_to_school")
    assert event.details["to"] == "syd" and event.school_id == world.school_a.pk
    result = loans.checkin(world.librarian_a, world.school_a, "N-1")
    assert result.route == "shelf"
    assert Item.objects.get(barcode="N-1").status == ItemStatus.AVAILABLE


def test_only_the_owning_desk_sends_only_a_shelved_copy_within_the_municipality(world, copies):  # type: ignore[no-untyped-def]
    other = core.create_municipality(SYSTEM, code="andet", name="Andet")
    far = core.create_school(SYSTEM, municipality=other, code="fjern", name="Fjernskolen")
    refusals = [
        (world.librarian_b, world.school_b, "N-1", world.school_a, CirculationError),
        (world.librarian_a, world.school_a, "N-1", far, CirculationError),
        (world.librarian_a, world.school_a, "N-1", world.school_a, CirculationError),
        (world.student_a1, world.school_a, "N-1", world.school_b, PermissionDenied),
        (world.librarian_b, world.school_a, "N-1", world.school_b, PermissionDenied),
    ]
    for actor, school, barcode, to_school, error in refusals:
        with pytest.raises(error):
            send_to_school(actor, school, barcode, to_school=to_school, reason="test")
    loans.checkout(world.librarian_a, world.school_a, world.student_a1, "N-2")
    with pytest.raises(CirculationError, match="only a copy on the shelf"):
        send_to_school(
            world.librarian_a, world.school_a, "N-2", to_school=world.school_b, reason="x"
        )
    assert set(Item.objects.values_list("status", flat=True)) == {
        ItemStatus.AVAILABLE, ItemStatus.ON_LOAN,
    }  # fmt: skip
    assert not AuditEvent.objects.filter(action="item.send_to_school").exists()
