"""The demo as a new user meets it in the public catalogue: the titles children ask for are
there ("harry poter" finds Harry Potter), and each school's home page has a reading list."""

from __future__ import annotations

import pytest

from reol.catalog import search
from reol.catalog.demo import load_demo_catalogue
from reol.catalog.lists.models import ReadingList
from reol.catalog.models import Item, Record
from reol.core import demo
from reol.core.models import Municipality
from reol.opac.demo import load_demo_reading_lists


@pytest.mark.django_db
def test_the_demo_finds_harry_potter_and_has_reading_lists(monkeypatch):
    monkeypatch.setattr(demo, "_EXTENSIONS", [load_demo_catalogue, load_demo_reading_lists])
    demo.load_demo()
    municipality = Municipality.objects.get(code="solbjerg")
    found = search.search(
        search.SearchQuery(text="harry poter", municipality_id=municipality.pk, language="da")
    )
    assert found.suggestion == "harry potter"
    titles = [h.full_title for h in found.hits]
    assert "Harry Potter og De Vises Sten" in titles[:2]
    assert "Harry Potter og de vises stein" in titles and len(titles) == 4
    english = search.search(
        search.SearchQuery(text="0-7475-3269-9", municipality_id=municipality.pk)
    )
    assert [h.full_title for h in english.hits] == ["Harry Potter and the Philosopher's Stone"]
    hp = Record.objects.get(title="Harry Potter og De Vises Sten")
    assert hp.shelf_mark == "sk Rowl" and (hp.age_min, hp.age_max) == (9, 12)
    assert Item.objects.filter(record=hp, school__code="nordskolen").count() == 2
    lists = {(str(r.school or "—"), r.title): r for r in ReadingList.objects.all()}
    assert set(lists) == {
        ("Nordskolen", "Magi og troldmænd"),
        ("Søskolen", "Heste"),
        ("—", "Dinosaurer"),
    }
    magic = lists[("Nordskolen", "Magi og troldmænd")].entries.order_by("position")
    assert magic[0].record == hp and magic[0].note == "Start her!"
    counts = (Record.objects.count(), Item.objects.count(), ReadingList.objects.count())
    demo.load_demo()  # twice: nothing more
    assert (Record.objects.count(), Item.objects.count(), ReadingList.objects.count()) == counts
    search.forget_engines()


@pytest.mark.django_db
def test_the_demo_answers_a_childs_sentence(monkeypatch, settings, tmp_path):
    """ "heste og dinosaurer" found 209 of the demo's 306 records (every one with "og")."""
    settings.REOL_SEARCH_DIR = tmp_path / "search"
    settings.REOL_SEARCH_SYNC = True
    search.forget_engines()
    monkeypatch.setattr(demo, "_EXTENSIONS", [load_demo_catalogue])
    demo.load_demo()
    municipality = Municipality.objects.get(code="solbjerg")

    def total(text: str) -> int:
        return search.search(
            search.SearchQuery(text=text, municipality_id=municipality.pk, facets=False)
        ).total

    def found_about(text: str) -> tuple[search.SearchResult, list[str]]:
        """The answer, and what each hit is about (title, summary, series, subjects)."""
        found = search.search(
            search.SearchQuery(text=text, municipality_id=municipality.pk, size=100)
        )
        records = Record.objects.in_bulk([h.id for h in found.hits])
        about = [
            " ".join([r.title, r.summary, r.series, *r.subjects]).lower()
            for r in (records[h.id] for h in found.hits)
        ]
        return found, about

    assert total("og") > 200  # (so "og" alone would find most of the catalogue)
    either = total("heste") + total("dinosaurer")
    for text in ("heste og dinosaurer", "jeg vil gerne låne en bog om heste og dinosaurer"):
        found, about = found_about(text)
        assert found.total <= either and found.total == len(found.hits), (text, found.total)
        assert all("hest" in words or "dinosaur" in words for words in about), (text, about)
        assert any("hest" in words for words in about[:5]), text
        assert any("dinosaur" in words for words in about[:5]), text
        assert found.suggestion is None
    # Reading a book is what every record is for: "læse" and "bog" find nothing on their own,
    # and "læse", spelled right, is never "corrected" to its stem "læs".
    found, about = found_about("jeg vil gerne læse en bog om heste")
    assert found.suggestion is None and 0 < found.total <= total("heste")
    assert all("hest" in words for words in about[:5]), about[:5]
    alone = search.search(search.SearchQuery(text="læse", municipality_id=municipality.pk))
    assert alone.suggestion is None
