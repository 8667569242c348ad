"""A rebuild queued from the search-index page runs in the task queue's worker while the real
indexer (`reol search run`, a process of its own) holds the index's writer: the indexer lets go
while the rebuild runs, and takes the writer back afterwards, applying what came meanwhile."""

from __future__ import annotations

import signal

import pytest

from reol.catalog import runs, search
from reol.catalog.models import Record, ReindexRun, SearchOutbox

from .test_indexer_killed import _applied, _start_indexer, _wait


def _newest_outbox_id() -> int:
    return SearchOutbox.objects.order_by("-id").values_list("id", flat=True)[0]


@pytest.mark.django_db(transaction=True)  # the indexer's process must see committed rows
def test_a_queued_rebuild_takes_the_writer_from_the_running_indexer(catalogue, settings, tmp_path):
    settings.REOL_SEARCH_SYNC = False
    search.reindex()
    search.forget_engines()  # the indexer process is now the writer
    first, second = Record.objects.filter(merged_into__isnull=True).order_by("pk")[:2]
    log = tmp_path / "indexer.log"
    indexer = _start_indexer(search.index_path().parent, log)
    try:
        SearchOutbox.objects.create(record_id=first.pk)
        _wait(lambda: _applied() >= _newest_outbox_id())  # it has taken the writer
        run = ReindexRun.objects.create(total=Record.objects.count())

        finished = runs.rebuild(run.pk, wait=30)

        assert finished.state == ReindexRun.State.DONE, finished.summary
        assert finished.done == Record.objects.filter(merged_into__isnull=True).count()
        # the indexer carries on: a change after the rebuild reaches the index
        Record.objects.filter(pk=second.pk).update(title="Efter genopbygningen")
        SearchOutbox.objects.create(record_id=second.pk)
        newest = _newest_outbox_id()
        _wait(lambda: _applied() >= newest)
    finally:
        indexer.send_signal(signal.SIGTERM)
        indexer.wait(timeout=30)

    search.forget_engines()
    stored = search.engine().stored(second.pk)
    assert stored is not None and stored["title"] == "Efter genopbygningen"
    assert "Traceback" not in log.read_text(), log.read_text()
