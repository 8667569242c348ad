"""The SRU client against a local server that answers as real ones do (SRU 1.1, 1.2, 2.0),
and misbehaves as real ones sometimes do."""

from __future__ import annotations

import pytest

from reol.catalog import sru

from .helpers import ISBN_A, ISBN_B, book
from .sru_server import SRU_1, SRU_2


def _query(isbn: str = ISBN_A, index: str = "bath.isbn") -> str:
    return f"{index}={sru.cql_term(isbn)}"


@pytest.mark.parametrize("version", ["1.1", "1.2", "2.0"])
def test_search_finds_the_record_and_asks_properly(sru_server, version):
    sru_server.add(ISBN_A, book("Drengen med de mange navne", isbn=ISBN_A, control="x1"))

    found = sru.search(sru_server.url, _query(), version=version, target="DBC")

    assert [(c.target, c.title) for c in found] == [("DBC", "Drengen med de mange navne")]
    assert found[0].record["001"].data == "x1"
    asked = sru_server.last
    assert asked["_path"] == "/sru"
    assert asked["operation"] == "searchRetrieve"
    assert asked["version"] == version
    assert asked["query"] == f'bath.isbn="{ISBN_A}"'
    assert asked["recordSchema"] == "marcxml"
    assert asked["maximumRecords"] == "10"
    assert asked.get("recordPacking") == (None if version == "2.0" else "xml")


def test_the_fake_server_answers_in_each_versions_namespace(sru_server):
    import urllib.request

    for version, namespace in (("1.2", SRU_1), ("2.0", SRU_2)):
        url = sru.build_url(sru_server.url, _query(), version=version)
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - local test server
            body = response.read().decode()
        assert "searchRetrieveResponse xmlns:" in body and namespace in body


def test_several_records_come_back_in_order_and_up_to_the_maximum(sru_server):
    sru_server.add(ISBN_A, *(book(f"Udgave {n}", isbn=ISBN_A) for n in range(1, 8)))

    found = sru.search(sru_server.url, _query(), maximum=5)

    assert [c.title for c in found] == [f"Udgave {n}" for n in range(1, 6)]
    assert sru_server.last["maximumRecords"] == "5"


def test_zero_hits_is_an_empty_list(sru_server):
    assert sru.search(sru_server.url, _query(ISBN_B)) == []


@pytest.mark.parametrize("version", ["1.2", "2.0"])
def test_a_diagnostic_becomes_an_error_with_the_servers_message(sru_server, version):
    with pytest.raises(sru.SruError) as caught:
        sru.search(sru_server.url, _query(index="dc.nonsense"), version=version, target="DBC")
    assert str(caught.value) == "DBC answered with an error: Unsupported index"
    assert caught.value.reached


def test_the_server_is_asked_with_the_isbn_quoted_so_input_cannot_change_the_query(sru_server):
    sru_server.add(ISBN_A, book("Rigtig", isbn=ISBN_A))
    hostile = f'{ISBN_A}" or dc.title="x'

    found = sru.search(sru_server.url, _query(hostile))

    assert found == []  # one odd term, not a second condition
    assert sru_server.last["query"] == 'bath.isbn="9788702284294\\" or dc.title=\\"x"'


def test_cql_terms_are_quoted_and_escaped():
    assert sru.cql_term("978") == '"978"'
    assert sru.cql_term('a"b') == '"a\\"b"'
    assert sru.cql_term("a\\b") == '"a\\\\b"'


@pytest.mark.parametrize(
    ("behaviour", "words"),
    [
        ("malformed", "not safe, well-formed XML"),
        ("bomb", "not safe, well-formed XML"),
        ("external-entity", "not safe, well-formed XML"),
        ("close", "Could not reach DBC"),
        ("truncated", "Could not reach DBC"),
        ("garbage", "Could not reach DBC"),
        ("http-error", "Could not reach DBC"),
        ("huge", "more than 5 MB"),
    ],
)
def test_a_misbehaving_server_is_an_error_not_a_crash(sru_server, behaviour, words):
    sru_server.add(ISBN_A, book("Skjult", isbn=ISBN_A))
    sru_server.behaviour = behaviour

    with pytest.raises(sru.SruError) as caught:
        sru.search(sru_server.url, _query(), target="DBC")

    assert words in str(caught.value)
    assert "DBC" in str(caught.value)
    assert caught.value.reached == (not words.startswith("Could not reach"))
    assert "root:" not in str(caught.value)
    assert "Errno" not in str(caught.value)  # the technical cause goes to the log


def test_a_slow_server_times_out(sru_server, monkeypatch):
    monkeypatch.setattr(sru, "TIMEOUT_SECONDS", 0.3)
    sru_server.behaviour = "slow"

    with pytest.raises(sru.SruError, match="Could not reach DBC"):
        sru.search(sru_server.url, _query(), target="DBC")


def test_only_http_addresses_are_asked():
    with pytest.raises(sru.SruError, match="http"):
        sru.search("file:///etc/passwd", _query())


def test_parse_response_reads_records_under_any_prefix():
    body = (
        '<srw:searchRetrieveResponse xmlns:srw="http://www.loc.gov/zing/srw/">'
        "<srw:numberOfRecords>1</srw:numberOfRecords><srw:records><srw:record>"
        "<srw:recordData><marc:record xmlns:marc='http://www.loc.gov/MARC21/slim'>"
        "<marc:leader>00000nam a2200000 a 4500</marc:leader>"
        '<marc:datafield tag="245" ind1="0" ind2="0">'
        '<marc:subfield code="a">Præfiks</marc:subfield>'
        "</marc:datafield></marc:record></srw:recordData></srw:record></srw:records>"
        "</srw:searchRetrieveResponse>"
    ).encode()
    (candidate,) = sru.parse_response(body, "X")
    assert candidate.title == "Præfiks"
