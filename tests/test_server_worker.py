"""The worker class ``make run`` names exists and shortens gthread's wait for a first byte."""

from __future__ import annotations

from gunicorn.workers import gthread

from reol import server


def test_the_worker_is_gthread_with_a_short_first_byte_wait():
    assert issubclass(server.ThreadWorker, gthread.ThreadWorker)
    # gunicorn reads this module global at each new connection (and its drain of an unread
    # body); were it renamed, the assignment in reol.server would silently do nothing.
    assert "DEFAULT_WORKER_DATA_TIMEOUT" in gthread.ThreadWorker.handle.__code__.co_names
    assert gthread.DEFAULT_WORKER_DATA_TIMEOUT == server.FIRST_BYTE_WAIT < 1
