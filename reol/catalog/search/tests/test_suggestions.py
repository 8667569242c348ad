"""The "did you mean" suggestion: built from the catalogue's own words, one misspelled word at a
time, keeping every other word of the query as it was typed."""

from __future__ import annotations

import pytest

from reol.catalog import search


def _suggestion(catalogue, text: str) -> str | None:  # type: ignore[no-untyped-def]
    query = search.SearchQuery(text=text, municipality_id=catalogue.municipality.pk)
    return search.search(query).suggestion


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("harry poter", "harry potter"),
        ("hary potter", "harry potter"),
        ("poter harry", "potter harry"),
        ("Harry Poter", "Harry Potter"),  # written the way it was typed
        ("HARRY POTER", "HARRY POTTER"),
        ("vitelo", "vitello"),
        ("harry-poter", "harry potter"),  # a hyphenated word: "harry" is not lost
        ("title:poter", "title:potter"),
        ("forfatter:rowlign", "forfatter:rowling"),  # the field as the user wrote it
        ("title:harry-poter", "title:harry title:potter"),
        ('"harry poter"', '"harry potter"'),  # a typo inside a phrase
        ("børn poter", "børn potter"),  # the other words keep their letters
        ("poter 1997", "potter 1997"),
    ],
)
def test_did_you_mean(catalogue, typed: str, meant: str) -> None:  # type: ignore[no-untyped-def]
    assert _suggestion(catalogue, typed) == meant


@pytest.mark.parametrize(
    "typed",
    [
        "harry potter",  # nothing misspelled
        "hestene",  # an inflected form its stem finds: no "correction"
        "harry poter*",  # a prefix is taken as typed
        "-poter harry",  # an excluded word is not corrected
        "zzzzqqq",  # nothing near it in the catalogue
    ],
)
def test_no_suggestion(catalogue, typed: str) -> None:  # type: ignore[no-untyped-def]
    assert _suggestion(catalogue, typed) is None


def test_suggestion_finds_what_it_promises(catalogue) -> None:  # type: ignore[no-untyped-def]
    for typed in ("harry poter", '"harry poter"', "harry-poter", "vitelo"):
        meant = _suggestion(catalogue, typed)
        assert meant
        query = search.SearchQuery(text=meant, municipality_id=catalogue.municipality.pk)
        found = search.search(query)
        assert found.total and found.suggestion is None, (typed, meant)


def test_suggestion_only_from_this_municipality(catalogue) -> None:  # type: ignore[no-untyped-def]
    from reol.catalog.models import Record
    from reol.catalog.services import queue_for_search

    # A word only another municipality's catalogue has is never suggested.
    stranger = Record.objects.create(
        municipality=catalogue.other_municipality, marc={}, title="Zyxomorph", languages=["dan"]
    )
    queue_for_search([stranger.pk])
    assert _suggestion(catalogue, "zyxomorf") is None
    other = search.SearchQuery(text="zyxomorf", municipality_id=catalogue.other_municipality.pk)
    assert search.search(other).suggestion == "zyxomorph"


@pytest.mark.parametrize("language", ["da", "nb", "en"])
def test_a_word_another_languages_stem_finds_is_no_typo(catalogue, language) -> None:  # type: ignore[no-untyped-def]
    """The query finds stems in every language's fields, so whatever language the reader
    chose, a Danish inflection the Danish stem finds is not "corrected"."""
    query = search.SearchQuery(
        text="ridningen", municipality_id=catalogue.municipality.pk, language=language
    )
    found = search.search(query)
    assert found.total and found.suggestion is None
