"""SQLite with writers served in turn: Django's SQLite backend plus one write lock per database
file, taken before ``BEGIN IMMEDIATE`` and given back at ``COMMIT``/``ROLLBACK``.

SQLite's own write lock is not a queue. A connection that finds it taken sleeps and retries
(1, 2, 5 … up to 100 ms between tries), so under load a newcomer often takes the lock while
the ones that came first are asleep: with eight desks at work the slowest checkout waited
half a second and more (``bench/circulation.py``), while the transactions themselves take a
millisecond or two. Here a writer first waits on ``flock()`` on a file beside the database:
the kernel wakes a waiter the moment the lock is released, without sleeping in steps, so the
wait is the work queued ahead and nothing more. The lock is per connection (each opens its own
file description), so it works between threads of one process and between the processes of
gunicorn alike; a process that dies lets go of it with its files.

Only transactions that write take it (``transaction_mode`` IMMEDIATE or EXCLUSIVE, as Reol
configures SQLite); SQLite's busy timeout still covers what the lock does not (a checkpoint,
another program). An in-memory database has no file and no lock.

Checkpoints happen outside that queue. SQLite copies the WAL back into the database file
(a checkpoint) inside the ``COMMIT`` that takes the WAL past 1,000 pages, so the writer that
happened to commit it held the queue for the copy and its ``fsync`` (5–20 ms), every ~150
checkouts, while every desk behind it waited (``bench/circulation.py``, timing the lock). Here
a connection checkpoints (``PASSIVE``: it never waits for, nor blocks, a reader or a writer)
every ``CHECKPOINT_EVERY`` commits of its process, after it has given the lock back; SQLite's
own checkpoint stays as a backstop at ``CHECKPOINT_BACKSTOP_PAGES`` (a process that writes
once and exits, a program other than Reol). A checkpoint that fails is logged, never reported
as the commit's failure: the transaction is already safe in the WAL.

Its cursor also remembers how it rewrote each statement's ``%s`` placeholders as SQLite's ``?``:
Django runs a regular expression over the whole text for every statement, which was a tenth of
an API checkout's CPU time (``bench/checkout_profile.py``), while an application sends the same
few hundred statement texts again and again.
"""

from __future__ import annotations

import fcntl
import functools
import itertools
import logging
import os
import sqlite3
from typing import Any

from django.db.backends.sqlite3 import base

logger = logging.getLogger(__name__)

CHECKPOINT_EVERY = 64  # commits of one process between its checkpoints (~7 pages a checkout)
CHECKPOINT_BACKSTOP_PAGES = 10_000  # SQLite's own, inside COMMIT (its default is 1,000)
CHECKPOINT_SQL = "PRAGMA wal_checkpoint(PASSIVE)"
_commits = itertools.count(1)  # of this process; ``next`` is one step under the GIL


def _rewrite(query: str) -> str:
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


_qmark = functools.lru_cache(maxsize=2048)(_rewrite)
# Longer texts (a list of thousands of ids) are rare and would make the cache hold megabytes.
_REMEMBERED_UP_TO = 8192


class CursorWrapper(base.SQLiteCursorWrapper):
    def convert_query(self, query: str, *, param_names: Any = None) -> str:
        if param_names is None:
            return _qmark(query) if len(query) <= _REMEMBERED_UP_TO else _rewrite(query)
        return super().convert_query(query, param_names=param_names)  # type: ignore[misc]  # (not in the stubs)


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._write_lock_fd: int | None = None
        self._write_lock_held = False

    def get_new_connection(self, conn_params: Any) -> Any:
        connection = super().get_new_connection(conn_params)
        if not self.is_in_memory_db():
            connection.execute(f"PRAGMA wal_autocheckpoint={CHECKPOINT_BACKSTOP_PAGES}")
        return connection

    def create_cursor(self, name: str | None = None) -> Any:
        return self.connection.cursor(factory=CursorWrapper)

    def _write_lock_path(self) -> str | None:
        if (
            getattr(self, "transaction_mode", None) not in ("IMMEDIATE", "EXCLUSIVE")
            or self.is_in_memory_db()
        ):
            return None
        return f"{self.settings_dict['NAME']}-writelock"

    def _take_write_lock(self) -> None:
        path = self._write_lock_path()
        if path is None or self._write_lock_held:
            return
        if self._write_lock_fd is None:
            self._write_lock_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._write_lock_fd, fcntl.LOCK_EX)
        self._write_lock_held = True

    def _give_write_lock(self) -> None:
        if self._write_lock_held and self._write_lock_fd is not None:
            fcntl.flock(self._write_lock_fd, fcntl.LOCK_UN)
        self._write_lock_held = False

    def _start_transaction_under_autocommit(self) -> None:
        self._take_write_lock()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # (not in the stubs)
        except BaseException:
            self._give_write_lock()
            raise

    def _commit(self) -> None:
        wrote = self._write_lock_held
        try:
            super()._commit()  # type: ignore[misc]  # (not in the stubs)
        finally:
            self._give_write_lock()
        if wrote and next(_commits) % CHECKPOINT_EVERY == 0:
            self._checkpoint()

    def _checkpoint(self) -> None:
        try:
            self.connection.execute(CHECKPOINT_SQL).fetchall()
        except sqlite3.Error:
            logger.warning("WAL checkpoint failed; SQLite's own will follow", exc_info=True)

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]  # (not in the stubs)
        finally:
            self._give_write_lock()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]  # (not in the stubs)
        finally:
            self._give_write_lock()
            if self._write_lock_fd is not None:
                os.close(self._write_lock_fd)
                self._write_lock_fd = None
