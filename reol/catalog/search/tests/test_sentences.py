"""A child's whole sentence: stop words never find a record on their own, a long query is
searched for its content words, and words spelled right are not "corrected"."""

from __future__ import annotations

import pytest

from reol.catalog import search

from .catalogue import RECORDS


def _about(word: str) -> set[str]:
    """The records whose words mention ``word`` (also inflected: "hesten", "Hesteboka")."""
    return {
        r.key
        for r in RECORDS
        if word in " ".join([r.title, r.summary, r.series, *r.subjects]).lower()
    }


HORSES = _about("hest")
DINOSAURS = _about("dinosaur")


def _search(catalogue, text: str, language: str = "da", size: int = 50):  # type: ignore[no-untyped-def]
    query = search.SearchQuery(
        text=text, municipality_id=catalogue.municipality.pk, language=language, size=size
    )
    return search.search(query)


def _keys(catalogue, result) -> list[str]:  # type: ignore[no-untyped-def]
    return [catalogue.keys.get(h.id, f"#{h.id}") for h in result.hits]


@pytest.mark.parametrize("language", ["da", "nb", "en"])
def test_stop_words_find_nothing_on_their_own(catalogue, language) -> None:  # type: ignore[no-untyped-def]
    found = _search(catalogue, "heste og dinosaurer", language)
    keys = _keys(catalogue, found)
    assert set(keys) <= HORSES | DINOSAURS, keys  # not every record with "og" in it
    assert found.total == len(keys)
    assert HORSES & set(keys) and DINOSAURS & set(keys)


def test_a_record_with_both_words_comes_first(catalogue, db) -> None:  # type: ignore[no-untyped-def]
    from reol.catalog.models import Record
    from reol.catalog.services import queue_for_search

    both = Record.objects.create(
        municipality=catalogue.municipality,
        marc={},
        title="Heste og dinosaurer i skoven",
        languages=["dan"],
    )
    queue_for_search([both.pk])
    found = _search(catalogue, "heste og dinosaurer")
    assert found.hits[0].id == both.pk
    assert set(_keys(catalogue, found)[1:]) <= HORSES | DINOSAURS


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("the dinosaurs", "en", "dino_en"),  # English stop words in English
        ("en bog om dinosaurer", "da", "dino1"),  # Danish ones in Danish
        ("alt om dinosaurene", "nb", "dino_nb"),  # Norwegian ones in Norwegian
    ],
)
def test_stop_words_of_the_language(catalogue, text, language, expected) -> None:  # type: ignore[no-untyped-def]
    keys = _keys(catalogue, _search(catalogue, text, language))
    assert expected in keys[:3]
    assert set(keys) <= DINOSAURS, keys


def test_a_phrase_keeps_its_stop_words(catalogue) -> None:  # type: ignore[no-untyped-def]
    keys = _keys(catalogue, _search(catalogue, '"Harry Potter og De Vises Sten"'))
    assert keys and keys[0] in {"hp1_da", "hp_film", "hp_audio"}
    assert "hp2_da" not in keys  # "og" is part of the phrase, not a word any record has


def test_only_stop_words_are_what_was_asked(catalogue) -> None:  # type: ignore[no-untyped-def]
    found = _search(catalogue, "the the", "en")
    assert found.total
    assert "the" in found.hits[0].title.lower().split()


SENTENCE = (
    "Hej jeg hedder Emma og jeg går i 3. klasse og jeg vil rigtig gerne låne en bog om "
    "dinosaurer fordi jeg synes at de er de sejeste dyr i hele verden og min lillebror kan "
    "også godt lide dem, har I nogen bøger om dinosaurer og heste som vi kan læse sammen i "
    "sommerferien?"
)


def test_a_whole_sentence_finds_its_content_words(catalogue) -> None:  # type: ignore[no-untyped-def]
    assert len(SENTENCE) > 200
    found = _search(catalogue, SENTENCE)
    keys = _keys(catalogue, found)
    assert keys and set(keys[:3]) <= DINOSAURS | HORSES, keys


def test_the_end_of_a_long_query_is_not_cut(catalogue) -> None:  # type: ignore[no-untyped-def]
    # 30 stop words, then the word the child meant: stop words go first, not the end.
    text = "og i på en et den det til " * 4 + "dinosaurer"
    assert set(_keys(catalogue, _search(catalogue, text))) <= DINOSAURS
    assert _search(catalogue, text).total


def test_words_spelled_right_are_not_corrected(catalogue) -> None:  # type: ignore[no-untyped-def]
    assert _search(catalogue, SENTENCE).suggestion is None
    assert _search(catalogue, "jeg vil gerne have en bog om heste").suggestion is None


def test_a_typo_in_a_sentence_is_corrected(catalogue) -> None:  # type: ignore[no-untyped-def]
    assert _search(catalogue, "hetse og dinosaurer").suggestion == "heste og dinosaurer"
