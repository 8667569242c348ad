"""The API's work orders and the lost flag for IT: a report by a student, the state moved by
technology staff, a device flagged lost in one call, the CSV export; and MAC addresses as IT
writes them."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.exceptions import ValidationError

from reol.technology import importer, services
from reol.technology.identifiers import normalise_mac, parse_macs
from reol.technology.models import DeviceState, WorkOrder

from .conftest import TODAY, google_csv

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "written",
    ["aa:bb:cc:dd:ee:ff", "AA-BB-CC-DD-EE-FF", "aabb.ccdd.eeff", "AABBCCDDEEFF", " aabbccddeeff "],
)
def test_mac_addresses_are_normalised(written):
    assert normalise_mac(written) == "AA:BB:CC:DD:EE:FF"


@pytest.mark.parametrize("written", ["aa:bb:cc", "00:00:00:00:00:00", "gg:bb:cc:dd:ee:ff", "x"])
def test_bad_mac_addresses_are_refused(written):
    with pytest.raises(ValidationError):
        normalise_mac(written)


def test_a_cell_with_two_macs():
    assert parse_macs("aa:bb:cc:dd:ee:01, AA-BB-CC-DD-EE-02") == [
        "AA:BB:CC:DD:EE:01",
        "AA:BB:CC:DD:EE:02",
    ]


def test_work_orders_through_the_api(setup, client, token_for):
    w = setup.world
    importer.import_devices(w.librarian_a, setup.school, google_csv(2))
    made = client.post(
        "/api/v1/work-orders",
        {"school": "nord", "asset_tag": "CB0002", "problem": "Keyboard"},
        content_type="application/json",
        **token_for(w.student_a1),
    )
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    refused = client.post(
        f"/api/v1/work-orders/{pk}/state",
        {"state": "fixed"},
        content_type="application/json",
        **token_for(w.student_a1),
    )
    assert refused.status_code == 404  # a student does not see the work-order list
    moved = client.post(
        f"/api/v1/work-orders/{pk}/state",
        {"state": "at_supplier"},
        content_type="application/json",
        **token_for(w.librarian_a),
    )
    assert moved.json()["state"] == "at_supplier"
    illegal = client.post(
        f"/api/v1/work-orders/{pk}/state",
        {"state": "reported"},
        content_type="application/json",
        **token_for(w.librarian_a),
    )
    assert illegal.status_code == 422
    assert WorkOrder.objects.get().state == "at_supplier"


def test_lost_in_one_call_and_in_the_export(setup, client, token_for):
    w = setup.world
    importer.import_devices(w.librarian_a, setup.school, google_csv(2))
    services.assign_device(w.librarian_a, setup.school, setup.students[0].user, "CB0001")
    lost = client.post(
        "/api/v1/devices/CB0001/lost",
        {"on": TODAY.isoformat()},
        content_type="application/json",
        **token_for(w.librarian_a),
    ).json()
    assert lost["state"] == DeviceState.LOST and lost["lost_on"] == TODAY.isoformat()
    assert lost["last_borrower"] == setup.students[0].user.username
    feed = client.get("/api/v1/devices?state=lost", **token_for(w.librarian_a)).json()
    assert [d["asset_tag"] for d in feed["items"]] == ["CB0001"]
    client.force_login(w.librarian_a)
    text = client.get("/staff/technology/lost.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][:2] == ["CB0001", "5CD0000001"] and rows[1][5] == TODAY.isoformat()
    client.force_login(w.volunteer_a)
    assert client.get("/staff/technology/lost.csv").status_code == 403
