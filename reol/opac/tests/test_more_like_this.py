"""A record's page: "more like this" ranked by what the records share (not by title), and the
books before and after it in its series, each saying whether it is on the shelf."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from reol.catalog import search
from reol.catalog.models import Item, ItemStatus, Record
from reol.catalog.services import queue_for_search

from .test_pages import visitor

pytestmark = pytest.mark.django_db

AUTHOR = "Ibsen, Test"


@pytest.fixture
def robots(shelf) -> dict[str, Record]:  # type: ignore[no-untyped-def]
    """A numbered series and records sharing more or less with its first book. The titles
    sort the other way round from how alike they are."""
    world = shelf.world

    def make(key, title, *, series="", subjects=(), author="", ages=(None, None), **kw):  # type: ignore[no-untyped-def]
        record = Record.objects.create(
            municipality=world.municipality,
            marc={},
            title=title,
            series=series,
            subjects=list(subjects),
            contributors=[{"name": author, "relator": "aut"}] if author else [],
            age_min=ages[0],
            age_max=ages[1],
            languages=["dan"],
            material_type=kw.get("material_type", "book"),
        )
        status = ItemStatus.AVAILABLE if kw.get("on_shelf", True) else ItemStatus.ON_LOAN
        Item.objects.create(record=record, school=world.school_a, barcode=f"R-{key}", status=status)
        return record

    made = {
        "first": make(
            "first",
            "Robotterne vågner",
            series="Robotterne ; 1",
            subjects=["rumfart", "robotter"],
            author=AUTHOR,
            ages=(6, 8),
        ),
        "one": make("one", "Aaa en rumrejse", subjects=["rumfart"], ages=(13, 17)),
        "series": make("series", "Bbb robotterne flytter", series="Robotterne ; 2"),
        "audio": make(
            "audio", "Bbb robotterne flytter", series="Robotterne ; 2", material_type="audiobook"
        ),
        "both": make(
            "both", "Ccc robotter i rummet", subjects=["rumfart", "robotter"], author=AUTHOR
        ),
        "third": make("third", "Ddd robotternes fest", series="Robotterne ; 3", on_shelf=False),
        "age_only": make("age_only", "Abe for de små", ages=(6, 8)),
    }
    queue_for_search([r.pk for r in made.values()])
    return made


def test_more_like_this_ranks_by_what_is_shared(shelf, robots) -> None:  # type: ignore[no-untyped-def]
    hits = search.more_like_this(robots["first"].pk, municipality_id=shelf.world.municipality.pk)
    ids = [h.id for h in hits]
    # both: two subjects and the author; series: the series; one: one subject.
    assert (
        ids.index(robots["both"].pk) < ids.index(robots["series"].pk) < ids.index(robots["one"].pk)
    )
    assert robots["age_only"].pk not in ids  # an age band alone is no likeness
    assert robots["first"].pk not in ids


def _tiles(page: str) -> list[str]:
    section = page.split('id="more-heading"', 1)[1]
    return re.findall(r'class="title" href="[^"]+">([^<]+)</a>', section)


def test_the_page_shows_the_most_alike_first(shelf, robots) -> None:  # type: ignore[no-untyped-def]
    page = visitor(shelf).get(reverse("opac-record", args=[robots["first"].pk])).content.decode()
    tiles = _tiles(page)
    assert tiles[0] == "Ccc robotter i rummet", tiles
    assert tiles.index("Bbb robotterne flytter") < tiles.index("Aaa en rumrejse")
    assert "Abe for de små" not in tiles


def _series(page: str) -> str:
    return page.split('<nav class="series"', 1)[1].split("</nav>", 1)[0]


def test_a_book_in_a_series_links_to_the_next(shelf, robots) -> None:  # type: ignore[no-untyped-def]
    first = _series(
        visitor(shelf).get(reverse("opac-record", args=[robots["first"].pk])).content.decode()
    )
    assert "Before this one" not in first
    # The next volume, as a book (the record is a book), on the shelf here.
    assert f'href="{reverse("opac-record", args=[robots["series"].pk])}" rel="next"' in first
    assert "(number 2)" in first and "On the shelf here" in first

    second = visitor(shelf).get(reverse("opac-record", args=[robots["series"].pk])).content.decode()
    nav = _series(second)
    assert f'href="{reverse("opac-record", args=[robots["first"].pk])}" rel="prev"' in nav
    assert f'href="{reverse("opac-record", args=[robots["third"].pk])}" rel="next"' in nav
    assert "Not on the shelf now" in nav  # number 3 is out


def test_a_record_outside_a_series_has_no_series_links(shelf, robots) -> None:  # type: ignore[no-untyped-def]
    page = visitor(shelf).get(reverse("opac-record", args=[robots["one"].pk])).content.decode()
    assert '<nav class="series"' not in page
