"""The public catalogue API, used anonymously."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.fixture
def client() -> Client:
    return Client()


def test_search_anonymous(catalogue, client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(
        "/api/v1/search", {"q": "harry poter", "municipality": "solbjerg", "lang": "da"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["total"] >= 4
    assert body["suggestion"] == "harry potter"
    hit = body["hits"][0]
    assert set(hit) == {
        "id",
        "title",
        "contributors",
        "year",
        "material_type",
        "shelf_mark",
        "availability",
    }
    labels = {v["value"]: v["label"] for v in body["facets"]["school"]}
    assert labels == {"nord": "Nordskolen", "syd": "Sydskolen"}
    assert "loan" not in response.content.decode().lower()


def test_search_filters_sort_and_pages(catalogue, client) -> None:  # type: ignore[no-untyped-def]
    body = client.get(
        "/api/v1/search",
        {
            "q": "harry potter",
            "municipality": "solbjerg",
            "school": "syd",
            "available": "true",
            "material_type": ["book", "film"],
            "sort": "title",
            "size": 1,
            "page": 2,
        },
    ).json()
    assert body["total"] == 2 and len(body["hits"]) == 1
    deep = client.get("/api/v1/search", {"q": "harry", "municipality": "solbjerg", "page": 10000})
    assert deep.status_code == 200 and deep.json()["hits"] == []


@pytest.mark.parametrize(
    "params",
    [
        {"q": "a" * 10_000},
        {"q": '"('},
        {"q": "title:"},
        {"q": "x", "sort": "'; DROP TABLE"},
        {"q": "x", "page": "-1"},
        {"q": "x", "size": "100000"},
        {"q": "x", "year": "nonsense"},
        {"q": "🦕 NEAR( ~2 ^3"},
    ],
)
def test_bad_input_is_never_a_500(catalogue, client, params) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/search", {"municipality": "solbjerg", **params})
    assert response.status_code in (200, 422)


def test_municipality_required_when_ambiguous(catalogue, client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/v1/search", {"q": "harry"}).status_code == 404
    assert client.get("/api/v1/search", {"q": "harry", "municipality": "nope"}).status_code == 404


def test_the_only_municipality_is_chosen(catalogue, client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.REOL_PUBLIC_MUNICIPALITY = "solbjerg"
    assert client.get("/api/v1/search", {"q": "harry"}).json()["total"] >= 6


def test_autocomplete(catalogue, client) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/api/v1/autocomplete", {"q": "vitel", "municipality": "solbjerg"}).json()
    assert {s["title"] for s in body} == {"Vitello ridser en bil", "Vitello vil have en far"}
    assert client.get("/api/v1/autocomplete", {"municipality": "solbjerg"}).json() == []


def test_record(catalogue, client) -> None:  # type: ignore[no-untyped-def]
    pk = catalogue.ids["hp1_da"]
    body = client.get(f"/api/v1/records/{pk}", {"municipality": "solbjerg"}).json()
    assert body["title"] == "Harry Potter og De Vises Sten"
    assert sorted((c["school"], c["status"]) for c in body["copies"]) == [
        ("nord", "available"),
        ("nord", "on_loan"),
        ("syd", "available"),
    ]
    assert "borrower" not in str(body) and "patron" not in str(body)
    assert client.get("/api/v1/records/999999", {"municipality": "solbjerg"}).status_code == 404
