"""The engine through the interface: outbox → index, crash safety, hostile input, facets, sort."""

from __future__ import annotations

import pytest

from reol.catalog import search
from reol.catalog.models import Item, ItemStatus, Record, SearchIndexState, SearchOutbox
from reol.catalog.search import documents, indexer
from reol.catalog.services import queue_for_search

from .catalogue import RECORDS


def _query(catalogue, text="", **kw):  # type: ignore[no-untyped-def]
    return search.search(
        search.SearchQuery(text=text, municipality_id=catalogue.municipality.pk, **kw)
    )


def _index_equals_database() -> None:
    engine = search.engine()
    live = set(Record.objects.filter(merged_into__isnull=True).values_list("id", flat=True))
    assert engine.ids() == live
    assert engine.count() == len(live)  # no duplicates
    for doc in documents.documents(live):
        assert engine.stored(doc["id"]) == doc["stored"]


def test_outbox_applied_in_sync_mode(catalogue) -> None:  # type: ignore[no-untyped-def]
    assert _query(catalogue, "zappa").total == 1
    record = Record.objects.get(pk=catalogue.ids["reuter2"])
    record.title = "Zappa og Bjørn"
    record.save()
    queue_for_search([record.pk])
    hits = _query(catalogue, "zappa bjørn").hits
    assert [h.title for h in hits] == ["Zappa og Bjørn"]
    # A copy lent out changes "available now".
    item = Item.objects.get(record=record)
    assert _query(catalogue, "zappa", available=True).total == 1
    item.status = ItemStatus.ON_LOAN
    item.save()
    queue_for_search([record.pk])
    assert _query(catalogue, "zappa", available=True).total == 0
    # Merged away: gone from search.
    record.merged_into_id = catalogue.ids["reuter1"]
    record.save()
    queue_for_search([record.pk])
    assert _query(catalogue, "zappa").total == 0
    state = SearchIndexState.objects.get(name="default")
    assert state.last_applied_id == SearchOutbox.objects.order_by("-id")[0].pk
    _index_equals_database()


def test_crash_before_commit_loses_nothing(catalogue, settings) -> None:  # type: ignore[no-untyped-def]
    settings.REOL_SEARCH_SYNC = False
    engine = search.engine()
    name = search.index_name()

    class Crash(Exception):
        pass

    def crash() -> None:
        raise Crash

    with pytest.raises(Crash):
        indexer.apply_batch(engine, name, batch_size=30, before_commit=crash)
    engine.abandon_writer()  # the process died: its uncommitted work is gone
    search.forget_engines()
    assert search.engine().count() == 0
    assert SearchIndexState.objects.get(name=name).last_applied_id == 0
    # Restart: catches up fully.
    search.catch_up()
    _index_equals_database()


def test_crash_after_commit_reapplies_harmlessly(catalogue, settings) -> None:  # type: ignore[no-untyped-def]
    settings.REOL_SEARCH_SYNC = False
    engine = search.engine()
    name = search.index_name()
    indexer.apply_batch(engine, name, batch_size=30)
    first = SearchIndexState.objects.get(name=name).last_applied_id
    # The index committed but the position was never saved: the batch comes again.
    SearchIndexState.objects.filter(name=name).update(last_applied_id=0)
    search.catch_up()
    assert SearchIndexState.objects.get(name=name).last_applied_id > first
    _index_equals_database()


def test_reindex_equals_database(catalogue) -> None:  # type: ignore[no-untyped-def]
    assert search.reindex() == len(RECORDS) + 1
    _index_equals_database()
    st = search.status()
    assert st.lag == 0 and not st.stale and st.documents == st.records


