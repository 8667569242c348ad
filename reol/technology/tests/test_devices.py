"""Devices end to end at the service level: the import, one-to-one loans for a class, the swap
for a loaner, a work order to the supplier and back, the year-end count, the lost flag, the
replacement plan."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from reol.catalog.models import Item, ItemStatus, MaterialType
from reol.circulation.models import Loan
from reol.core.models import AuditEvent
from reol.core.permissions import SYSTEM
from reol.patrons import rollover
from reol.technology import importer, selectors, services
from reol.technology.models import Device, DeviceModel, DeviceState, Handover, WorkOrderState
from reol.technology.states import can_change

from .conftest import TODAY, YEAR_END, google_csv

pytestmark = pytest.mark.django_db


def _import(setup, data: bytes, **kw):  # type: ignore[no-untyped-def]
    return importer.import_devices(setup.world.librarian_a, setup.school, data, **kw)


def test_google_admin_export_imports_and_rerun_adds_nothing(setup):
    bad = (
        "dev-x,5CDBAD0001,ACTIVE,Acer Chromebook 511,CB9001,Bibliotek,not-a-mac,,/Elever\n"
        "dev-y,,ACTIVE,,CB9002,Bibliotek,,,/Elever\n"
        "dev-z,5CD0000001,ACTIVE,Acer Chromebook 511,CB9003,Bibliotek,,,/Elever\n"
    )
    report = _import(setup, google_csv(200, extra=bad), name="chromebooks.csv")
    assert report.mapping["serial"] == "serialNumber"
    assert report.mapping["asset_tag"] == "annotatedAssetId"
    assert report.mapping["macs"] == "macAddress"
    assert report.added == 200
    assert [(p.line, p.reason[:20]) for p in report.problems] == [
        (202, "“not-a-mac” is not a"),
        (203, "The row names no mod"),
        (204, "The asset tag or ser"),
    ]
    device = Device.objects.select_related("item__record").get(item__barcode="CB0001")
    assert device.serial_number == "5CD0000001"
    assert device.mac_addresses == ["A4:83:E7:00:00:01"]
    assert device.warranty_end == dt.date(2028, 7, 31)
    assert device.item.record.material_type == MaterialType.DEVICE
    assert device.item.circulation_type == "device"
    assert DeviceModel.objects.count() == 1

    again = _import(setup, google_csv(200))
    assert (again.added, again.updated, again.unchanged) == (0, 0, 200)
    assert Device.objects.count() == 200 and Item.objects.count() == 200


def test_a_changed_row_updates_its_device_matched_by_serial(setup):
    _import(setup, google_csv(2))
    changed = google_csv(2).replace(b"2028-07-31", b"2029-01-31")
    report = _import(setup, changed)
    assert report.updated == 2
    assert Device.objects.get(serial_number="5CD0000002").warranty_end == dt.date(2029, 1, 31)


def test_the_import_needs_the_technology_permission(setup):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        importer.import_devices(setup.world.volunteer_a, setup.school, google_csv(1))
    assert Device.objects.count() == 0


def test_an_oversized_upload_is_refused_before_it_is_read(setup, monkeypatch):
    monkeypatch.setattr(importer, "MAX_BYTES", 100)
    with pytest.raises(importer.TableError):
        _import(setup, google_csv(10))


def _assign_class(setup, count: int = 28) -> list[Handover]:  # type: ignore[no-untyped-def]
    done = []
    for n, patron in enumerate(setup.students[:count], start=1):
        done.append(
            services.assign_device(
                setup.world.librarian_a,
                setup.school,
                patron.user,
                f"cb{n:04}",  # scanned in another case: still found
                group=setup.group,
                today=TODAY,
            )
        )
    return done


def test_28_devices_for_a_class_are_due_at_the_school_year_end(setup):
    _import(setup, google_csv(40, extra=""))
    Device.objects.update(accessories=["charger"])
    handovers = _assign_class(setup)
    loans = Loan.objects.filter(group=setup.group).open()
    assert loans.count() == 28
    assert {loan.due_date for loan in loans} == {YEAR_END}
    assert handovers[0].accessories_out == ["charger"]
    seats = selectors.class_seats(setup.group)
    assert all(s.loan is not None for s in seats)
    assert selectors.next_without_device(seats) is None


def test_swap_fix_and_year_end_count(setup):
    w = setup.world
    _import(setup, google_csv(30))
    Device.objects.update(accessories=["charger"])
    _assign_class(setup)
    broken_owner = setup.students[4].user
    order = services.report_problem(broken_owner, setup.school, tag="CB0005", problem="Cracked")
    swap = services.swap_for_loaner(w.librarian_a, setup.school, "CB0005", "CB0030")
    assert swap.order == order and swap.patron == broken_owner
    assert Item.objects.get(barcode="CB0005").status == ItemStatus.DAMAGED
    loaner_loan = Loan.objects.open().get(item__barcode="CB0030")
    assert (loaner_loan.patron, loaner_loan.group, loaner_loan.due_date) == (
        broken_owner,
        setup.group,
        YEAR_END,
    )
    assert Device.objects.get(item__barcode="CB0005").state == DeviceState.IN_REPAIR

    for state in (WorkOrderState.TRIAGED, WorkOrderState.AT_SUPPLIER, WorkOrderState.FIXED):
        services.change_work_order(w.librarian_a, order, state)
    services.add_cost(w.librarian_a, order, description="Screen", amount=Decimal("612.50"))
    order.refresh_from_db()
    assert order.state == WorkOrderState.FIXED
    assert Item.objects.get(barcode="CB0005").status == ItemStatus.AVAILABLE
    assert Device.objects.get(item__barcode="CB0005").state == DeviceState.IN_SERVICE
    assert [o.state for o in selectors.reported_by(broken_owner)] == [WorkOrderState.FIXED]

    # June: everything comes back except the device of student 12; student 3 forgot the charger
    for n in [*range(1, 31)]:
        if n in (5, 12, 29):  # 5 is in repair history, 29 was never lent
            continue
        services.collect_device(
            w.librarian_a, setup.school, f"CB{n:04}", missing=["charger"] if n == 3 else []
        )
    count = selectors.year_end_count(setup.group)
    assert [(loan.item.barcode, loan.patron) for loan in count.missing] == [
        ("CB0012", setup.students[11].user)
    ]
    assert [(h.device.item.barcode, h.accessories_missing) for h in count.short] == [
        ("CB0003", ["charger"])
    ]


def test_a_student_who_left_shows_up_with_the_device_to_collect(setup):
    _import(setup, google_csv(2))
    _assign_class(setup, 2)
    assert selectors.leavers_with_devices(setup.school) == []
    rollover.deactivate_leavers(SYSTEM, setup.school, [setup.group], today=TODAY)  # 9th grade
    leavers = selectors.leavers_with_devices(setup.school)
    assert [(loan.item.barcode, loan.patron) for loan in leavers] == [
        ("CB0001", setup.students[0].user),
        ("CB0002", setup.students[1].user),
    ]
    count = selectors.year_end_count(setup.group)
    assert [loan.item.barcode for loan in count.leavers] == ["CB0001", "CB0002"]


def test_flag_lost_notes_date_and_last_borrower(setup):
    _import(setup, google_csv(1))
    _assign_class(setup, 1)
    device = services.flag_lost(setup.world.librarian_a, setup.school, "CB0001", on=TODAY)
    assert device.state == DeviceState.LOST and device.lost_on == TODAY
    assert device.last_borrower == setup.students[0].user
    assert Item.objects.get(barcode="CB0001").status == ItemStatus.LOST
    assert not Loan.objects.open().filter(item__barcode="CB0001").exists()
    assert AuditEvent.objects.filter(action="device.lost").count() == 1


def test_replacement_plan_costs_next_year(setup):
    _import(
        setup,
        b"asset tag;model;purchase date;price\n"
        b"L1;Laptop X;01.08.2023;4.299,00\nL2;Laptop X;2023-08-01;4299\n"
        b"L3;Laptop X;2026-08-01;4299\nK1;Kamera;2020-01-01;1000\n",
    )
    laptop = DeviceModel.objects.get(record__title="Laptop X")
    services.save_device_model(
        setup.world.librarian_a,
        setup.school,
        laptop.record,
        expected_life_years=4,
        replacement_price=Decimal("3999.00"),
    )
    plan = selectors.replacement_plan(selectors.School.objects.filter(pk=setup.school.pk), TODAY)
    assert plan.years[:2] == [2026, 2027]
    assert plan.totals[2026] == Decimal("1000.00")  # the camera is past its 4 years
    assert plan.totals[2027] == Decimal("7998.00")  # two laptops bought in 2023
    assert plan.totals[2030] == Decimal("3999.00")


def test_a_work_order_names_a_device_or_a_thing(setup):
    with pytest.raises(ValidationError):
        services.report_problem(setup.world.student_a1, setup.school, problem="Broken")
    order = services.report_problem(
        setup.world.student_a1, setup.school, problem="No sound", subject="Projector, room 12"
    )
    assert order.reporter == setup.world.student_a1


def test_a_written_off_order_retires_its_device(setup):
    _import(setup, google_csv(1))
    order = services.report_problem(SYSTEM, setup.school, tag="CB0001", problem="Water")
    services.change_work_order(SYSTEM, order, WorkOrderState.WRITTEN_OFF)
    assert Device.objects.get().state == DeviceState.RETIRED
    assert Item.objects.get().status == ItemStatus.WITHDRAWN
    with pytest.raises(ValidationError):
        services.change_work_order(SYSTEM, order, WorkOrderState.FIXED)
    assert not can_change(WorkOrderState.WRITTEN_OFF, WorkOrderState.FIXED)
