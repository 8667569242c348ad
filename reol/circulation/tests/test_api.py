"""The REST API of the desk: the same services, answered as 201/200 or 409/422 with
``{"code", "message"}``, with bearer tokens, scoped to the caller's schools."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from reol.catalog.models import ItemStatus

pytestmark = pytest.mark.django_db


def post(client: Client, url: str, body: dict, headers: dict):  # type: ignore[no-untyped-def]
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def test_checkout_checkin_renew_through_the_api(library, token_for):
    client = Client()
    auth = token_for(library.world.librarian_a)
    r = post(client, "/api/v1/circulation/checkout", {"patron": "A0001", "item": "S1"}, auth)
    assert r.status_code == 201, r.content
    loan = r.json()
    assert loan["item"] == "S1" and loan["patron"] == "elev-a1" and loan["school"] == "nord"
    assert loan["title"] == "Rejsen til Saturn" and loan["due_date"] and loan["state"] == "active"

    r = post(client, "/api/v1/circulation/checkout", {"patron": "A0002", "item": "S1"}, auth)
    assert r.status_code == 409
    assert r.json()["code"] == "already_on_loan" and "already on loan" in r.json()["message"]
    r = post(client, "/api/v1/circulation/checkout", {"patron": "A0002", "item": "XX"}, auth)
    assert r.status_code == 422 and r.json()["code"] == "unknown_item"

    r = client.get("/api/v1/patrons/A0001/loans", **auth)
    assert r.status_code == 200 and [x["item"] for x in r.json()["items"]] == ["S1"]
    r = client.get("/api/v1/items/S1", **auth)
    assert r.json()["status"] == ItemStatus.ON_LOAN and r.json()["patron"] == "elev-a1"

    r = post(client, "/api/v1/circulation/renew", {"item": "S1"}, auth)
    assert r.status_code == 409 and r.json()["code"] == "renewal_not_later"  # holiday cap

    r = post(client, "/api/v1/circulation/checkin", {"item": "S1"}, auth)
    assert r.status_code == 200
    assert r.json()["route"] == "shelf" and r.json()["returned_loan"] == loan["id"]
    assert client.get("/api/v1/items/S1", **auth).json()["status"] == "available"


def test_holds_through_the_api(library, token_for):
    client = Client()
    auth = token_for(library.world.librarian_a)
    post(client, "/api/v1/circulation/checkout", {"patron": "laerer-a", "item": "AT1"}, auth)
    r = post(client, "/api/v1/holds", {"patron": "A0001", "record": library.atlas.pk}, auth)
    assert r.status_code == 201, r.content
    hold = r.json()
    assert hold["state"] == "waiting" and hold["patron"] == "elev-a1" and hold["school"] == "nord"
    r = post(client, "/api/v1/holds", {"patron": "A0001", "record": library.atlas.pk}, auth)
    assert r.status_code == 409 and r.json()["code"] == "hold_exists"
    r = post(client, "/api/v1/circulation/checkin", {"item": "AT1"}, auth)
    assert r.json()["route"] == "hold_shelf" and r.json()["hold_patron"] == "elev-a1"
    r = post(client, f"/api/v1/holds/{hold['id']}/cancel", {}, auth)
    assert r.status_code == 200 and r.json()["state"] == "cancelled"


def test_the_api_is_scoped(library, token_for):
    client = Client()
    w = library.world
    post(client, "/api/v1/circulation/checkout", {"patron": "A0001", "item": "S1"},
         token_for(w.librarian_a))  # fmt: skip
    other = token_for(w.librarian_b)  # school B's librarian
    r = post(client, "/api/v1/circulation/checkout", {"patron": "A0002", "item": "S2"}, other)
    assert r.status_code == 403
    assert client.get("/api/v1/patrons/A0001/loans", **other).status_code == 404
    r = client.get("/api/v1/items/S1", **other)  # same municipality: status, not the borrower
    assert r.status_code == 200 and r.json()["patron"] is None
    teacher = token_for(w.teacher_a)
    r = post(client, "/api/v1/circulation/checkin", {"item": "S1"}, teacher)
    assert r.status_code == 403
    # A student sees their own loans, not another's.
    student = token_for(w.student_a1)
    assert client.get("/api/v1/patrons/A0001/loans", **student).status_code == 200
    assert client.get("/api/v1/patrons/A0002/loans", **student).status_code == 404
    assert client.post("/api/v1/circulation/checkin", "{}", content_type="application/json")\
        .status_code == 401  # fmt: skip


def test_api_messages_follow_the_language(library, token_for):
    client = Client()
    auth = token_for(library.world.librarian_a)
    r = client.post("/api/v1/circulation/checkout", json.dumps({"patron": "A0001", "item": "XX"}),
                    content_type="application/json", HTTP_ACCEPT_LANGUAGE="en", **auth)  # fmt: skip
    assert r.json() == {"code": "unknown_item", "message": "No copy has the barcode XX."}


def test_staff_see_only_the_loans_made_at_their_own_desks(library, token_for):
    """A student at two schools: each school's librarian sees the loans made at that desk."""
    from reol.core.models import Role
    from reol.core.permissions import SYSTEM
    from reol.core.services import grant_role

    client = Client()
    w = library.world
    from reol.catalog import services as catalog

    grant_role(SYSTEM, w.student_a1, w.school_b, Role.STUDENT)
    catalog.add_items(SYSTEM, library.atlas, w.school_b, barcodes=["ATB1"])
    a, b = token_for(w.librarian_a), token_for(w.librarian_b)
    assert post(client, "/api/v1/circulation/checkout", {"patron": "A0001", "item": "S1"}, a)\
        .status_code == 201  # fmt: skip
    assert post(client, "/api/v1/circulation/checkout", {"patron": "A0001", "item": "ATB1"}, b)\
        .status_code == 201  # fmt: skip
    loans = "/api/v1/patrons/A0001/loans"
    assert [x["item"] for x in client.get(loans, **a).json()["items"]] == ["S1"]
    assert [x["item"] for x in client.get(loans, **b).json()["items"]] == ["ATB1"]
    mine = client.get(loans, **token_for(w.student_a1)).json()["items"]
    assert sorted(x["item"] for x in mine) == ["ATB1", "S1"]


