"""The indexer: applies the search outbox to the index, in id order, in small batches.

Each batch is: read the outbox rows after the last applied id → rebuild those records'
documents from the database → delete-by-id and add them → commit the index → remember the
highest applied id. A crash before the index commit loses the uncommitted work and the batch is
applied again; a crash after it but before the position is saved re-applies the batch, which is
harmless because applying a record is delete-then-add. Nothing is lost either way.

The long-running indexer (``run``) keeps its position in memory and saves it to the database in
a thread of its own (``PositionSaver``), so that a batch never waits for SQLite's write lock;
``reol search status`` may therefore show a position a moment old.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connections, transaction
from django.db.models import Max
from django.utils import timezone

from reol.catalog.models import Record, ReindexRun, SearchIndexState, SearchOutbox

from .documents import documents
from .engine import TantivyEngine
from .schema import SCHEMA_VERSION

log = logging.getLogger(__name__)

BATCH_SIZE = 200
POLL_SECONDS = 0.2  # an idle poll is two indexed queries; each 0.1 s saved is 0.05 s less lag
GAP_SECONDS = 120  # an id skipped this long ago was a rollback, not a slow transaction
PRUNE_AFTER_DAYS = 7
MAX_GAPS = 1000
# A queued rebuild (``ReindexRun``) whose worker has said nothing for this long is dead: the
# indexer stops waiting for it (the worker's restart marks it failed; see ``catalog.runs``).
REINDEX_SILENT_SECONDS = 600


def state(name: str) -> SearchIndexState:
    row, _created = SearchIndexState.objects.get_or_create(name=name)
    return row


@dataclass
class Position:
    """How far the index has got: the highest applied outbox id, and the ids below it that were
    not there yet (a transaction still open, or rolled back) with when they were first missed."""

    name: str
    last_applied_id: int = 0
    gaps: dict[int, float] = field(default_factory=dict)

    @classmethod
    def load(cls, name: str) -> Position:
        row = state(name)
        return cls(name, row.last_applied_id, {int(k): float(v) for k, v in row.gaps.items()})

    def save(self) -> None:
        SearchIndexState.objects.filter(name=self.name).update(
            last_applied_id=self.last_applied_id,
            gaps={str(k): v for k, v in self.gaps.items()},
            updated_at=timezone.now(),
        )

    def forget_expired(self, now: float) -> list[int]:
        """Drop the gaps missed ``GAP_SECONDS`` ago or more (rollbacks); returns their ids."""
        expired = [i for i, seen in self.gaps.items() if now - seen >= GAP_SECONDS]
        for outbox_id in expired:
            del self.gaps[outbox_id]
        return expired

    def advance(self, rows: list[tuple[int, int]], late: list[tuple[int, int]], now: float) -> None:
        """After the index commit: the late rows fill their gaps, and the position moves to the
        batch's last id, remembering the ids it skipped (at most ``MAX_GAPS``) as gaps."""
        for outbox_id, _record_id in late:
            self.gaps.pop(outbox_id, None)
        if not rows:
            return
        last = self.last_applied_id
        seen = {outbox_id for outbox_id, _r in rows}
        if last:  # the first batch of a fresh index has no "before" to have missed
            missing = [i for i in range(last + 1, rows[-1][0]) if i not in seen]
            self.gaps.update({i: now for i in missing[-MAX_GAPS:]})
        self.last_applied_id = rows[-1][0]


