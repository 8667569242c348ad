"""The gunicorn worker ``make run`` serves Reol with: gunicorn's threaded worker (gthread), with
a short wait for a new connection's first byte.

gthread keeps idle keep-alive connections in its poller, not in a thread. A *new* connection,
though, is handed to a thread at once, and gunicorn 27 lets that thread wait up to 5 s for the
first byte before it gives the socket back to the poller. A browser that pre-connects sockets
it may never use (Chromium does, for every page), or a client on a bad line, can so hold all
of a worker's threads for seconds while the desk waits (``bench/idle_connections.py``). Here
the thread waits ``FIRST_BYTE_WAIT`` instead: a request that is on its way arrives within it
on any network a school has, and a silent socket goes to the poller, costing no thread, until
its first byte comes or gunicorn's keep-alive timeout closes it.

The constant is gunicorn's module global (read at each use), so it is set before the class is
made; everything else is gunicorn's own worker. Pinned by ``tests/test_server_worker.py``: if
gunicorn renames the constant, that test fails rather than this silently doing nothing.
"""

from __future__ import annotations

from gunicorn.workers import gthread

FIRST_BYTE_WAIT = 0.05  # seconds a thread waits for a new connection's first byte

gthread.DEFAULT_WORKER_DATA_TIMEOUT = FIRST_BYTE_WAIT


class ThreadWorker(gthread.ThreadWorker):
    """gunicorn's gthread worker, with ``FIRST_BYTE_WAIT`` (see the module's docstring)."""
