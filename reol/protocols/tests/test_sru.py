"""The SRU server, through raw requests (every feature and diagnostic) and through yaz-client,
Index Data's SRU/Z39.50 client, which nobody on this project wrote."""

from __future__ import annotations

import subprocess
from xml.etree.ElementTree import Element

import pytest
from defusedxml import ElementTree as ET
from django.test import Client

from reol.core.permissions import SYSTEM
from reol.protocols import services as publishing

from .conftest import Shelf

SRU1 = "{http://www.loc.gov/zing/srw/}"
SRU2 = "{http://docs.oasis-open.org/ns/search-ws/sruResponse}"
MARC = "{http://www.loc.gov/MARC21/slim}"
DC = "{http://purl.org/dc/elements/1.1/}"
DIAG1 = "{http://www.loc.gov/zing/srw/diagnostic/}"
BASE = "/sru/solbjerg/"


def sru(client: Client, path: str = BASE, method: str = "get", **params: str) -> Element:
    params.setdefault("version", "1.2")
    params.setdefault("operation", "searchRetrieve")
    response = getattr(client, method)(path, params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    return ET.fromstring(response.content)


def count(root: Element, ns: str = SRU1) -> int:
    return int(root.findtext(f"{ns}numberOfRecords") or -1)


def titles(root: Element) -> list[str]:
    found = []
    for record in root.iter(f"{MARC}record"):
        for field in record.iter(f"{MARC}datafield"):
            if field.get("tag") == "245":
                found.append(field.findtext(f"{MARC}subfield[@code='a']") or "")
    return found


def diagnostic(root: Element) -> str:
    uri = root.findtext(f".//{DIAG1}uri") or root.findtext(
        ".//{http://docs.oasis-open.org/ns/search-ws/diagnostic}uri"
    )
    return (uri or "").rsplit("/", 1)[-1]


@pytest.mark.django_db
def test_isbn_in_either_form_finds_the_record(shelf: Shelf, client: Client) -> None:
    for query in (
        "bath.isbn=9788702173420",
        "bath.isbn=8702173425",
        'dc.identifier="978-87-02-17342-0"',
        "bath.isbn=0306406152",
        "bath.isbn=9780306406157",
    ):
        root = sru(client, query=query)
        assert count(root) == 1, query
    assert titles(sru(client, query="bath.isbn=0306406152")) == ["Dinosaurernes verden"]


@pytest.mark.django_db
def test_indexes_booleans_phrases_and_truncation(shelf: Shelf, client: Client) -> None:
    assert titles(sru(client, query='dc.title="Heste i Danmark"')) == ["Heste i Danmark"]
    assert count(sru(client, query="dc.creator=Holm")) == 1
    assert count(sru(client, query="dc.subject=dinosaurer")) == 1
    assert count(sru(client, query='dc.title any "heste dinosaurernes"')) == 2
    assert count(sru(client, query="dc.title=heste or dc.title=dinosaurernes")) == 2
    assert count(sru(client, query="dc.title=heste and dc.creator=jensen")) == 1
    assert count(sru(client, query="dc.title=heste and dc.creator=holm")) == 0
    assert count(sru(client, query="dc.title=horse not dc.title=heste")) == 1
    assert count(sru(client, query="dc.title=dinosaur*")) == 1
    assert count(sru(client, query='dc.title adj "horse book"')) == 1
    assert count(sru(client, query='dc.title adj "book horse"')) == 0
    assert count(sru(client, query=f"rec.id={shelf.horses.pk}")) == 1
    # No typo tolerance: a client asks for what it says.
    assert count(sru(client, query="dc.title=hesste")) == 0
    # Everything the municipality holds; merged records are not there.
    assert count(sru(client, query="cql.allRecords=1")) == 5


@pytest.mark.django_db
def test_count_only_paging_and_positions(shelf: Shelf, client: Client) -> None:
    root = sru(client, query="cql.allRecords=1", maximumRecords="0")
    assert count(root) == 5
    assert root.find(f"{SRU1}records") is None
    first = sru(client, query="cql.allRecords=1", maximumRecords="2")
    assert first.findtext(f"{SRU1}nextRecordPosition") == "3"
    positions = [r.findtext(f"{SRU1}recordPosition") for r in first.iter(f"{SRU1}record")]
    assert positions == ["1", "2"]
    rest = sru(client, query="cql.allRecords=1", startRecord="3", maximumRecords="10")
    assert len(titles(rest)) == 3
    assert rest.find(f"{SRU1}nextRecordPosition") is None
    assert len(set(titles(first)) | set(titles(rest))) == 5
    assert diagnostic(sru(client, query="cql.allRecords=1", startRecord="9")) == "61"


@pytest.mark.django_db
def test_holdings_are_ours_never_the_source_librarys(shelf: Shelf, client: Client) -> None:
    root = sru(client, query="bath.isbn=0306406152")
    fields = [f for f in root.iter(f"{MARC}datafield")]
    assert not [f for f in fields if f.get("tag") == "952"]
    holdings = {
        f.findtext(f"{MARC}subfield[@code='b']"): f.findtext(f"{MARC}subfield[@code='z']")
        for f in fields
        if f.get("tag") == "852"
    }
    assert holdings == {"nord": "1 of 1 available", "syd": "1 of 1 available"}
    # One school's database: its holdings only, its records only.
    school = sru(client, path="/sru/solbjerg/syd/", query="cql.allRecords=1")
    assert sorted(titles(school)) == ["Dinosaurernes verden", "Fodbold for alle"]


@pytest.mark.django_db
def test_schemas_packing_versions_and_post(shelf: Shelf, client: Client) -> None:
    dc = sru(client, query="bath.isbn=0306406152", recordSchema="dc")
    assert dc.findtext(f".//{DC}title") == "Dinosaurernes verden"
    assert dc.findtext(f"{SRU1}records/{SRU1}record/{SRU1}recordSchema") == (
        "info:srw/schema/1/dc-v1.1"
    )
    uri = sru(client, query="bath.isbn=0306406152", recordSchema="info:srw/schema/1/marcxml-v1.1")
    assert titles(uri) == ["Dinosaurernes verden"]
    packed = sru(client, query="bath.isbn=0306406152", recordPacking="string")
    data = packed.findtext(f".//{SRU1}recordData") or ""
    assert titles(ET.fromstring(f"<x>{data}</x>")) == ["Dinosaurernes verden"]
    two = sru(client, version="2.0", query="bath.isbn=0306406152")
    assert two.tag == f"{SRU2}searchRetrieveResponse"
    assert count(two, SRU2) == 1
    assert two.findtext(f".//{SRU2}recordXMLEscaping") == "xml"
    posted = sru(client, method="post", query="dc.creator=jensen")
    assert titles(posted) == ["Heste i Danmark"]
    explain = sru(client, operation="explain")
    assert explain.tag == f"{SRU1}explainResponse"
    assert len(list(explain.iter("{http://explain.z3950.org/dtd/2.0/}index"))) >= 8


@pytest.mark.parametrize(
    ("params", "number"),
    [
        ({"query": "foo.bar=x"}, "16"),
        ({"query": "dc.title < x"}, "19"),
        ({"query": "dc.title =/fuzzy2 x"}, "20"),
        ({"query": "dc.title=(x"}, "10"),
        ({"query": "dc.title=x and"}, "10"),
        ({"query": "dc.title=*x"}, "28"),
        ({"query": "x prox y"}, "37"),
        ({"query": 'dc.title=""'}, "27"),
        ({"query": "x", "recordSchema": "mods"}, "66"),
        ({"query": "x", "maximumRecords": "ten"}, "6"),
        ({"query": "x", "startRecord": "0"}, "6"),
        ({"query": "x", "recordPacking": "json"}, "71"),
        ({"query": "x", "sortKeys": "subject"}, "88"),
        ({}, "7"),
        ({"query": "x", "version": "3.0"}, "5"),
        ({"operation": "scan", "scanClause": "dc.title=x"}, "4"),
    ],
)
@pytest.mark.django_db
def test_diagnostics(shelf: Shelf, client: Client, params: dict[str, str], number: str) -> None:
    root = sru(client, **params)
    assert diagnostic(root) == number
    assert count(root) in (0, -1)


@pytest.mark.django_db
def test_a_school_that_does_not_publish_is_not_there(shelf: Shelf, client: Client) -> None:
    publishing.set_publication(SYSTEM, shelf.world.school_b, sru=False, oai=True)
    assert client.get("/sru/solbjerg/syd/", {"query": "x"}).status_code == 404
    root = sru(client, query="cql.allRecords=1")
    assert "Fodbold for alle" not in titles(root)
    holdings = [
        f.findtext(f"{MARC}subfield[@code='b']")
        for f in sru(client, query="bath.isbn=0306406152").iter(f"{MARC}datafield")
        if f.get("tag") == "852"
    ]
    assert holdings == ["nord"]
    assert client.get("/sru/nowhere/", {"query": "x"}).status_code == 404


@pytest.mark.django_db
def test_a_change_of_publication_or_name_shows_at_once(shelf: Shelf, client: Client) -> None:
    """The schools an SRU request reads are kept per process: a change made here is seen by
    the very next request."""
    assert "Fodbold for alle" in titles(sru(client, query="cql.allRecords=1"))
    assert client.get("/sru/solbjerg/syd/", {"query": "x"}).status_code == 200
    publishing.set_publication(SYSTEM, shelf.world.school_b, sru=False, oai=True)
    assert "Fodbold for alle" not in titles(sru(client, query="cql.allRecords=1"))
    assert client.get("/sru/solbjerg/syd/", {"query": "x"}).status_code == 404
    publishing.set_publication(SYSTEM, shelf.world.school_b, sru=True, oai=True)
    school = shelf.world.school_b
    school.name = "Sydbyskolen"
    school.save()
    names = [
        f.findtext(f"{MARC}subfield[@code='a']")
        for f in sru(client, query="bath.isbn=0306406152").iter(f"{MARC}datafield")
        if f.get("tag") == "852"
    ]
    assert names == ["Nordskolen", "Sydbyskolen"]


def test_yaz_client_finds_by_isbn_and_title(shelf: Shelf, live_server) -> None:  # type: ignore[no-untyped-def]
    """yaz-client speaks SRU over HTTP GET, as library systems' own clients do."""
    target = live_server.url + BASE
    commands = "\n".join(
        [
            "sru get 1.2",
            f"open {target}",
            "schema marcxml",
            "format xml",
            "find bath.isbn=0306406152",
            "show 1",
            'find dc.title="Heste i Danmark"',
            "show 1",
            "find dc.title=nothingatall",
            "quit",
        ]
    )
    done = subprocess.run(
        ["yaz-client"], input=commands, capture_output=True, text=True, timeout=60
    )
    out = done.stdout
    assert "Number of hits: 1" in out, out
    assert "Dinosaurernes verden" in out
    assert "Heste i Danmark" in out
    assert "Number of hits: 0" in out
