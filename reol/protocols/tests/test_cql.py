"""CQL into the engine's clauses: what each construct becomes, and what is refused."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reol.protocols.cqlsearch import Diagnostic, parse, parse_query, relax
from reol.protocols.srusort import SortKey, from_cql


def texts(query: str) -> list[str]:
    return [c.engine_text() for c in parse(query)]


def test_booleans_become_conjunctions_in_disjunctive_normal_form() -> None:
    assert texts("a and (b or c)") == ["a b", "a c"]
    assert texts("(a or b) and (c or d)") == ["a c", "a d", "b c", "b d"]
    assert texts("dc.title=a not dc.creator=b") == ["title:a -author:b"]
    assert texts('dc.title any "x y"') == ["title:x", "title:y"]
    assert texts('dc.title all "x y"') == ["title:x title:y"]
    assert texts('dc.title adj "x y"') == ['title:"x y"']
    assert texts('dc.title == "x y"') == ['title:"x y"']
    assert texts("bath.isbn=978-87-02-17342-0") == ["isbn:9788702173420"]
    assert texts("dc.subject=heste*") == ["subject:heste*"]


def test_the_engines_own_syntax_in_a_term_is_only_words() -> None:
    assert texts('"-title:x"') == ["title x"]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("dc.title=harry potter", 'dc.title = "harry potter"'),
        ("dc.title any harry potter", 'dc.title any "harry potter"'),
        ("harry potter", '"harry potter"'),
        ("dc.title=harry potter and au=rowling", 'dc.title = "harry potter" and au = rowling'),
        ('(dc.title="a b" or c d)', '( dc.title = "a b" or "c d" )'),
    ],
)
def test_unquoted_words_of_a_term_are_one_term(typed: str, meant: str) -> None:
    assert relax(typed) == meant
    assert parse(typed)


@pytest.mark.parametrize(
    ("query", "number"),
    [
        ("", 7),
        ("a and", 10),
        ("unknown.index=x", 16),
        ("dc.title <> x", 19),
        ("dc.title =/nonsense x", 20),
        ("dc.title=x*y", 28),
        ("a prox b", 37),
        ("a not (b or c)", 48),
        ("a sortBy dc.subject", 88),
        ("a sortBy dc.title/sort.respectCase", 91),
    ],
)
def test_refusals_are_srus_diagnostics(query: str, number: int) -> None:
    with pytest.raises(Diagnostic) as refused:
        _conjunctions, sort = parse_query(query)
        from_cql(sort)
    assert refused.value.number == number


def test_sort_by_is_read_beside_the_query() -> None:
    conjunctions, sort = parse_query("dc.title=heste and hest sortBy dc.date/sort.descending title")
    assert [c.engine_text() for c in conjunctions] == ["title:heste hest"]
    assert from_cql(sort) == [SortKey("date", descending=True), SortKey("title")]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_text_is_a_query_or_a_diagnostic(text: str) -> None:
    try:
        parse(text)
    except Diagnostic as diagnostic:
        assert diagnostic.number in {7, 10, 16, 19, 20, 27, 28, 37, 46, 48}
