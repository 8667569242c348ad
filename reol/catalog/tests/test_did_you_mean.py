""" "Did you mean" never corrects a word spelled right to its own stem: "lege" and "fortælle"
are words (the catalogue has only "Leg" and "Fortæl"), and the stemmed search found them."""

from __future__ import annotations

import pytest

from reol.catalog import search
from reol.catalog.models import Record

pytestmark = pytest.mark.django_db


def test_an_inflected_word_is_not_corrected_to_its_stem_but_a_typo_is(world, search_index):
    for title in ("Leg", "Leg med ord", "Fortæl", "Harry Potter"):
        Record.objects.create(
            municipality=world.municipality,
            marc={},
            title=title,
            subjects=[title],
            series=title,
            summary=title,
        )
    search.reindex()

    def found(text: str) -> search.SearchResult:
        return search.search(search.SearchQuery(text=text, municipality_id=world.municipality.pk))

    for typed in ("lege", "fortælle"):
        result = found(typed)
        assert result.total >= 1 and result.suggestion is None, (typed, result.suggestion)
    assert found("harry poter").suggestion == "harry potter"  # shares a stem, yet a typo
