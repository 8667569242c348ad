"""``reol sip2 --workers N``: the SIP2 server in N forked processes sharing one listening socket.

One asyncio process hands every frame to its database threads under one GIL, so its kiosks'
Python ran on one core while gunicorn served the desk's from several processes. So the parent
binds the socket, forks ``workers`` children (as gunicorn forks its workers, and ``make run``
gives both the same number) and only looks after them: a child that dies is replaced, SIGTERM
or SIGINT ends them all.

Every child accepts from the same socket, one connection at a time, and only while it has no
more sessions open than any other child (``Load``: a count per child in memory the children
share), so twenty terminals are spread ten and ten, not by which process woke first. A
terminal's connection, and so its session (login, PIN checks, the last response for 97), stays
in the child that accepted it. A child whose parent is gone ends itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import ssl
import time
from multiprocessing.sharedctypes import RawArray
from types import FrameType
from typing import Any

from django.db import connections

from . import server

log = logging.getLogger("reol.sip2")
TURN_POLL = 0.05  # seconds between looks at the others' load while another child's turn
PARENT_POLL = 1.0  # seconds between looks at whether the parent still lives
RESPAWN_PAUSE = 1.0  # seconds before replacing a child that died (no fork storm)
GONE = 1 << 30  # the load of a slot whose child is dead: never the least
STOPS = (signal.SIGTERM, signal.SIGINT)


class Load:
    """Open sessions per child, in shared memory: each child writes only its own count."""

    def __init__(self, counts: Any, me: int) -> None:
        self.counts = counts
        self.me = me

    def mine(self) -> bool:
        return bool(self.counts[self.me] <= min(self.counts))

    async def wait(self) -> None:
        while not self.mine():
            await asyncio.sleep(TURN_POLL)

    def opened(self) -> None:
        self.counts[self.me] += 1

    def closed(self) -> None:
        self.counts[self.me] -= 1


def run(
    listener: socket.socket,
    *,
    workers: int,
    threads: int = server.THREADS,
    ssl_context: ssl.SSLContext | None = None,
) -> None:
    """Serve ``listener`` until SIGTERM or SIGINT: in this process (``workers`` 1) or in
    ``workers`` forked children."""
    if workers <= 1:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(server.serve_socket(listener, ssl_context=ssl_context, threads=threads))
        return
    counts = RawArray("i", workers)
    connections.close_all()  # no connection may be shared with the children
    children: dict[int, int] = {}  # pid → slot
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    previous = {sig: signal.signal(sig, stop) for sig in STOPS}
    try:
        for slot in range(workers):
            _start(children, listener, counts, slot, threads, ssl_context)
        while children:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            slot = children.pop(pid, -1)
            if slot < 0 or stopping:
                continue
            log.warning("SIP2 worker %s ended (status %s): starting another", pid, status)
            counts[slot] = GONE  # the others take the new terminals meanwhile
            time.sleep(RESPAWN_PAUSE)
            if not stopping:
                _start(children, listener, counts, slot, threads, ssl_context)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _start(
    children: dict[int, int],
    listener: socket.socket,
    counts: Any,
    slot: int,
    threads: int,
    ssl_context: ssl.SSLContext | None,
) -> None:
    """Fork the child of ``slot`` and note it in ``children``. SIGTERM and SIGINT wait until
    then: the child must not run the parent's handler, nor the parent miss a child to stop."""
    parent = os.getpid()
    counts[slot] = 0
    signal.pthread_sigmask(signal.SIG_BLOCK, STOPS)
    pid = os.fork()
    if pid:
        children[pid] = slot
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPS)
        return
    status = 0
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the parent, which stops us
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPS)
        asyncio.run(_child(listener, Load(counts, slot), parent, threads, ssl_context))
    except BaseException:
        log.exception("SIP2 worker %s failed", os.getpid())
        status = 1
    finally:
        os._exit(status)  # never back into the parent's code


async def _child(
    listener: socket.socket,
    load: Load,
    parent: int,
    threads: int,
    ssl_context: ssl.SSLContext | None,
) -> None:
    serving = asyncio.create_task(
        server.serve_socket(listener, ssl_context=ssl_context, threads=threads, turn=load)
    )
    while os.getppid() == parent and not serving.done():
        await asyncio.sleep(PARENT_POLL)
    serving.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await serving
