from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def test_health_reports_database_and_migrations(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok" and body["migrations"] == "applied"


def test_openapi_and_docs_are_served_without_a_cdn(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/people" in schema["paths"] and "/api/v1/health" in schema["paths"]
    docs = client.get("/api/v1/docs").content.decode()
    assert "/static/" in docs and "cdn" not in docs.lower()


def test_create_person_through_the_api(world, client, token_for):
    response = client.post(
        "/api/v1/people",
        {
            "school": "nord",
            "username": "ny-elev",
            "role": "student",
            "first_name": "Ny",
            "card_barcode": "A0099",
            "pin": "5555",
        },
        content_type="application/json",
        **token_for(world.librarian_a),
    )
    assert response.status_code == 201, response.content
    assert response.json()["roles"] == [{"school": "nord", "role": "student"}]


def test_bad_input_gets_a_specific_error(world, client, token_for):
    headers = token_for(world.librarian_a)
    dup = client.post(
        "/api/v1/people",
        {"school": "nord", "username": "elev-a1", "role": "student"},
        content_type="application/json",
        **headers,
    )
    assert dup.status_code == 422 and "username" in dup.json()["fields"]
    hostile = client.post(
        "/api/v1/people",
        {"school": "nord", "username": "<script>", "role": "student"},
        content_type="application/json",
        **headers,
    )
    assert hostile.status_code == 422
    huge = client.get("/api/v1/people?q=" + "x" * 10000, **headers)
    assert huge.status_code == 200


def test_people_list_query_count_does_not_grow_with_rows(
    world, client, token_for, django_assert_max_num_queries
):
    headers = token_for(world.consultant)
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/people?size=100", **headers)
    assert response.json()["count"] >= 9


def test_people_page_query_count(world, client, django_assert_max_num_queries):
    client.force_login(world.librarian_a)
    with CaptureQueriesContext(connection) as few:
        client.get("/staff/people/")
    from reol.core import services
    from reol.core.permissions import SYSTEM

    for i in range(30):
        services.create_person(
            SYSTEM, world.school_a, username=f"extra{i}", role="student", first_name="Extra"
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/staff/people/")


def test_every_refusal_of_a_request_has_one_shape_in_the_readers_language(world, client, token_for):
    """What the schema refuses (a wrong type, a missing field, a number out of range) answers
    like what a service refuses: 422 ``{"code": "invalid", "message", "fields"}``."""
    headers = token_for(world.librarian_a)
    too_big = client.get("/api/v1/search?q=heste&size=1000", **headers)
    assert too_big.status_code == 422
    assert too_big.json() == {
        "code": "invalid",
        "message": "size: At most 100.",
        "fields": {"size": ["At most 100."]},
    }
    missing = client.post(
        "/api/v1/people", {"school": "nord"}, content_type="application/json", **headers
    )
    body = missing.json()
    assert missing.status_code == 422 and body["code"] == "invalid"
    assert set(body["fields"]) >= {"username", "role"}
    assert body["fields"]["username"] == ["This is required."]
    danish = client.get(
        "/api/v1/search?q=heste&size=1000", HTTP_ACCEPT_LANGUAGE="da", **headers
    ).json()
    assert danish["fields"]["size"] == ["Højst 100."]


def test_refusals_without_words_of_their_own_speak_the_callers_language(world, client, token_for):
    """A refusal raised bare (a teacher asking for training records) and a 404 (an id that is
    not there, or not the caller's) answer {"code", "message"} in the caller's language; they
    answered "Forbidden" and "Not Found" in English."""
    teacher = {**token_for(world.teacher_a), "HTTP_ACCEPT_LANGUAGE": "da"}
    r = client.get("/api/v1/training-records", **teacher)
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    assert r.json()["message"] == "Det må du ikke."
    r = client.get("/api/v1/bookings/999999", **teacher)
    assert r.status_code == 404
    assert r.json() == {"code": "not_found", "message": "Her er ingenting."}
