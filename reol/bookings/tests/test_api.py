"""The REST API of bookings, scoped to the caller's schools."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from reol.bookings import services
from reol.bookings.models import Booking
from reol.bookings.services import BookingRequest as R
from reol.core.permissions import SYSTEM

pytestmark = pytest.mark.django_db


@pytest.fixture
def soon():
    return dt.date.today() + dt.timedelta(days=14)


@pytest.fixture
def api_centre(world):
    from .conftest import make_centre

    return make_centre(world, calendar=False)


def post(client: Client, url: str, body: dict, headers: dict):  # type: ignore[no-untyped-def]
    return client.post(
        url, json.dumps(body, default=str), content_type="application/json", **headers
    )


def test_book_list_and_read(api_centre, token_for, soon):
    c = api_centre
    auth = token_for(c.world.teacher_a)
    client = Client()
    answer = post(
        client,
        "/api/v1/bookings",
        {
            "title": "Vikingerne",
            "starts": soon,
            "ends": soon + dt.timedelta(days=4),
            "group": c.group.pk,
            "lines": [{"record": c.novel.pk, "quantity": 28}, {"resource": c.workshop.pk}],
        },
        auth,
    )
    assert answer.status_code == 201, answer.content
    made = answer.json()
    assert made["teacher"] == "laerer-a" and made["school"] == "nord"
    assert made["lines"][0] == {
        "record": c.novel.pk,
        "title": "Vikingernes saga",
        "item": None,
        "resource": None,
        "quantity": 28,
    }
    listed = client.get("/api/v1/bookings", **auth).json()
    assert [b["id"] for b in listed] == [made["id"]]
    assert client.get(f"/api/v1/bookings/{made['id']}", **auth).json()["title"] == "Vikingerne"
    # The same again: 409 with who holds it and what else is free.
    again = post(
        client,
        "/api/v1/bookings",
        {"starts": soon, "ends": soon, "lines": [{"record": c.novel.pk, "quantity": 5}]},
        token_for(c.teacher2),
    )
    assert again.status_code == 409
    problem = again.json()
    assert problem["code"] == "copies_taken"
    assert "Laerer-A Test" in problem["holder"]
    assert {a["kind"] for a in problem["alternatives"]} >= {"copies", "week"}


def test_bad_input_is_422(api_centre, token_for, soon):
    c = api_centre
    auth = token_for(c.world.teacher_a)
    answer = post(
        Client(),
        "/api/v1/bookings",
        {
            "starts": soon,
            "ends": soon - dt.timedelta(days=1),
            "lines": [{"resource": c.workshop.pk}],
        },
        auth,
    )
    assert answer.status_code == 422
    assert "ends" in answer.json()["fields"]


def test_schools_are_not_crossed(api_centre, token_for, soon):
    c = api_centre
    mine = services.book(
        SYSTEM,
        c.school,
        starts=soon,
        ends=soon,
        lines=[R(resource=c.workshop)],
        teacher=c.world.teacher_a,
    )
    other = token_for(c.world.librarian_b)
    client = Client()
    assert client.get("/api/v1/bookings", **other).json() == []
    assert client.get(f"/api/v1/bookings/{mine.pk}", **other).status_code == 404
    assert client.get("/api/v1/resources", **other).json() == []
    # Booking school A's room from school B: the school is not theirs (404), and a room
    # number of another school is unknown at their own.
    assert (
        post(
            client,
            "/api/v1/bookings",
            {
                "school": "nord",
                "starts": soon,
                "ends": soon,
                "lines": [{"resource": c.workshop.pk}],
            },
            other,
        ).status_code
        == 404
    )
    answer = post(
        client,
        "/api/v1/bookings",
        {"starts": soon, "ends": soon, "lines": [{"resource": c.workshop.pk}]},
        other,
    )
    assert answer.status_code == 422
    assert Booking.objects.count() == 1
    # Students and consultants have no bookings.
    assert client.get("/api/v1/bookings", **token_for(c.world.student_a1)).json() == []
    assert client.get("/api/v1/resources", **token_for(c.world.consultant)).json() == []
    names = [
        r["name"] for r in client.get("/api/v1/resources", **token_for(c.world.teacher_a)).json()
    ]
    assert names == ["Kameraer", "Lydstudiet", "Medieværkstedet"]


def test_list_queries_are_bounded(api_centre, token_for, soon, django_assert_max_num_queries):
    c = api_centre
    for n in range(5):
        services.book(
            SYSTEM,
            c.school,
            starts=soon + dt.timedelta(days=n),
            ends=soon + dt.timedelta(days=n),
            lines=[R(resource=c.workshop), R(record=c.novel, quantity=2)],
            teacher=c.world.teacher_a,
        )
    auth = token_for(c.world.teacher_a)
    client = Client()
    with django_assert_max_num_queries(12):
        assert len(client.get("/api/v1/bookings", **auth).json()) == 5


def test_no_school_to_book_at_is_403(api_centre, token_for, soon):
    answer = post(
        Client(),
        "/api/v1/bookings",
        {"starts": soon, "ends": soon, "lines": [{"resource": api_centre.workshop.pk}]},
        token_for(api_centre.world.consultant),
    )
    assert answer.status_code == 403