HOSTILE = [
    "",
    " ",
    "a" * 10_000,
    "harry " * 2000,
    '"unbalanced quote',
    'title:"unbalanced',
    "title:",
    "author:",
    "isbn:",
    "isbn:abc",
    "AND OR NOT",
    "NOT",
    "-",
    "--harry",
    "harry~2",
    "harry^3",
    "*",
    "**",
    "h*",
    "(",
    ")",
    "NEAR(harry, potter)",
    "'; DROP TABLE catalog_record; --",
    "1 OR 1=1",
    "🦕🐴📚",
    "שלום עולם",
    "مرحبا بالعالم",
    "\u202eharry\u202c",
    "\x00\x01\x02",
    "foo:bar:baz",
    "[a TO z]",
    "title:(harry OR potter)",
    "+harry +potter",
    "/regex.*/",
    "\\",
    "?",
    "9780000000000",
    "978-87-",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_never_raises(catalogue, text: str) -> None:  # type: ignore[no-untyped-def]
    result = _query(catalogue, text)
    assert result.total >= 0
    assert search.autocomplete(text, municipality_id=catalogue.municipality.pk) is not None


def test_deep_page_is_empty_not_an_error(catalogue) -> None:  # type: ignore[no-untyped-def]
    result = _query(catalogue, "harry", page=10_000, size=100)
    assert result.hits == [] and result.total > 0
    assert _query(catalogue, "harry", page=2, size=2).hits


def test_empty_query_browses_everything(catalogue) -> None:  # type: ignore[no-untyped-def]
    assert _query(catalogue, "").total == len(RECORDS)


def test_nonsense_finds_nothing(catalogue) -> None:  # type: ignore[no-untyped-def]
    assert _query(catalogue, "AND OR NOT").total == 0
    assert _query(catalogue, "xqzvkj").total == 0


def test_facet_counts(catalogue) -> None:  # type: ignore[no-untyped-def]
    result = _query(catalogue, "harry potter")
    facets = {name: {v.value: v.count for v in values} for name, values in result.facets.items()}
    assert result.total == 6
    assert facets["material_type"] == {"book": 4, "film": 1, "audiobook": 1}
    assert facets["language"] == {"dan": 4, "eng": 1, "nob": 1}
    # Copies: hp1_da a+b, hp1_en b, hp1_nb a, hp2_da a, hp_film b (on loan), hp_audio a.
    assert facets["school"] == {"nord": 4, "syd": 3}
    assert facets["available"] == {"*": 5, "nord": 4, "syd": 2}
    assert facets["year"] == {"1980-1999": 4, "2000-2009": 1, "2010-2019": 1}
    assert facets["age"]["9-12"] == 6
    assert facets["subject"]["magi"] == 5


def test_facets_counted_in_two_threads_equal_each_counted_alone(catalogue, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import sys

    facets_module = sys.modules["reol.catalog.search.facets"]  # counts facets for the engine

    engine = search.engine()
    _query(catalogue, "")
    compiled, searcher = engine.last_query, engine.searcher()
    assert compiled is not None
    halves: list[list[str]] = []
    submit = facets_module._pool.submit

    def counted(fn, *args):  # type: ignore[no-untyped-def]
        halves.append(list(args[-1]))
        return submit(fn, *args)

    monkeypatch.setattr(facets_module._pool, "submit", counted)
    together = engine._facets(searcher, compiled)  # two halves, one in the pool's thread
    assert len(halves) == 1 and halves[0] and len(halves[0]) < len(search.FACETS)
    alone = {f: engine._count_facets(searcher, compiled, [f])[f] for f in search.FACETS}
    assert together == alone
    assert list(together) == list(search.FACETS)  # in the order the pages show them


@pytest.mark.parametrize(
    ("text", "filters"),
    [
        ("harry potter", {"age": ["9-12"]}),
        ("harry potter", {"language": ["dan", "nob"]}),
        ("heste", {"age": ["6-8", "9-12"], "material_type": ["book"]}),
        ("dinosaurer", {"age": ["6-8"]}),
    ],
)
def test_a_filter_decides_what_is_found_never_the_order(catalogue, text, filters) -> None:  # type: ignore[no-untyped-def]
    def ranked(**kw):  # type: ignore[no-untyped-def]
        return [h.id for h in _query(catalogue, text, size=100, **kw).hits]

    everything = ranked()
    some = ranked(filters=filters)
    assert len(some) > 1, "the filter left nothing to compare"
    assert some == [pk for pk in everything if pk in set(some)]


def test_facet_filters(catalogue) -> None:  # type: ignore[no-untyped-def]
    assert _query(catalogue, "harry potter", filters={"material_type": ["film"]}).total == 1
    assert _query(catalogue, "harry potter", school="syd").total == 3
    assert _query(catalogue, "harry potter", school="syd", available=True).total == 2
    three = _query(
        catalogue,
        "",
        filters={"material_type": ["book"], "age": ["6-8"], "language": ["dan"]},
    )
    assert three.total > 0
    assert all(h.material_type == "book" for h in three.hits)
    assert _query(catalogue, "", filters={"year": ["2020-"]}).total == 7
    assert _query(catalogue, "", filters={"reading_level": ["0-9"]}).total == 4


def test_sort_by_title_puts_aeoeaa_last(catalogue) -> None:  # type: ignore[no-untyped-def]
    hits = _query(catalogue, "", sort="title", size=100).hits
    titles = [h.title for h in hits]
    assert titles[-3:] == ["Æblet og ormen", "Øen", "Ørnens øje"]
    assert titles[:2] == ["Aalborg gennem tiderne", "Alt om dinosaurene"]
    assert titles.index("Zappa") < titles.index("Æblet og ormen")


def test_sort_newest(catalogue) -> None:  # type: ignore[no-untyped-def]
    years = [h.year or 0 for h in _query(catalogue, "", sort="newest", size=100).hits]
    assert years == sorted(years, reverse=True)


def test_autocomplete(catalogue) -> None:  # type: ignore[no-untyped-def]
    titles = [
        s.title for s in search.autocomplete("dinosau", municipality_id=catalogue.municipality.pk)
    ]
    assert "Dinosaurer" in titles
    titles = [
        s.title for s in search.autocomplete("harry pot", municipality_id=catalogue.municipality.pk)
    ]
    assert titles and all("Harry Potter" in t for t in titles)


@pytest.mark.parametrize(("typed", "word"), [("hetse", "hest"), ("harry poter", "Harry Potter")])
def test_autocomplete_takes_a_word_nothing_starts_with_as_a_typo(catalogue, typed, word) -> None:  # type: ignore[no-untyped-def]
    found = search.autocomplete(typed, municipality_id=catalogue.municipality.pk)
    titles = [s.title.lower() for s in found]
    assert titles and all(word.lower() in t for t in titles[:3]), titles  # titles weigh most
    assert search.autocomplete("zzzzqqq", municipality_id=catalogue.municipality.pk) == []


def test_hits_show_availability_not_borrowers(catalogue) -> None:  # type: ignore[no-untyped-def]
    hit = next(
        h for h in _query(catalogue, "de vises sten").hits if h.id == catalogue.ids["hp1_da"]
    )
    by_school = {a.school: (a.available, a.total) for a in hit.availability}
    assert by_school == {"nord": (1, 2), "syd": (1, 1)}
