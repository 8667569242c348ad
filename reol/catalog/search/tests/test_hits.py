"""What a hit says: roles in the reader's language, title and subtitle apart, and no year as
no year (never a bogus year bucket)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from reol.catalog import search
from reol.catalog.models import Item, Record
from reol.catalog.search import labels
from reol.catalog.search.api import SearchOut, SuggestionOut
from reol.catalog.search.tests.conftest import Catalogue
from reol.catalog.search.types import YEAR_BUCKETS
from reol.catalog.services import queue_for_search

CONTRIBUTORS = [
    {"name": "Astrid Lindgren", "role": "", "relator": "aut"},
    {"name": "Ingrid Vang Nyman", "role": "illustrator", "relator": "ill"},
    {"name": "Kina Bodenhoff", "role": "oversætter", "relator": "trl"},
    {"name": 'Ole "Bamse" Sørensen', "role": "indlæser"},  # no code: the term as catalogued
    {"name": "Uden Kode", "role": "kok"},  # a term we do not know: as it was written
]


@pytest.fixture
def pippi(catalogue: Catalogue) -> Record:
    record = Record.objects.create(
        municipality=catalogue.municipality,
        marc={},
        title="Pippi Langstrømpe går om bord",
        subtitle="en fortælling",
        contributors=CONTRIBUTORS,
        languages=["dan"],
        year=None,  # not known: in no year range
    )
    Item.objects.create(record=record, school=catalogue.school_a, barcode="PIPPI-1")
    queue_for_search([record.pk])
    return record


def _api(client: Client, language: str, **params: object) -> dict:  # type: ignore[type-arg]
    response = client.get(
        "/api/v1/search",
        {"municipality": "solbjerg", **params},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200
    body = response.json()
    SearchOut.model_validate(body)
    return body


def test_the_index_keeps_relator_codes_and_no_translation(pippi: Record) -> None:
    search.search(search.SearchQuery(text="", municipality_id=pippi.municipality_id))  # sync
    stored = search.engine().stored(pippi.pk)
    assert stored is not None
    assert [(c["relator"], c["role"]) for c in stored["contributors"]] == [
        ("aut", ""),
        ("ill", "illustrator"),
        ("trl", "oversætter"),
        ("", "indlæser"),
        ("", "kok"),
    ]


@pytest.mark.parametrize(
    ("language", "roles"),
    [
        ("en", ["author", "illustrator", "translator", "narrator", "kok"]),
        ("da", ["forfatter", "illustrator", "oversætter", "indlæser", "kok"]),
        ("nb", ["forfatter", "illustratør", "oversetter", "innleser", "kok"]),
    ],
)
def test_api_and_hits_show_roles_in_the_readers_language(
    pippi: Record, language: str, roles: list[str]
) -> None:
    body = _api(Client(), language, q="pippi om bord")
    hit = next(h for h in body["hits"] if h["id"] == pippi.pk)
    assert [c["role"] for c in hit["contributors"]] == roles
    assert [c["name"] for c in hit["contributors"]] == [c["name"] for c in CONTRIBUTORS]
    assert hit["contributors"][1]["relator"] == "ill"
    with translation.override(language):
        found = search.search(
            search.SearchQuery(text="pippi om bord", municipality_id=pippi.municipality_id)
        )
        hit_object = next(h for h in found.hits if h.id == pippi.pk)
        assert [c["role"] for c in hit_object.contributors] == roles


def test_translate_roles_leaves_everything_else_as_it_was() -> None:
    stored = (
        b'{"id":1,"title":"{\\"name\\":\\"x\\",\\"relator\\":\\"aut\\",\\"role\\":\\"\\"}",'
        b'"contributors":[{"name":"A \\"B\\" C","relator":"aut,ill","role":""}]}'
    )
    with translation.override("da"):
        assert labels.translate_roles(stored) == stored.replace(
            b'"role":""}]', b'"role":"forfatter, illustrator"}]'
        )


def test_title_and_subtitle_come_apart_and_autocomplete_punctuates(pippi: Record) -> None:
    client = Client()
    hit = next(h for h in _api(client, "da", q="pippi fortælling")["hits"] if h["id"] == pippi.pk)
    assert (hit["title"], hit["subtitle"]) == ("Pippi Langstrømpe går om bord", "en fortælling")
    found = client.get(
        "/api/v1/autocomplete", {"q": "pippi går om b", "municipality": "solbjerg"}
    ).json()
    for suggestion in found:
        SuggestionOut.model_validate(suggestion)
    assert {"id": pippi.pk, "title": "Pippi Langstrømpe går om bord : en fortælling"} in [
        {"id": s["id"], "title": s["title"]} for s in found
    ]


def test_a_record_without_a_year_is_in_no_year_bucket(catalogue: Catalogue, pippi: Record) -> None:
    everything = search.search(
        search.SearchQuery(text="", municipality_id=pippi.municipality_id, size=100)
    )
    assert pippi.pk in [h.id for h in everything.hits]
    years = {v.value: v.count for v in everything.facets["year"]}
    assert set(years) <= set(YEAR_BUCKETS)  # no "*-1" for the records without a year
    with_year = Record.objects.filter(municipality=catalogue.municipality, year__isnull=False)
    assert sum(years.values()) == with_year.count()
    newest = search.search(
        search.SearchQuery(text="", municipality_id=pippi.municipality_id, sort="newest", size=100)
    )
    assert newest.hits[-1].year is None  # no year sorts last, after the oldest
