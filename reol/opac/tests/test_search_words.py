"""The public catalogue says what search says: roles and languages in the reader's language from
the one table in ``catalog.search.labels``, titles as "Title : Subtitle" from the hit itself,
school names from the search cache (no query per results page), and no bogus year."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from reol.catalog.models import Item, Record
from reol.catalog.search import labels
from reol.catalog.services import queue_for_search

from .test_pages import visitor

pytestmark = pytest.mark.django_db


@pytest.fixture
def pippi(shelf) -> Record:  # type: ignore[no-untyped-def]
    record = Record.objects.create(
        municipality=shelf.world.municipality,
        marc={},
        title="Pippi går om bord",
        subtitle="en fortælling",
        contributors=[
            {"name": "Astrid Lindgren", "role": "", "relator": "aut"},
            {"name": "Kina Bodenhoff", "role": "oversætter", "relator": "trl"},
        ],
        languages=["mul"],
        year=None,
    )
    Item.objects.create(record=record, school=shelf.world.school_a, barcode="PIPPI-OPAC")
    queue_for_search([record.pk])
    return record


@pytest.mark.parametrize(
    ("language", "role", "several"),
    [
        ("da", "oversætter", "Flere sprog"),
        ("nb", "oversetter", "Flere språk"),
        ("en", "translator", "Several languages"),
    ],
)
def test_results_show_roles_languages_and_titles_in_the_readers_language(
    shelf,
    pippi,
    language,
    role,
    several,  # type: ignore[no-untyped-def]
) -> None:
    client = visitor(shelf)
    client.cookies["django_language"] = language
    page = client.get(reverse("opac-search"), {"q": "pippi bord", "scope": "all"})
    text = page.content.decode()
    assert f"Kina Bodenhoff ({role})" in text
    assert "Astrid Lindgren (" not in text  # the author's role goes without saying
    assert "Pippi går om bord : en fortælling" in text
    language_links = [
        link.label for g in page.context["facet_groups"] for link in g.links if g.name == "language"
    ]
    with translation.override(language):
        assert language_links == [labels.label("language", "mul")] == [several]
    years = [
        link.label for g in page.context["facet_groups"] for link in g.links if g.name == "year"
    ]
    assert years == []  # the one hit has no year: no bucket at all
    record = client.get(reverse("opac-record", args=[pippi.pk])).content.decode()
    assert f"Kina Bodenhoff ({role})" in record


def test_suggestions_punctuate_titles_from_the_hits(shelf, pippi, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    client = visitor(shelf)
    client.get(reverse("opac-suggest"), {"q": "pippi går om"})  # applies the outbox
    with django_assert_max_num_queries(6):
        page = client.get(reverse("opac-suggest"), {"q": "pippi går om"})
    assert "Pippi går om bord : en fortælling" in page.content.decode()


def test_a_results_page_asks_the_database_for_no_school_names(
    shelf, settings, django_assert_max_num_queries
):  # type: ignore[no-untyped-def]
    client = visitor(shelf)
    client.get(reverse("opac-search"), {"q": "harry", "scope": "all"})  # index and caches warm
    settings.REOL_SEARCH_SYNC = False
    # The session, the visitor's school, the hits' records: school names come from the cache.
    with django_assert_max_num_queries(3):
        page = client.get(reverse("opac-search"), {"q": "harry", "scope": "all"})
    schools = [
        link.label for g in page.context["facet_groups"] for link in g.links if g.name == "school"
    ]
    assert "Nordskolen" in schools
