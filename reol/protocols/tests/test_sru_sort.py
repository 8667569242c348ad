"""SRU sorting: CQL's ``sortBy`` and SRU 1.x's ``sortKeys``, by raw requests and by zoomsh
(Index Data's ZOOM shell, whose ``sortby sru11`` sends ``sortKeys`` as SRU clients do)."""

from __future__ import annotations

import subprocess

import pytest
from django.test import Client

from reol.catalog import services
from reol.core.permissions import SYSTEM

from .conftest import Shelf, _record
from .test_sru import BASE, count, diagnostic, titles
from .test_sru import sru as ask

QUERY = "dc.title=sol"


@pytest.fixture
def suns(shelf: Shelf) -> Shelf:
    """Four books on the sun beside the shelf: years, authors and titles each in another
    order (and Ærø's æ sorts after z, as in Danish)."""
    for title, author, year in (
        ("Ærø i sol", "Berg, Ida", 2001),
        ("Sol og måne", "Andersen, Bo", 2019),
        ("Zebraer i sol", "Østergaard, Eva", 1999),
        ("Bag solen sol", "Dahl, Ole", 2010),
    ):
        record = _record(shelf.world, title, author=author, year=year)
        services.add_items(SYSTEM, record, shelf.world.school_a, count=1)
    return shelf


def _years(root) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        (field.findtext("{http://www.loc.gov/MARC21/slim}subfield[@code='c']") or "")[-4:]
        for field in root.iter("{http://www.loc.gov/MARC21/slim}datafield")
        if field.get("tag") == "264"
    ]


@pytest.mark.django_db
def test_cql_sort_by_title_creator_and_date(suns: Shelf, client: Client) -> None:
    by_title = ["Bag solen sol", "Sol og måne", "Zebraer i sol", "Ærø i sol"]
    assert titles(ask(client, query=f"{QUERY} sortBy dc.title")) == by_title
    assert titles(ask(client, query=f"{QUERY} sortBy dc.title/sort.descending")) == (by_title[::-1])
    assert titles(ask(client, version="2.0", query=f"{QUERY} sortBy dc.creator")) == [
        "Sol og måne",
        "Ærø i sol",
        "Bag solen sol",
        "Zebraer i sol",
    ]
    newest = ask(client, query=f"{QUERY} sortBy dc.date/sort.descending", maximumRecords="2")
    assert titles(newest) == ["Sol og måne", "Bag solen sol"]
    assert count(newest) == 4
    # Paging walks the sorted answer.
    rest = ask(client, query=f"{QUERY} sortBy dc.date/sort.descending", startRecord="3")
    assert titles(rest) == ["Ærø i sol", "Zebraer i sol"]
    # Two keys, each its own direction: the second orders the first's ties (2020).
    query = "dc.title=sol or dc.title=horse or dc.title=heste"
    both = ask(client, query=f"{query} sortBy dc.date dc.title/sort.descending")
    assert titles(both) == [
        "Zebraer i sol",
        "Ærø i sol",
        "Bag solen sol",
        "Sol og måne",
        "The horse book",
        "Heste i Danmark",
    ]


@pytest.mark.django_db
def test_sort_keys_parameter(suns: Shelf, client: Client) -> None:
    assert titles(ask(client, query=QUERY, sortKeys="dc.date,,1")) == [
        "Zebraer i sol",
        "Ærø i sol",
        "Bag solen sol",
        "Sol og måne",
    ]
    assert titles(ask(client, query=QUERY, sortKeys="title,,0", maximumRecords="1")) == [
        "Ærø i sol"
    ]
    assert titles(ask(client, query=QUERY, sortKeys="creator,marcxml,1,0,lowValue"))[0] == (
        "Sol og måne"
    )


@pytest.mark.parametrize(
    ("params", "number"),
    [
        ({"query": f"{QUERY} sortBy dc.subject"}, "88"),
        ({"query": QUERY, "sortKeys": "dc.subject,,1"}, "88"),
        ({"query": f"{QUERY} sortBy dc.title/sort.respectCase"}, "91"),
        ({"query": QUERY, "sortKeys": "title,,1,1"}, "91"),
        ({"query": f"{QUERY} sortBy dc.title/sort.missingFail"}, "92"),
        ({"query": QUERY, "sortKeys": "title,,1,0,abort"}, "92"),
        ({"query": QUERY, "sortKeys": "title,,up"}, "90"),
        ({"query": QUERY, "sortKeys": "title,mods,1"}, "87"),
        ({"query": f"{QUERY} sortBy dc.title/sort.locale=da"}, "82"),
        ({"query": f"{QUERY} sortBy dc.title dc.date dc.creator dc.title"}, "84"),
        ({"query": f"{QUERY} sortBy dc.title", "sortKeys": "title,,1"}, "96"),
    ],
)
@pytest.mark.django_db
def test_sort_diagnostics(suns: Shelf, client: Client, params: dict[str, str], number: str) -> None:
    root = ask(client, **params)
    assert diagnostic(root) == number
    assert titles(root) == []


@pytest.mark.django_db
def test_count_only_needs_no_sort(suns: Shelf, client: Client) -> None:
    root = ask(client, query=f"{QUERY} sortBy dc.date", maximumRecords="0")
    assert count(root) == 4
    assert titles(root) == []


def test_zoomsh_sorts_with_sort_keys(suns: Shelf, live_server) -> None:  # type: ignore[no-untyped-def]
    """zoomsh asks with ``sortKeys=dc.date,,0,0,highValue`` (newest first) and shows the
    records in the order they came."""
    done = subprocess.run(
        [
            "zoomsh",
            "set sru get",
            "set sru_version 1.2",
            "set count 4",
            "set schema dc",
            f"connect {live_server.url}{BASE}",
            "sortby sru11 dc.date >",
            f"search cql:{QUERY}",
            "quit",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    out = done.stdout
    assert ": 4 hits" in out, out
    shown = [
        line.split("<dc:title>")[1].split("<")[0]
        for line in out.splitlines()
        if "<dc:title>" in line
    ]
    assert shown == ["Sol og måne", "Bag solen sol", "Ærø i sol", "Zebraer i sol"]


@pytest.mark.django_db
def test_explain_says_what_sorts(shelf: Shelf, client: Client) -> None:
    zeerex = "{http://explain.z3950.org/dtd/2.0/}"
    root = ask(client, operation="explain")
    sortable = {
        index.findtext(f"{zeerex}map/{zeerex}name")
        for index in root.iter(f"{zeerex}index")
        if index.get("sort") == "true"
    }
    assert sortable == {"title", "creator", "date"}
    keywords = [k.text for k in root.iter(f"{zeerex}sortKeyword")]
    assert "sort.descending" in keywords
    config = root.find(f".//{zeerex}configInfo")
    assert config is not None
    assert [s.get("type") for s in config if s.get("type") == "sort"] == ["sort"]
