"""Two desks take the whole of one charge at the same instant: exactly one payment is
recorded, the other is told nothing is owed any more (real threads; the charge row lock on
PostgreSQL, IMMEDIATE transactions on SQLite)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from reol.technology import importer, payments, returns, services
from reol.technology.models import ChargeSettlement, Device, LoanCharge
from tests.race import race

pytestmark = pytest.mark.django_db(transaction=True)

CSV = b"annotatedAssetId,serialNumber,model\nCB0001,5CD0000001,Acer Chromebook 511\n"


def test_two_desks_pay_the_same_charge_at_once(setup):
    w = setup.world
    importer.import_devices(w.librarian_a, setup.school, CSV)
    services.assign_device(w.librarian_a, setup.school, setup.students[0].user, "CB0001")
    returns.set_charge_policy(w.librarian_a, w.school_a, replacement_charges=True)
    device = Device.objects.get(item__barcode="CB0001")
    charge = returns.record_charge(w.librarian_a, device, note="Lost", amount=Decimal("2899"))
    desks = [w.librarian_a, w.admin_a]
    results = race(
        2,
        lambda i: payments.record_payment(desks[i], charge, amount="2899.00", method="cash"),
    )
    paid = [r for r in results if isinstance(r, ChargeSettlement)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(paid) == 1 and len(refused) == 1, results
    assert "Nothing is owed" in " ".join(refused[0].messages)
    charge = LoanCharge.objects.get(pk=charge.pk)
    assert charge.paid == Decimal("2899.00") and charge.outstanding == 0
    assert ChargeSettlement.objects.count() == 1
