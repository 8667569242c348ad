"""The real indexer process (`reol search run`), killed with SIGKILL while it works through the
outbox and started again, leaves the index equal to the database: nothing lost, nothing twice.

The other crash tests raise inside one batch in this process; this one is what a power cut or
the OOM killer does: no `finally`, no rollback, Tantivy's writer lock left to the kernel.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from reol.catalog import search
from reol.catalog.models import Record, SearchIndexState, SearchOutbox
from reol.catalog.search import documents

ROWS_PER_RECORD = 100  # a record's outbox rows come together: a lost batch loses its records


def _database_url() -> str:
    """The test database, as the subprocess's REOL_DATABASE_URL."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


def _start_indexer(search_dir: Path, log: Path) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="reol.settings",
        REOL_DATABASE_URL=_database_url(),
        REOL_SEARCH_DIR=str(search_dir),
        REOL_SEARCH_NAME=search.index_name(),
        REOL_SEARCH_SYNC="0",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "django", "search", "run", "--interval", "0.05"],
        cwd=Path(django_settings.BASE_DIR).parent,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("ab"),
    )


def _applied() -> int:
    row = SearchIndexState.objects.filter(name=search.index_name()).first()
    return row.last_applied_id if row else 0


def _wait(condition, seconds: float = 60) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the indexer did not get there in time")
        time.sleep(0.005)


@pytest.mark.django_db(transaction=True)  # the subprocess must see committed rows
def test_indexer_killed_mid_catch_up_and_restarted_leaves_index_equal_to_database(
    catalogue, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    settings.REOL_SEARCH_SYNC = False
    search.reindex()
    search.forget_engines()  # the subprocess is the only writer
    records = list(Record.objects.filter(merged_into__isnull=True).order_by("pk"))
    for record in records:
        record.title = f"{record.title} ~renamed"
    Record.objects.bulk_update(records, ["title"])
    # Saved many times each, one record after another: every batch holds one or two records'
    # changes and no later batch touches them again, so a batch applied but forgotten, or
    # remembered but not applied, leaves its records' old titles in the index.
    for record in records:
        SearchOutbox.objects.bulk_create(
            SearchOutbox(record_id=record.pk) for _ in range(ROWS_PER_RECORD)
        )
    newest = SearchOutbox.objects.order_by("-id").values_list("id", flat=True)[0]
    start = _applied()
    log = tmp_path / "indexer.log"

    kills = []
    for fraction in (0.15, 0.45, 0.75):  # three power cuts, each part-way through
        mark = start + int((newest - start) * fraction)
        indexer = _start_indexer(search.index_path().parent, log)
        try:
            _wait(lambda mark=mark: _applied() >= mark)
        finally:
            indexer.send_signal(signal.SIGKILL)
            indexer.wait()
        kills.append(_applied())
    assert kills[-1] < newest, "killed after it had finished: not a crash mid-way"

    indexer = _start_indexer(search.index_path().parent, log)
    try:
        _wait(lambda: _applied() >= newest)
    finally:
        indexer.send_signal(signal.SIGTERM)
        indexer.wait(timeout=30)

    engine = search.engine()
    ids = [r.pk for r in records]
    assert engine.count() == len(ids)  # nothing added twice
    assert engine.ids() == set(ids)
    expected = {doc["id"]: doc["stored"] for doc in documents.documents(ids)}
    for pk in ids:
        stored = engine.stored(pk)
        assert stored is not None
        assert stored["title"].endswith("~renamed"), stored["title"]
        assert stored == expected[pk]
    assert "Traceback" not in log.read_text(), log.read_text()
