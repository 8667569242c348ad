"""Interlibrary loans between the municipality's own schools, through the same flow: Nordskolen
asks Sydskolen; Sydskolen's librarian sends its copy in transit (circulation's action); the
copy is received, lent and taken back at Nordskolen's desk, sent back, and checked in at home
it is on Sydskolen's shelf again. Nobody of a third school sees or supplies it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from reol.catalog import services as catalog
from reol.catalog.models import Item, ItemStatus
from reol.circulation.actions import loans
from reol.circulation.errors import CirculationError
from reol.core import services as core
from reol.core.models import AuditEvent
from reol.core.permissions import SYSTEM
from reol.external import exchange, ill, sibling
from reol.external.services import save_target
from reol.external.states import IllState

pytestmark = pytest.mark.django_db
S = IllState
ISBN = "9788702284294"


@pytest.fixture
def syd(world):  # type: ignore[no-untyped-def]
    record = catalog.create_record(
        SYSTEM, world.municipality,
        catalog.new_marc(title="Vulkaner i Island", author="Lava, Lise", isbn=ISBN, year=2021),
    )  # fmt: skip
    catalog.add_items(SYSTEM, record, world.school_b, barcodes=["SYD-1", "SYD-2"])
    return save_target(
        SYSTEM, world.school_a, name="Sydskolen", kind="school", base_url="http://127.0.0.1:9/",
        request_method="school", lending_school=world.school_b,
    )  # fmt: skip


def _fresh(loan):  # type: ignore[no-untyped-def]
    return type(loan).objects.select_related("school", "target").get(pk=loan.pk)


def _sent(world, target):  # type: ignore[no-untyped-def]
    asked = ill.request_loan(
        world.teacher_a, world.school_a, target=target, title="Vulkaner i Island", isbn=ISBN
    )
    ill.approve(world.librarian_a, asked)
    return exchange.send(world.librarian_a, _fresh(asked))


def test_a_sibling_school_lends_its_copy_in_transit(world, syd):  # type: ignore[no-untyped-def]
    asked = _sent(world, syd)
    assert asked.state == S.SENT and not mail.outbox  # nothing leaves Reol
    assert list(sibling.asked_of(world.librarian_b)) == [asked]
    assert not sibling.asked_of(world.librarian_a).exists()  # the borrower does not supply

    due = timezone.localdate() + dt.timedelta(days=21)
    asked = sibling.supply(world.librarian_b, asked, barcode="SYD-1", due=due)
    theirs = Item.objects.get(barcode="SYD-1")
    assert (asked.state, asked.lender_due, asked.supplier_item) == (S.SHIPPED, due, theirs)
    assert theirs.status == ItemStatus.IN_TRANSIT and theirs.school == world.school_b
    assert AuditEvent.objects.filter(action="item.send_to_school", school=world.school_b).exists()

    asked = ill.receive(world.librarian_a, asked, lender_due=due, barcode="ILL-S1")
    result = loans.checkout(world.librarian_a, world.school_a, world.teacher_a, "ILL-S1")
    assert result.loan.due_date <= due
    loans.checkin(world.librarian_a, world.school_a, "ILL-S1")
    asked, problem = exchange.send_back(world.librarian_a, _fresh(asked))
    assert (asked.state, problem) == (S.SENT_BACK, "")

    # Home again: Sydskolen's desk checks it in, and it is on the shelf there.
    back = loans.checkin(world.librarian_b, world.school_b, "SYD-1")
    theirs.refresh_from_db()
    assert theirs.status == ItemStatus.AVAILABLE and back.route == "shelf"


def test_only_the_lending_school_supplies_and_only_a_copy_on_its_shelf(world, syd):  # type: ignore[no-untyped-def]
    asked = _sent(world, syd)
    with pytest.raises(ValidationError, match="not made to your school"):
        sibling.supply(world.librarian_a, asked, barcode="SYD-1", due=timezone.localdate())
    third = core.create_school(SYSTEM, municipality=world.municipality, code="vest", name="Vest")
    outsider = core.create_person(
        SYSTEM, third, username="bib-vest", role="librarian", password="x-Secret-123",
        first_name="Vera",
    )  # fmt: skip
    assert not sibling.asked_of(outsider).exists()
    with pytest.raises(ValidationError):
        sibling.supply(outsider, asked, barcode="SYD-1", due=timezone.localdate())

    loans.checkout(world.librarian_b, world.school_b, world.student_b1, "SYD-2")
    later = timezone.localdate() + dt.timedelta(days=14)
    with pytest.raises(CirculationError, match="only a copy on the shelf"):
        sibling.supply(world.librarian_b, asked, barcode="SYD-2", due=later)
    with pytest.raises(CirculationError):  # Nordskolen's barcode is not Sydskolen's copy
        sibling.supply(world.librarian_b, asked, barcode="NOPE-1", due=later)
    asked.refresh_from_db()
    assert asked.state == S.SENT
    assert Item.objects.get(barcode="SYD-1").status == ItemStatus.AVAILABLE

    sibling.cannot_supply(world.librarian_b, asked, note="Bruges i 5.a")
    asked.refresh_from_db()
    assert (asked.state, asked.lender_note) == (S.REFUSED, "Bruges i 5.a")
