"""SRU's records as they are written: the fast path for values that need no escaping writes
the same XML as the escaping one, and a page of records costs the same statements whatever
its size (no query per record)."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from reol.protocols import records

from .conftest import Shelf
from .test_sru import BASE, titles
from .test_sru import sru as ask

MARC = {
    "leader": "00000nam a2200000 a 4500",
    "fields": [
        {"001": "rec-1"},
        {"245": {"ind1": "1", "ind2": "0", "subfields": [{"a": "Heste"}, {"c": "Anne Jensen"}]}},
        {"952": {"ind1": " ", "ind2": " ", "subfields": [{"p": "FOREIGN-1"}]}},
    ],
}


def _text(value: object) -> str:
    """Stored JSON as Django writes it (ASCII, escapes) and PostgreSQL's jsonb text (UTF-8)."""
    return json.dumps(value)


@pytest.mark.parametrize(
    "title",
    [
        "Heste i Danmark",
        "Ærø og Åbenrå",
        "Tom & Jerry",
        "a < b > c",
        'Den "gode" bog',
        "back\\slash",
        "form\x0cfeed",
        "bell\x07",
        "non\ufffecharacter",
        "tab\tand\nnewline",
    ],
)
def test_clean_and_escaping_paths_write_the_same_xml(title: str) -> None:
    marc = json.loads(json.dumps(MARC))
    marc["fields"][1]["245"]["subfields"][0]["a"] = title
    for text in (json.dumps(marc), json.dumps(marc, ensure_ascii=False)):
        clean = records.is_clean(text)
        assert records.marcxml(marc, None, clean=clean) == records.marcxml(marc, None)
    assert "952" not in records.marcxml(marc, None, clean=True)


@pytest.mark.parametrize("title", ["Tom & Jerry", "a < b", 'Den "gode" bog', "form\x0cfeed"])
def test_a_value_xml_must_escape_is_never_taken_as_clean(title: str) -> None:
    marc = {"leader": "", "fields": [{"245": {"subfields": [{"a": title}]}}]}
    assert not records.is_clean(json.dumps(marc))
    assert not records.is_clean(json.dumps(marc, ensure_ascii=False))


def _statements(client: Client, **params: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        ask(client, BASE, **params)
    return len(queries.captured_queries)


@pytest.mark.parametrize("schema", ["marcxml", "dc"])
@pytest.mark.parametrize("query", ["cql.allRecords=1", 'dc.title any "heste dinosaurernes horse"'])
@pytest.mark.django_db
def test_a_page_costs_the_same_statements_whatever_its_size(
    shelf: Shelf, client: Client, schema: str, query: str
) -> None:
    ask(client, query=query)  # the test index catches up with the shelf's writes first
    one = _statements(client, query=query, maximumRecords="1", recordSchema=schema)
    three = _statements(client, query=query, maximumRecords="3", recordSchema=schema)
    assert len(titles(ask(client, query=query, maximumRecords="3"))) == 3
    assert one == three
    # The municipality and its schools, the ids (or the engine's own bookkeeping: two reads a
    # conjunction in the tests' synchronous mode, three conjunctions here), the records, their
    # holdings or ISBNs.
    assert three <= 10


@pytest.mark.parametrize("path", [BASE, BASE + "nord/"])
@pytest.mark.django_db
def test_a_warm_page_of_marcxml_is_one_statement(
    shelf: Shelf, client: Client, settings, path: str
) -> None:  # type: ignore[no-untyped-def]
    """The municipality and its schools are kept per process; the records' MARC and their
    copies are read together: on PostgreSQL each statement is a round trip, and the search
    API makes none."""
    query = 'dc.title any "heste dinosaurernes"'
    ask(client, path, query=query)  # applies the index's outbox (sync mode), warms the cache
    settings.REOL_SEARCH_SYNC = False
    with CaptureQueriesContext(connection) as queries:
        root = ask(client, path, query=query, maximumRecords="5")
    assert sorted(titles(root)) == ["Dinosaurernes verden", "Heste i Danmark"]
    assert len(queries.captured_queries) == 1
