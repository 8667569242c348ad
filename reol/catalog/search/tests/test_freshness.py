"""A change is searchable in every process as soon as the indexer has committed it."""

from __future__ import annotations

from reol.catalog import search
from reol.catalog.models import Record
from reol.catalog.search import documents, indexer
from reol.catalog.search.engine import TantivyEngine
from reol.catalog.services import queue_for_search


def test_another_process_commit_is_seen_at_once(catalogue, settings) -> None:  # type: ignore[no-untyped-def]
    settings.REOL_SEARCH_SYNC = False
    writer = search.engine()
    search.catch_up()
    # A second engine on the same directory is what a web worker has: its own reader.
    reader = TantivyEngine(writer.path)
    before = reader.searcher()
    assert reader.searcher() is before  # kept while nothing changes
    record = Record.objects.get(pk=catalogue.ids["reuter2"])
    record.title = "Qwertyzappa"
    record.save()
    queue_for_search([record.pk])
    indexer.apply_batch(writer, search.index_name())
    # No waiting for Tantivy's 500 ms poll of meta.json: the next search sees it.
    assert reader.searcher() is not before
    assert reader.searcher().doc_freq("title", "qwertyzappa") == 1


def test_reindex_lets_go_of_its_bulk_writer(catalogue) -> None:  # type: ignore[no-untyped-def]
    engine = search.engine()
    search.reindex()
    assert engine._writer is None  # the indexer's next batch opens its own small writer
    ids = list(Record.objects.values_list("id", flat=True)[:1])
    engine.replace(ids, documents.documents(ids))
    engine.commit()
    assert engine.count() == Record.objects.filter(merged_into__isnull=True).count()


def test_indexer_polls_often() -> None:
    # Lag is the poll interval (half of it on average) plus a commit; see bench/search.py.
    assert indexer.POLL_SECONDS <= 0.25


def test_the_position_saver_stops_even_when_the_database_is_away(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import threading

    def away(self: indexer.Position) -> None:
        raise RuntimeError("the database is away")

    monkeypatch.setattr(indexer.Position, "save", away)
    saver = indexer.PositionSaver()
    saver.offer(indexer.Position("default", 7))
    closing = threading.Thread(target=saver.close, daemon=True)
    closing.start()
    closing.join(timeout=10)
    assert not closing.is_alive(), "close() hung on a position it could not save"
