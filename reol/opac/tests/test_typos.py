"""A misspelt word in the public catalogue: a child gets what it was meant to find at once
("hetse" → the horse books), with one tap back to what was typed; the suggestions while typing
offer those titles too."""

from __future__ import annotations

import pytest
from django.urls import reverse

from .test_pages import visitor

pytestmark = pytest.mark.django_db


def test_a_typo_shows_what_was_meant_with_a_way_back(shelf) -> None:  # type: ignore[no-untyped-def]
    client = visitor(shelf)
    page = client.get(reverse("opac-search"), {"q": "hetse", "scope": "all"})
    html = page.content.decode()
    assert "Showing what we found for <strong>heste</strong>." in html
    assert "Pigen og hesten" in html and "Hestene på Solgården" in html  # found by the stem
    back = page.context["typed_url"]
    assert "exact=1" in back and "q=hetse" in back
    exact = client.get(back)
    assert exact.context["typed"] == "" and exact.context["params"].q == "hetse"
    assert exact.context["result"].suggestion == "heste"  # "did you mean", nothing more
    assert exact.context["result"].total < page.context["result"].total
    # A facet or a page of the corrected search keeps searching for the correction.
    assert "q=heste" in page.context["sort_urls"][1][2]


def test_a_word_spelt_right_is_searched_as_it_is(shelf) -> None:  # type: ignore[no-untyped-def]
    page = visitor(shelf).get(reverse("opac-search"), {"q": "heste", "scope": "all"})
    assert page.context["typed"] == "" and page.context["params"].q == "heste"


def test_suggestions_offer_the_titles_a_typo_was_meant_to_find(shelf) -> None:  # type: ignore[no-untyped-def]
    page = visitor(shelf).get(reverse("opac-suggest"), {"q": "hetse"})
    html = page.content.decode()
    assert "Did you mean <strong>heste</strong>?" in html
    titles = [o.title for o in page.context["options"]]  # the records offered, not only the hint
    assert titles and all("hest" in t.lower() for t in titles[:3]), titles


def test_subjects_and_series_read_as_words_not_catalogue_punctuation(shelf) -> None:  # type: ignore[no-untyped-def]
    from reol.catalog.models import Record
    from reol.catalog.search import labels

    assert labels.label("subject", "vulkaner -- for børn") == "vulkaner – for børn"
    record = Record.objects.get(pk=shelf.ids["hp1_da"])
    Record.objects.filter(pk=record.pk).update(
        series="Harry Potter ; 1", subjects=["troldmænd -- skønlitteratur"]
    )
    html = visitor(shelf).get(reverse("opac-record", args=[record.pk])).content.decode()
    assert "Series: Harry Potter, number 1" in html and " ; 1" not in html
    assert "troldmænd – skønlitteratur" in html and " -- " not in html
