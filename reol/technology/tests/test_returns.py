"""A device back at the ordinary desk: the desk asks which accessories came back and the
missing ones are noted; damage, or a replacement charge when the school charges, is recorded
on the borrower's loan (from the device's page or a work order), shown to the borrower and
audited; school B reaches none of it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from reol.circulation.models import Loan
from reol.core.models import AuditEvent
from reol.technology import importer, returns, services
from reol.technology.models import Device, Handover, LoanCharge

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
CSV = (
    b"annotatedAssetId,serialNumber,model,accessories\n"
    b'CB0001,5CD0000001,Acer Chromebook 511,"charger,case"\n'
    b'CB0002,5CD0000002,Acer Chromebook 511,"charger,case"\n'
)


@pytest.fixture
def lent(setup):  # type: ignore[no-untyped-def]
    w = setup.world
    importer.import_devices(w.librarian_a, setup.school, CSV)
    services.assign_device(w.librarian_a, setup.school, setup.students[0].user, "CB0001")
    return setup


def test_the_ordinary_desk_asks_for_the_accessories(lent, client):
    w = lent.world
    client.force_login(w.librarian_a)
    loan = Loan.objects.open().get(item__barcode="CB0001")
    answer = client.post("/staff/desk/", {"scan": "CB0001", "patron": "", "action": ""}, **HX)
    url = f"/staff/technology/returns/{loan.pk}/accessories/"
    assert "Which accessories came back?" in answer.content.decode()
    assert url in answer.content.decode()
    page = client.get(url).content.decode()
    assert 'value="charger"' in page and 'value="case"' in page
    client.post(url, {"came_back": ["charger"]})
    handover = Handover.objects.get(loan=loan)
    assert handover.returned and handover.accessories_missing == ["case"]
    event = AuditEvent.objects.get(action="device.accessories")
    assert event.details["missing"] == ["case"]
    client.force_login(w.librarian_b)
    assert client.get(url).status_code == 404
    with pytest.raises(PermissionDenied):
        returns.record_accessories(w.librarian_b, w.school_a, loan.pk, [])


def test_a_device_without_accessories_asks_nothing(lent, client):
    w = lent.world
    Device.objects.filter(item__barcode="CB0001").update(accessories=[])
    client.force_login(w.librarian_a)
    answer = client.post("/staff/desk/", {"scan": "CB0001", "patron": "", "action": ""}, **HX)
    assert "accessories" not in answer.content.decode()


def test_damage_has_no_amount_unless_the_school_charges(lent, client):
    w = lent.world
    student = lent.students[0].user
    device = Device.objects.get(item__barcode="CB0001")
    damage = returns.record_charge(w.librarian_a, device, note="Dent in the lid")
    assert damage.kind == "damage" and damage.amount is None and damage.patron == student
    with pytest.raises(ValidationError):  # no charges by default
        returns.record_charge(w.librarian_a, device, note="Broken", amount=Decimal("2899"))
    with pytest.raises(PermissionDenied):
        returns.set_charge_policy(w.teacher_a, w.school_a, replacement_charges=True)
    returns.set_charge_policy(w.librarian_a, w.school_a, replacement_charges=True)
    # From a work order, after the swap closed the loan: the loaner's borrower is charged.
    swapped = services.swap_for_loaner(w.librarian_a, w.school_a, "CB0001", "CB0002")
    charge = returns.record_charge(
        w.librarian_a, device, note="Screen", amount=Decimal("1250.50"), order=swapped.order
    )
    assert charge.kind == "replacement" and charge.amount == Decimal("1250.50")
    assert charge.patron == student and charge.work_order == swapped.order
    assert AuditEvent.objects.filter(action="loan.charge").count() == 2
    client.force_login(student)
    mine = client.get("/me/devices/reports/").content.decode()
    assert "Dent in the lid" in mine and ("1250.50" in mine or "1250,50" in mine)
    with transaction.atomic(), pytest.raises(IntegrityError):
        LoanCharge.objects.filter(pk=damage.pk).update(amount=Decimal("10"))


def test_school_b_records_nothing_on_school_a_loans(lent, client):
    w = lent.world
    device = Device.objects.get(item__barcode="CB0001")
    with pytest.raises(PermissionDenied):
        returns.record_charge(w.librarian_b, device, note="x")
    client.force_login(w.librarian_b)
    answer = client.post(f"/staff/technology/devices/{device.pk}/charge/", {"note": "x"})
    assert answer.status_code == 404
    assert "CB0001" not in client.get("/staff/technology/charges/").content.decode()
    assert not LoanCharge.objects.exists()
