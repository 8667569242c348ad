"""Two schools of one municipality: school B's librarian sees, lends, swaps and repairs none of
school A's devices, and the API answers 404 / leaves out serials without the permission."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reol.technology import importer, selectors, services
from reol.technology.models import Device

from .conftest import google_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def devices_at_a(setup):  # type: ignore[no-untyped-def]
    importer.import_devices(setup.world.librarian_a, setup.school, google_csv(3))
    return setup


def test_school_b_cannot_reach_school_a_devices(devices_at_a, client):
    w = devices_at_a.world
    assert not selectors.devices(w.librarian_b).exists()
    assert selectors.devices(w.librarian_a).count() == 3
    with pytest.raises(ValidationError):  # B's desk does not find A's device
        services.assign_device(w.librarian_b, w.school_b, w.student_b1, "CB0001")
    with pytest.raises(PermissionDenied):  # nor may act at A
        services.assign_device(w.librarian_b, w.school_a, w.student_a1, "CB0001")
    with pytest.raises(PermissionDenied):
        services.flag_lost(w.librarian_b, w.school_a, "CB0001")
    order = services.report_problem(w.student_a1, w.school_a, tag="CB0001", problem="Broken")
    assert not selectors.work_orders(w.librarian_b).exists()
    with pytest.raises(PermissionDenied):
        services.change_work_order(w.librarian_b, order, "triaged")
    with pytest.raises(PermissionDenied):  # a student of B has no role at A
        services.report_problem(w.student_b1, w.school_a, tag="CB0002", problem="x")
    client.force_login(w.librarian_b)
    device = Device.objects.get(item__barcode="CB0001")
    assert client.get(f"/staff/technology/devices/{device.pk}/").status_code == 404
    assert client.get(f"/staff/technology/work-orders/{order.pk}/").status_code == 404


def test_api_scopes_and_hides_serials(devices_at_a, client, token_for):
    w = devices_at_a.world
    other = client.get("/api/v1/devices", **token_for(w.librarian_b)).json()
    assert other["count"] == 0
    assert client.get("/api/v1/devices/CB0001", **token_for(w.librarian_b)).status_code == 404
    mine = client.get("/api/v1/devices/CB0001", **token_for(w.librarian_a)).json()
    assert mine["serial_number"] == "5CD0000001"
    assert mine["mac_addresses"] == ["A4:83:E7:00:00:01"]
    desk = client.get("/api/v1/devices/CB0001", **token_for(w.volunteer_a)).json()
    assert desk["serial_number"] is None and desk["mac_addresses"] is None
    assert client.get("/api/v1/work-orders", **token_for(w.volunteer_a)).json()["count"] == 0


def test_serials_only_on_pages_of_technology_staff(devices_at_a, client):
    w = devices_at_a.world
    device = Device.objects.get(item__barcode="CB0001")
    client.force_login(w.volunteer_a)
    page = client.get(f"/staff/technology/devices/{device.pk}/").content.decode()
    assert "CB0001" in page and "5CD0000001" not in page
    client.force_login(w.librarian_a)
    page = client.get(f"/staff/technology/devices/{device.pk}/").content.decode()
    assert "5CD0000001" in page and "A4:83:E7:00:00:01" in page


def test_a_model_life_and_price_from_the_plan_page(devices_at_a, client):
    from reol.technology.models import DeviceModel

    w = devices_at_a.world
    model = DeviceModel.objects.get()
    client.force_login(w.librarian_a)
    client.post("/staff/technology/plan/", {"record": model.pk, "life": "5", "price": "3499,50"})
    model.refresh_from_db()
    assert (model.expected_life_years, str(model.replacement_price)) == (5, "3499.50")
    client.force_login(w.consultant)  # reads the municipality's plan, may not change it
    page = client.get("/staff/technology/plan/?scope=municipality")
    assert page.status_code == 200 and "Acer Chromebook 511" in page.content.decode()
    client.post("/staff/technology/plan/", {"record": model.pk, "life": "9", "price": ""})
    model.refresh_from_db()
    assert model.expected_life_years == 5