def test_a_return_naming_no_school_is_taken_at_the_callers_desk(
    library, token_for, django_assert_max_num_queries
):
    """The desk is found from the copy the check-in locks (no look-up of its own): a copy of
    the caller's school comes home; another school's copy is taken at the caller's one desk
    and sent home; a copy of another municipality is unknown here and left as it was; a
    caller with two desks and a barcode nobody has is asked which desk."""
    from reol.catalog import services as catalog
    from reol.catalog.tests.helpers import book
    from reol.circulation.models import Loan
    from reol.core import services as core
    from reol.core.models import Role
    from reol.core.permissions import SYSTEM

    client, w = Client(), library.world
    a, b = token_for(w.librarian_a), token_for(w.librarian_b)
    assert post(client, "/api/v1/circulation/checkout", {"patron": "B0001", "item": "SB1"}, b)\
        .status_code == 201  # fmt: skip
    assert post(client, "/api/v1/circulation/checkout", {"patron": "laerer-a", "item": "S1"}, a)\
        .status_code == 201  # fmt: skip
    with django_assert_max_num_queries(9):  # the token (read, last use), the check-in's seven
        r = post(client, "/api/v1/circulation/checkin", {"item": "S1"}, a)
    assert r.status_code == 200 and r.json()["route"] == "shelf", r.content
    r = post(client, "/api/v1/circulation/checkin", {"item": "SB1"}, a)
    assert r.status_code == 200, r.content
    assert r.json()["route"] == "transit" and r.json()["destination"] == "syd"
    assert Loan.objects.get(item__barcode="SB1").returned_school == w.school_a

    other = core.create_municipality(SYSTEM, code="andet", name="Andet")
    far = core.create_school(SYSTEM, municipality=other, code="fjern", name="Fjernskolen")
    record = catalog.create_record(SYSTEM, other, book("Langt væk", control="f1"))
    catalog.add_items(SYSTEM, record, far, barcodes=["F1"])
    r = post(client, "/api/v1/circulation/checkin", {"item": "F1"}, a)
    assert r.status_code == 422 and r.json()["code"] == "unknown_item"
    assert library.item("F1").status == "available" and not Loan.objects.filter(item__barcode="F1")

    core.grant_role(SYSTEM, w.librarian_a, w.school_b, Role.LIBRARIAN)
    r = post(client, "/api/v1/circulation/checkin", {"item": "NOBODY"}, a)
    assert r.status_code == 422 and r.json()["code"] == "school_required"
    r = post(client, "/api/v1/circulation/checkin", {"item": "NOBODY", "school": "nord"}, a)
    assert r.status_code == 422 and r.json()["code"] == "unknown_item"
