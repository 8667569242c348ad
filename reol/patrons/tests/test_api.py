"""/api/v1/patrons and /api/v1/groups, crossing schools and roles."""

from __future__ import annotations

from reol.core.models import AuditEvent
from reol.patrons.models import GroupMember, Patron


def test_librarians_list_their_schools_patrons_only(client, patrons, token_for):
    w = patrons.world
    body = client.get("/api/v1/patrons", **token_for(w.librarian_a)).json()
    names = {p["username"] for p in body["items"]}
    assert {"elev-a1", "elev-a2", "laerer-a"} <= names and "elev-b1" not in names
    assert body["count"] == len(body["items"])
    one = client.get("/api/v1/patrons?group=5.A&category=student", **token_for(w.librarian_a))
    assert [p["username"] for p in one.json()["items"]] == ["elev-a1"]
    assert client.get("/api/v1/patrons?school=syd", **token_for(w.librarian_a)).status_code == 404
    consultant = client.get("/api/v1/patrons", **token_for(w.consultant)).json()
    assert {"elev-a1", "elev-b1"} <= {p["username"] for p in consultant["items"]}
    assert client.get("/api/v1/patrons", **token_for(w.other_consultant)).json()["count"] == 0


def test_teachers_and_students_may_not_list_patrons(client, patrons, token_for):
    w = patrons.world
    assert client.get("/api/v1/patrons", **token_for(w.teacher_a)).status_code == 403
    assert client.get("/api/v1/patrons", **token_for(w.student_a1)).status_code == 403
    assert client.get("/api/v1/patrons/A0002", **token_for(w.student_a1)).status_code == 404
    assert client.get("/api/v1/patrons").status_code == 401


def test_one_patron_by_card_is_audited_and_another_school_is_a_404(client, patrons, token_for):
    w = patrons.world
    response = client.get("/api/v1/patrons/a0001", **token_for(w.librarian_a))
    assert response.status_code == 200
    body = response.json()
    assert (body["username"], body["grade"], body["groups"]) == ("elev-a1", 5, ["5.A"])
    assert AuditEvent.objects.filter(
        action="person.view", object_id=str(w.student_a1.pk), via="api"
    ).exists()
    assert client.get("/api/v1/patrons/B0001", **token_for(w.librarian_a)).status_code == 404
    assert client.get("/api/v1/patrons/laerer-a", **token_for(w.librarian_a)).status_code == 200


def test_patrons_are_created_and_patched_by_those_who_manage_people(client, patrons, token_for):
    w = patrons.world
    payload = {
        "category": "student",
        "username": "elev-api",
        "first_name": "Api",
        "card_barcode": "A0500",
        "grade": 5,
        "guardian_emails": ["mor@example.org"],
        "groups": ["5.A"],
    }
    response = client.post(
        "/api/v1/patrons", payload, content_type="application/json", **token_for(w.librarian_a)
    )
    assert response.status_code == 201, response.content
    assert response.json()["groups"] == ["5.A"]
    again = client.post(
        "/api/v1/patrons", payload, content_type="application/json", **token_for(w.librarian_a)
    )
    assert again.status_code == 422 and "username" in again.json()["fields"]
    refused = client.post(
        "/api/v1/patrons",
        {**payload, "username": "x", "school": "nord"},
        content_type="application/json",
        **token_for(w.librarian_b),
    )
    assert refused.status_code == 404
    patched = client.patch(
        "/api/v1/patrons/A0500",
        {"grade": 6, "guardian_emails": ["far@example.org"]},
        content_type="application/json",
        **token_for(w.librarian_a),
    )
    assert patched.status_code == 200 and patched.json()["grade"] == 6
    assert patched.json()["guardian_emails"] == ["far@example.org"]
    bad = client.patch(
        "/api/v1/patrons/A0500",
        {"grade": 44},
        content_type="application/json",
        **token_for(w.librarian_a),
    )
    assert bad.status_code == 422
    assert (
        client.patch(
            "/api/v1/patrons/A0500",
            {"grade": 4},
            content_type="application/json",
            **token_for(w.consultant),
        ).status_code
        == 403
    )
    assert (
        client.patch(
            "/api/v1/patrons/A0500",
            {"grade": 4},
            content_type="application/json",
            **token_for(w.librarian_b),
        ).status_code
        == 404
    )
    assert Patron.objects.get(user__username="elev-api").grade == 6


def test_groups_are_scoped_by_school_and_a_teacher_sees_their_own(client, patrons, token_for):
    w = patrons.world
    mine = client.get("/api/v1/groups", **token_for(w.librarian_a)).json()["items"]
    assert {(g["school"], g["name"]) for g in mine} == {("nord", "5.A"), ("nord", "6.A")}
    five = next(g for g in mine if g["name"] == "5.A")
    assert five["students"] == 1 and five["teachers"] == ["laerer-a"]
    taught = client.get("/api/v1/groups", **token_for(w.teacher_a)).json()["items"]
    assert [g["name"] for g in taught] == ["5.A"]
    assert client.get("/api/v1/groups", **token_for(w.student_a1)).json()["items"] == []
    b = client.get("/api/v1/groups", **token_for(w.librarian_b)).json()["items"]
    assert [(g["school"], g["name"]) for g in b] == [("syd", "5.A")]
    assert GroupMember.objects.count() == 5


def test_the_list_costs_a_bounded_number_of_queries(
    client, patrons, token_for, django_assert_max_num_queries
):
    from reol.core.permissions import SYSTEM
    from reol.patrons import services

    w = patrons.world
    for n in range(10):
        extra = services.create_patron(
            SYSTEM, w.school_a, category="student", username=f"ekstra-{n}", first_name="E"
        )
        services.add_member(SYSTEM, patrons.class_5a, extra)
    headers = token_for(w.librarian_a)
    with django_assert_max_num_queries(15):
        assert client.get("/api/v1/patrons", **headers).json()["count"] == 14
    with django_assert_max_num_queries(15):
        assert client.get("/api/v1/groups", **headers).json()["count"] == 2


def test_patrons_and_groups_page_the_one_way(client, patrons, token_for):
    from reol.core.tests.test_paging import assert_pages

    w = patrons.world
    listed = assert_pages(client, "/api/v1/patrons", token_for(w.librarian_a))
    assert len(listed) == Patron.objects.filter(school=w.school_a, active=True).count()
    assert "elev-b1" not in {p["username"] for p in listed}
    groups = assert_pages(client, "/api/v1/groups", token_for(w.consultant))
    assert {(g["school"], g["name"]) for g in groups} == {
        ("nord", "5.A"),
        ("nord", "6.A"),
        ("syd", "5.A"),
    }
