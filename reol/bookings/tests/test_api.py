"""The REST API of bookings, scoped to the caller's schools."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from reol.bookings import services
from reol.bookings.models import Booking
from reol.bookings.services import BookingRequest as R
from reol.core.permissions import SYSTEM

pytestmark = pytest.mark.django_db


@pytest.fixture
def soon():
    return timezone.localdate() + dt.timedelta(days=14)


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
    assert listed["count"] == 1 and [b["id"] for b in listed["items"]] == [made["id"]]
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
    assert client.get("/api/v1/bookings", **other).json() == {"count": 0, "items": []}
    assert client.get(f"/api/v1/bookings/{mine.pk}", **other).status_code == 404
    assert client.get("/api/v1/resources", **other).json() == {"count": 0, "items": []}
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
    assert client.get("/api/v1/bookings", **token_for(c.world.student_a1)).json()["items"] == []
    assert client.get("/api/v1/resources", **token_for(c.world.consultant)).json()["items"] == []
    resources = client.get("/api/v1/resources", **token_for(c.world.teacher_a)).json()["items"]
    names = [r["name"] for r in resources]
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
        assert len(client.get("/api/v1/bookings", **auth).json()["items"]) == 5


def test_no_school_to_book_at_is_403(api_centre, token_for, soon):
    answer = post(
        Client(),
        "/api/v1/bookings",
        {"starts": soon, "ends": soon, "lines": [{"resource": api_centre.workshop.pk}]},
        token_for(api_centre.world.consultant),
    )
    assert answer.status_code == 403


def test_bookings_and_resources_page_the_one_way(api_centre, token_for, soon):
    from reol.core.tests.test_paging import assert_pages

    c = api_centre
    for n in range(5):
        services.book(
            SYSTEM,
            c.school,
            starts=soon + dt.timedelta(days=n),
            ends=soon + dt.timedelta(days=n + 1),
            lines=[R(resource=c.workshop, quantity=1)] if n % 2 else [R(record=c.novel)],
            teacher=c.world.teacher_a,
        )
    auth = token_for(c.world.teacher_a)
    client = Client()
    listed = assert_pages(client, "/api/v1/bookings", auth)
    assert [b["starts"] for b in listed] == [str(soon + dt.timedelta(days=n)) for n in range(5)]
    names = [r["name"] for r in assert_pages(client, "/api/v1/resources", auth)]
    assert names == ["Kameraer", "Lydstudiet", "Medieværkstedet"]


def test_bookings_take_from_and_to_both_days_included(api_centre, token_for, soon):
    c = api_centre
    for n in range(0, 10, 2):  # days 0–1, 2–3, 4–5, 6–7, 8–9 from soon
        services.book(
            SYSTEM,
            c.school,
            starts=soon + dt.timedelta(days=n),
            ends=soon + dt.timedelta(days=n + 1),
            lines=[R(resource=c.workshop)],
            teacher=c.world.teacher_a,
        )
    auth = token_for(c.world.teacher_a)
    client = Client()

    def starts(**query: int) -> list[int]:
        days = {k: str(soon + dt.timedelta(days=v)) for k, v in query.items()}
        answer = client.get("/api/v1/bookings", {k.rstrip("_"): v for k, v in days.items()}, **auth)
        assert answer.status_code == 200, answer.content
        return [(dt.date.fromisoformat(b["starts"]) - soon).days for b in answer.json()["items"]]

    assert starts(from_=3, to=6) == [2, 4, 6]  # touching: 2–3 ends on day 3, 6–7 starts on 6
    assert starts(from_=5, to=5) == [4]
    assert starts(from_=10) == []
    assert starts(to=1) == [0]  # from defaults to today
    assert starts() == [0, 2, 4, 6, 8]  # today and the 90 days after
    for old in ("starts", "ends"):
        answer = client.get("/api/v1/bookings", {old: str(soon)}, **auth)
        assert answer.status_code == 422 and list(answer.json()["fields"]) == [old]
        assert {"starts": "“from”", "ends": "“to”"}[old] in answer.json()["message"]
    answer = client.get("/api/v1/bookings", {"from": "2027-02-29"}, **auth)
    assert answer.status_code == 422 and list(answer.json()["fields"]) == ["from"]
