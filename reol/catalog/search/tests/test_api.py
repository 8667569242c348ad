"""The public catalogue API, used anonymously."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from reol.catalog.search.api import SearchOut, SuggestionOut
from reol.catalog.search.tests.conftest import Catalogue
from reol.core.models import School


@pytest.fixture
def client() -> Client:
    return Client()


def test_search_anonymous(catalogue, client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(
        "/api/v1/search",
        {"q": "harry poter", "municipality": "solbjerg", "lang": "da", "facets": "all"},
    )
    assert response.status_code == 200
    body = response.json()
    SearchOut.model_validate(body)  # the output is what the OpenAPI document says
    assert body["total"] >= 4
    assert body["suggestion"] == "harry potter"
    hit = body["hits"][0]
    assert set(hit) == {
        "id",
        "title",
        "subtitle",
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
    for suggestion in body:
        SuggestionOut.model_validate(suggestion)
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


def test_facets_only_when_asked(catalogue: Catalogue, client: Client) -> None:
    plain = client.get("/api/v1/search", {"q": "harry", "municipality": "solbjerg"}).json()
    assert plain["facets"] == {} and plain["facet_titles"] == {}
    assert plain["total"] >= 4
    some = client.get(
        "/api/v1/search",
        {"q": "harry", "municipality": "solbjerg", "facets": ["school", "year", "nonsense"]},
    ).json()
    assert set(some["facets"]) == {"school", "year"} == set(some["facet_titles"])
    every = client.get(
        "/api/v1/search", {"q": "harry", "municipality": "solbjerg", "facets": "all"}
    ).json()
    assert set(every["facets"]) == {
        "material_type",
        "age",
        "reading_level",
        "language",
        "school",
        "available",
        "year",
        "subject",
    }
    assert every["total"] == some["total"] == plain["total"]
    assert [h["id"] for h in every["hits"]] == [h["id"] for h in plain["hits"]]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        # The age bands with the grades they span, as each country counts them.
        (
            "en",
            ("Subject", "Material type", "any school", "Book", "Danish", "9–12 years (grades 4–7)"),
        ),
        (
            "da",
            (
                "Emne",
                "Materialetype",
                "hvilken som helst skole",
                "Bog",
                "Dansk",
                "9–12 år (3.–6. klasse)",
            ),
        ),
        (
            "nb",
            (
                "Emne",
                "Materialtype",
                "hvilken som helst skole",
                "Bok",
                "Dansk",
                "9–12 år (4.–7. trinn)",
            ),
        ),
    ],
)
def test_facet_titles_and_labels_are_translated(
    catalogue: Catalogue, client: Client, language: str, expected: tuple[str, ...]
) -> None:
    body = client.get(
        "/api/v1/search",
        {"municipality": "solbjerg", "facets": "all"},
        headers={"accept-language": language},
    ).json()
    titles = body["facet_titles"]
    label = {
        (name, v["value"]): v["label"] for name, values in body["facets"].items() for v in values
    }
    found = (
        titles["subject"],
        titles["material_type"],
        label["available", "*"],
        label["material_type", "book"],
        label["language", "dan"],
        label["age", "9-12"],
    )
    assert found == expected
    with translation.override(language):  # strings new with this change, whatever their state
        assert titles["available"] == gettext("Available now")
        assert label["year", "1980-1999"] == "1980–1999"
        assert label["reading_level", "10-14"] == gettext("LIX %(band)s") % {"band": "10–14"}
    assert label["school", "nord"] == "Nordskolen"  # names come from the database as they are
    assert label["subject", "magi"] == "magi"


def test_every_label_in_the_search_package_is_translatable() -> None:
    from reol.catalog.search import labels

    with translation.override("da"):
        for name in labels.FACETS_WITH_TITLES:
            assert labels.title(name) != name
        assert labels.label("year", "-1979") == "før 1980"
        assert labels.label("year", "2020-") == "2020 og senere"
        assert labels.label("age", "18+") == "18 år og op (voksne)"
        assert labels.label("material_type", "nonsense") == "nonsense"
        assert labels.label("language", "ita") == "Italiensk"
        assert labels.label("language", "xyz") == "XYZ"  # still a code, not a word


def test_warm_search_reads_nothing_from_the_database(
    catalogue: Catalogue,
    client: Client,
    settings,
    django_assert_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    params = {"q": "harry", "municipality": "solbjerg", "facets": "all"}
    client.get("/api/v1/search", params)  # applies the outbox (sync mode) and warms the caches
    settings.REOL_SEARCH_SYNC = False
    with django_assert_num_queries(0):
        assert client.get("/api/v1/search", params).status_code == 200
        assert client.get("/api/v1/autocomplete", {"q": "harr", **params}).status_code == 200


def test_cached_names_follow_changes(catalogue: Catalogue, client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    params = {"q": "harry", "municipality": "solbjerg", "facets": "school"}

    def names() -> dict[str, str]:
        body = client.get("/api/v1/search", params).json()
        return {v["value"]: v["label"] for v in body["facets"]["school"]}

    assert names()["nord"] == "Nordskolen"
    School.objects.filter(pk=catalogue.school_a.pk).update(name="Quiet")  # no signal: cached
    assert names()["nord"] == "Nordskolen"
    school = School.objects.get(pk=catalogue.school_a.pk)
    school.name = "Nordbyskolen"
    school.save()  # a save clears this process's cache at once
    assert names()["nord"] == "Nordbyskolen"
    # Another process's change shows within CACHE_SECONDS.
    School.objects.filter(pk=catalogue.school_a.pk).update(name="Later")
    from reol.catalog.search import selectors

    settings.REOL_SEARCH_SYNC = False
    original = selectors.CACHE_SECONDS
    try:
        selectors.CACHE_SECONDS = 0.0
        selectors.clear()
        assert names()["nord"] == "Later"
    finally:
        selectors.CACHE_SECONDS = original


def test_the_only_municipality_follows_changes(catalogue: Catalogue, client: Client) -> None:
    from reol.core import services
    from reol.core.permissions import SYSTEM

    # Two municipalities: a search must say which.
    assert client.get("/api/v1/search", {"q": "harry"}).status_code == 404
    from reol.catalog.models import Record

    Record.objects.filter(municipality=catalogue.other_municipality).delete()
    catalogue.other_municipality.delete()
    assert client.get("/api/v1/search", {"q": "harry"}).json()["total"] >= 4
    services.create_municipality(SYSTEM, code="tredje", name="Tredje Kommune")
    assert client.get("/api/v1/search", {"q": "harry"}).status_code == 404


def test_openapi_describes_the_search(db, client: Client) -> None:  # type: ignore[no-untyped-def]
    schema = client.get("/api/v1/openapi.json").json()
    search_get = schema["paths"]["/api/v1/search"]["get"]
    names = {p["name"] for p in search_get["parameters"]}
    assert {"q", "facets", "municipality", "available", "sort", "page", "size"} <= names
    assert "facet_titles" in schema["components"]["schemas"]["SearchOut"]["properties"]


def test_every_age_band_has_a_label_with_its_grades() -> None:
    from reol.catalog.search.labels import AGE_GRADES
    from reol.catalog.search.types import AGE_BUCKETS

    assert set(AGE_GRADES) == set(AGE_BUCKETS)
