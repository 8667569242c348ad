"""A title under reconsideration that the school's policy takes off the shelf cannot be lent
at that school while the committee reviews it, nor renewed; the desk says why. Another
school's copies, a policy that keeps titles on the shelf, and a decided review lend as usual."""

from __future__ import annotations

import datetime as dt

import pytest

from reol.acquisitions.actions import reconsideration, selection
from reol.acquisitions.models import SelectionPolicy
from reol.catalog import services as catalog
from reol.catalog.tests.helpers import book
from reol.circulation.actions import loans
from reol.circulation.errors import CirculationError
from reol.circulation.tests.conftest import add_calendar
from reol.core.permissions import SYSTEM

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 24)  # a Tuesday in the autumn term of add_calendar's year


@pytest.fixture
def disputed(world):
    add_calendar(world.school_a)
    add_calendar(world.school_b)
    record = catalog.create_record(SYSTEM, world.municipality, book("Omstridt", control="o1"))
    catalog.add_items(SYSTEM, record, world.school_a, barcodes=["O1", "O2"])
    catalog.add_items(SYSTEM, record, world.school_b, barcodes=["OB1"])
    return record


def _review(world, record, *, keep_on_shelf: bool):
    selection.save_policy(world.librarian_a, world.school_a, text="Kriterier", tags=[])
    SelectionPolicy.objects.filter(school=world.school_a).update(
        keep_available_during_review=keep_on_shelf
    )
    asked = reconsideration.request(
        world.teacher_a, world.school_a, record, reason="For voldsom", read_whole=True, what_read=""
    )
    return reconsideration.review(world.librarian_a, asked, committee="Udvalget")


def test_off_the_shelf_during_review_refuses_checkout_and_renewal(world, disputed):
    lib = world.librarian_a
    lent = loans.checkout(lib, world.school_a, "A0001", "O1", today=TODAY)  # before the review
    asked = _review(world, disputed, keep_on_shelf=False)

    with pytest.raises(CirculationError) as refused:
        loans.checkout(lib, world.school_a, "A0002", "O2", today=TODAY)
    assert refused.value.code == "under_reconsideration"
    assert "“Omstridt” is off the shelf while the school reconsiders it" in str(refused.value)
    with pytest.raises(CirculationError) as renewal:
        loans.renew(lib, world.school_a, "O1", today=TODAY + dt.timedelta(days=7))
    assert renewal.value.code == "under_reconsideration"
    # school B's policy is its own: its copy lends
    loans.checkout(world.librarian_b, world.school_b, "B0001", "OB1", today=TODAY)

    reconsideration.decide(lib, asked, "retain", reasons="Inden for politikken")

    loans.checkout(lib, world.school_a, "A0002", "O2", today=TODAY)
    assert lent.loan.item.barcode == "O1"


def test_a_policy_that_keeps_titles_on_the_shelf_lends_during_review(world, disputed):
    _review(world, disputed, keep_on_shelf=True)
    loans.checkout(world.librarian_a, world.school_a, "A0002", "O2", today=TODAY)
