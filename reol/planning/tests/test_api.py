"""The plans and calendar API: scoped to the caller's schools, the same rules as the pages."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from reol.planning import services
from reol.planning.tests.test_services import vikings

pytestmark = pytest.mark.django_db


def post(client, url, body, headers):  # type: ignore[no-untyped-def]
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def test_a_teacher_posts_and_lists_plans(plans, token_for):
    client = Client()
    auth = token_for(plans.world.teacher_a)
    r = post(
        client,
        "/api/v1/plans",
        {"group": plans.class_b.pk, "title": "Vikingerne", "kind": "project", "weeks": "41-43"},
        auth,
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["starts"] == "2027-10-11" and body["ends"] == "2027-10-29"
    assert body["weeks"] == "41–43" and body["school"] == "nord" and body["group_name"] == "5.B"
    r = post(
        client, "/api/v1/plans", {"group": plans.class_a.pk, "title": "X", "weeks": "41"}, auth
    )
    assert r.status_code == 403
    r = post(
        client, "/api/v1/plans", {"group": plans.class_b.pk, "title": "X", "weeks": "53"}, auth
    )
    assert r.status_code == 422 and "no week 53" in r.json()["message"]
    r = post(
        client,
        "/api/v1/plans",
        {"group": plans.group_b_other_school.pk, "title": "X", "weeks": "41"},
        auth,
    )
    assert r.status_code == 404
    listed = client.get("/api/v1/plans", {"from": "2027-10-01", "to": "2027-10-31"}, **auth).json()
    assert [p["title"] for p in listed["items"]] == ["Vikingerne"]
    assert client.get("/api/v1/plans", {"from": "2027-11-01"}, **auth).json()["items"] == []


def test_plans_never_cross_schools(plans, token_for):
    services.create_entry(
        plans.world.librarian_b, plans.group_b_other_school, title="Syd", weeks_text="41"
    )
    vikings(plans)
    client = Client()
    for user, titles in (
        (plans.world.teacher_a, ["Vikingerne"]),
        (plans.world.librarian_b, ["Syd"]),
        (plans.world.student_a1, []),
        (plans.world.consultant, []),  # consultants do not plan
    ):
        items = client.get("/api/v1/plans", **token_for(user)).json()["items"]
        assert [p["title"] for p in items] == titles, user
    items = client.get("/api/v1/plans", {"school": "syd"}, **token_for(plans.world.teacher_a))
    assert items.json()["items"] == []
    assert client.get("/api/v1/plans").status_code == 401


def test_the_calendar_endpoint(plans, token_for):
    b = vikings(plans)
    services.add_resource(plans.world.teacher_a, b, plans.novel, 29)  # 29 + 2 > 30 copies
    a = vikings(plans, actor=plans.teacher_5a, group=plans.class_a)
    services.add_resource(plans.teacher_5a, a, plans.novel, 2)
    services.reserve_resources(plans.teacher_5a, a)
    client = Client()
    auth = token_for(plans.world.teacher_a)
    r = client.get(
        "/api/v1/calendar", {"school": "nord", "from": "2027-10-11", "to": "2027-10-31"}, **auth
    )
    assert r.status_code == 200, r.content
    cal = r.json()
    assert [w["week"] for w in cal["weeks"]] == [41, 42, 43]
    assert cal["weeks"][1]["holiday"] == "Efterårsferie"
    assert cal["weeks"][0]["clashes"][0]["kind"] == "material"
    assert sorted(cal["weeks"][0]["clashes"][0]["groups"]) == sorted(
        [plans.class_a.pk, plans.class_b.pk]
    )
    assert {p["title"] for p in cal["plans"]} == {"Vikingerne"} and len(cal["plans"]) == 2
    assert cal["bookings"][0]["things"] == ["2 × Skjoldungernes saga"]
    # Another school's calendar: 404 for a teacher of school A, fine for school B's librarian.
    assert client.get("/api/v1/calendar", {"school": "syd"}, **auth).status_code == 404
    assert (
        client.get(
            "/api/v1/calendar", {"school": "syd"}, **token_for(plans.world.librarian_b)
        ).status_code
        == 200
    )
    assert client.get("/api/v1/calendar", **token_for(plans.world.student_a1)).status_code == 404
    r = client.get("/api/v1/calendar", {"from": "2027-10-11", "to": "2029-10-11"}, **auth)
    assert r.status_code == 422


def test_query_counts_do_not_grow_with_the_plans(plans, token_for, django_assert_max_num_queries):
    for group in (plans.class_a, plans.class_b):
        for week in ("34", "36", "38", "41-43", "45"):
            entry = services.create_entry(
                plans.world.librarian_a, group, title=f"Emne {week}", weeks_text=week
            )
            services.add_resource(plans.world.librarian_a, entry, plans.novel, 1)
    client = Client()
    auth = token_for(plans.world.librarian_a)
    client.get("/api/v1/plans", **auth)
    with django_assert_max_num_queries(8):
        assert len(client.get("/api/v1/plans", **auth).json()["items"]) == 10
    query = {"school": "nord", "from": "2027-08-16", "to": "2028-06-25"}
    with django_assert_max_num_queries(16):
        assert client.get("/api/v1/calendar", query, **auth).status_code == 200


def test_plans_page_the_one_way_within_from_to(plans, token_for):
    from reol.core.tests.test_paging import assert_pages

    for group in (plans.class_a, plans.class_b):
        for week in ("36", "41", "45"):
            services.create_entry(
                plans.world.librarian_a, group, title=f"Emne {week}", weeks_text=week
            )
    client = Client()
    auth = token_for(plans.world.librarian_a)
    autumn = assert_pages(client, "/api/v1/plans", auth, {"from": "2027-10-01", "to": "2027-11-30"})
    assert [p["title"] for p in autumn] == ["Emne 41", "Emne 41", "Emne 45", "Emne 45"]
    # Both days count: week 41 is 11–15 October.
    one_day = client.get("/api/v1/plans", {"from": "2027-10-15", "to": "2027-10-15"}, **auth)
    assert [p["title"] for p in one_day.json()["items"]] == ["Emne 41", "Emne 41"]
    for bad in (
        {"from": "15.10.2027"},
        {"to": "2027-13-01"},
        {"from": "2027-10-02", "to": "2027-10-01"},
    ):
        answer = client.get("/api/v1/plans", bad, **auth)
        assert answer.status_code == 422 and answer.json()["code"] == "invalid", bad
    answer = client.get("/api/v1/calendar", {"school": "nord", "from": "next week"}, **auth)
    assert answer.status_code == 422 and list(answer.json()["fields"]) == ["from"]