def _pending(
    position: Position, batch_size: int
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(rows, late): the next outbox rows after the position, and those of its gaps that have
    turned up since, each as (outbox id, record id)."""
    rows = list(
        SearchOutbox.objects.filter(id__gt=position.last_applied_id)
        .order_by("id")
        .values_list("id", "record_id")[:batch_size]
    )
    late = (
        list(SearchOutbox.objects.filter(id__in=list(position.gaps)).values_list("id", "record_id"))
        if position.gaps
        else []
    )
    return rows, late


def apply_batch(
    engine: TantivyEngine,
    name: str,
    *,
    position: Position | None = None,
    batch_size: int = BATCH_SIZE,
    before_commit: Callable[[], None] | None = None,
) -> int:
    """Apply the next batch of the outbox; returns how many outbox rows it applied.

    Without ``position`` the position is read from the database and saved back after the batch.
    With one (the indexer's loop), it is advanced in memory only, after the index commit; the
    caller saves it when it can (see ``PositionSaver``).
    """
    clock = time.perf_counter()
    keep = position is not None
    if position is None:
        position = Position.load(name)
    now = time.time()
    expired = position.forget_expired(now)
    rows, late = _pending(position, batch_size)
    if not rows and not late:
        if expired and not keep:
            position.save()
        return 0
    record_ids = list(dict.fromkeys(record_id for _id, record_id in [*late, *rows]))
    read = time.perf_counter()
    docs = list(documents(record_ids))
    built = time.perf_counter()
    engine.replace(record_ids, docs)
    if before_commit is not None:
        before_commit()  # tests "crash" here
    engine.commit()
    committed = time.perf_counter()
    position.advance(rows, late, now)
    if not keep:
        position.save()
    log.debug(
        "search: batch of %d: outbox %.0f ms, documents %.0f ms, index %.0f ms, position %.0f ms",
        len(rows) + len(late),
        (read - clock) * 1000,
        (built - read) * 1000,
        (committed - built) * 1000,
        (time.perf_counter() - committed) * 1000,
    )
    return len(rows) + len(late)


def catch_up(
    engine: TantivyEngine,
    name: str,
    *,
    position: Position | None = None,
    batch_size: int = BATCH_SIZE,
) -> int:
    applied = total = apply_batch(engine, name, position=position, batch_size=batch_size)
    while applied >= batch_size:
        applied = apply_batch(engine, name, position=position, batch_size=batch_size)
        total += applied
    return total


class PositionSaver:
    """Saves the indexer's position in a thread of its own, the newest one only.

    On SQLite the save waits for the one write lock behind every librarian's save; measured at
    1,000,000 records with 8 busy writers, up to 2 s. Waiting for it in the loop held back every
    batch behind it. A position saved late is harmless: after a crash the batches after the saved
    one are applied again, and applying a record twice is delete-then-add.
    """

    def __init__(self) -> None:
        self._newest: Position | None = None
        self._wake = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._loop, name="search-position", daemon=True)
        self._thread.start()

    def offer(self, position: Position) -> None:
        with self._wake:
            self._newest = Position(position.name, position.last_applied_id, dict(position.gaps))
            self._wake.notify()

    def close(self) -> None:
        """Save what is waiting, then stop."""
        with self._wake:
            self._stopping = True
            self._wake.notify()
        self._thread.join()

    def _loop(self) -> None:
        try:
            while True:
                with self._wake:
                    while self._newest is None and not self._stopping:
                        self._wake.wait()
                    newest, self._newest = self._newest, None
                    if newest is None:
                        return
                try:
                    newest.save()
                except Exception:
                    with self._wake:
                        if self._stopping:  # stopping with the database away: do not hang
                            log.exception("search: the indexer's last position was not saved")
                            return
                        self._newest = self._newest or newest
                    log.exception("search: saving the indexer's position failed; retrying")
                    time.sleep(1)
        finally:
            connections.close_all()


def reindex(
    engine: TantivyEngine,
    name: str,
    *,
    chunk: int = 2000,
    progress: Callable[[int], None] | None = None,
    wait: float = 0,
) -> int:
    """Rebuild the whole index from the database; returns the number of documents.

    ``wait``: seconds to wait for the index's writer while the indexer lets go of it (it does
    while a ``ReindexRun`` is running, see ``run``); without it a running indexer is an error.
    """
    # Changes after this point are in the outbox above this id and will be applied again.
    position = SearchOutbox.objects.aggregate(m=Max("id"))["m"] or 0
    deadline = time.monotonic() + wait
    while True:
        try:
            engine.writer(heap_mb=512, threads=4)  # a bulk load: more memory and threads
            break
        except ValueError:  # the directory's writer lock: the indexer has not let go yet
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.5)
    engine.delete_all()
    count = 0
    last_id = 0
    while True:
        ids = list(
            Record.objects.filter(id__gt=last_id)
            .order_by("id")
            .values_list("id", flat=True)[:chunk]
        )
        if not ids:
            break
        docs = list(documents(ids))
        engine.replace((), docs)
        count += len(docs)
        last_id = ids[-1]
        if progress:
            progress(count)
    engine.commit()
    engine.close_writer()  # the next writer is the indexer's small one, not this bulk one
    with transaction.atomic():
        current = state(name)
        current.last_applied_id = position
        current.gaps = {}
        current.schema_version = SCHEMA_VERSION
        current.reindexed_at = timezone.now()
        current.save()
    return count


def reindex_wants_writer() -> bool:
    """Whether a queued rebuild is running (and still alive) in a worker of the task queue."""
    alive = timezone.now() - dt.timedelta(seconds=REINDEX_SILENT_SECONDS)
    return ReindexRun.objects.filter(state=ReindexRun.State.RUNNING, updated_at__gte=alive).exists()


def prune(name: str) -> int:
    """Forget outbox rows every index has applied long ago."""
    lowest = min(SearchIndexState.objects.values_list("last_applied_id", flat=True), default=0)
    cutoff = timezone.now() - dt.timedelta(days=PRUNE_AFTER_DAYS)
    deleted, _ = SearchOutbox.objects.filter(id__lte=lowest, created_at__lt=cutoff).delete()
    return deleted


def run(
    engine: TantivyEngine,
    name: str,
    *,
    interval: float = POLL_SECONDS,
    stop: Callable[[], bool] = lambda: False,
) -> None:
    """The long-running loop: poll the outbox every ``interval`` seconds."""
    last_prune = 0.0
    position = Position.load(name)
    saver = PositionSaver()
    paused = False
    try:
        while not stop():
            try:
                if reindex_wants_writer():
                    if not paused:  # let the worker's rebuild take the writer; apply nothing
                        saver.close()
                        engine.close_writer()
                        paused = True
                        log.info("search: paused while the index is rebuilt")
                    time.sleep(max(interval, 0.5))
                    continue
                if paused:  # the rebuild moved the position: start again from the saved one
                    position, saver, paused = Position.load(name), PositionSaver(), False
                    log.info("search: resumed after the rebuild")
                started = time.perf_counter()
                applied = batch = apply_batch(engine, name, position=position)
                while batch:
                    saver.offer(position)  # after every batch: a long catch-up is saved as it goes
                    if batch < BATCH_SIZE:
                        break
                    batch = apply_batch(engine, name, position=position)
                    applied += batch
                if applied:
                    log.info(
                        "search: applied %d outbox rows in %.0f ms",
                        applied,
                        (time.perf_counter() - started) * 1000,
                    )
                if time.monotonic() - last_prune > 3600:
                    prune(name)
                    last_prune = time.monotonic()
            except Exception:
                log.exception("search: applying the outbox failed; retrying")
                engine.abandon_writer()
                time.sleep(2)
            time.sleep(interval)
    finally:
        saver.close()
