"""A small shelf of records in two schools, searchable and harvestable."""

from __future__ import annotations

from dataclasses import dataclass

import pymarc
import pytest

from reol.catalog import search, services
from reol.catalog.models import Item, Record
from reol.core.permissions import SYSTEM


@dataclass
class Shelf:
    world: object
    horses: Record  # ISBN-13, 2 copies at A; subject "Heste"
    dinosaurs: Record  # ISBN-10 as catalogued; a copy at A and one at B
    horse_book: Record  # English; one copy at A (the OAI tests withdraw it)
    only_b: Record  # a copy at B only
    no_copies: Record  # catalogued, no copies anywhere


def _record(world, title: str, *, author: str, isbn: str = "", subject: str = "", year: int = 2020):  # type: ignore[no-untyped-def]
    marc = services.new_marc(title=title, author=author, isbn=isbn, year=year)
    if subject:
        marc.add_ordered_field(
            pymarc.Field(
                tag="650",
                indicators=pymarc.Indicators(" ", "0"),
                subfields=[pymarc.Subfield("a", subject)],
            )
        )
    # Holdings from the library the record came from: never sent on as ours.
    marc.add_ordered_field(
        pymarc.Field(
            tag="952",
            indicators=pymarc.Indicators(" ", " "),
            subfields=[pymarc.Subfield("p", "FOREIGN-1")],
        )
    )
    return services.create_record(SYSTEM, world.municipality, marc)


@pytest.fixture
def index(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.REOL_SEARCH_DIR = tmp_path / "search"
    settings.REOL_SEARCH_SYNC = True
    search.forget_engines()
    yield
    search.forget_engines()


@pytest.fixture
def shelf(world, index) -> Shelf:  # type: ignore[no-untyped-def]
    a, b = world.school_a, world.school_b
    horses = _record(
        world, "Heste i Danmark", author="Jensen, Anne", isbn="9788702173420", subject="Heste"
    )
    dinosaurs = _record(
        world, "Dinosaurernes verden", author="Holm, Peter", isbn="0306406152", subject="Dinosaurer"
    )
    horse_book = _record(world, "The horse book", author="Smith, J. K.", subject="Horses")
    only_b = _record(world, "Fodbold for alle", author="Berg, Ida", subject="Fodbold")
    no_copies = _record(world, "Ukendt bog", author="Nielsen, Ole")
    services.add_items(SYSTEM, horses, a, count=2, shelf_mark="636.1 Jen")
    services.add_items(SYSTEM, dinosaurs, a, count=1)
    services.add_items(SYSTEM, dinosaurs, b, count=1)
    services.add_items(SYSTEM, horse_book, a, count=1)
    services.add_items(SYSTEM, only_b, b, count=1)
    for record in (horses, dinosaurs, horse_book, only_b, no_copies):
        record.refresh_from_db()
    assert Item.objects.count() == 6
    return Shelf(world, horses, dinosaurs, horse_book, only_b, no_copies)
