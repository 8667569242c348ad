"""The SIP2 server: asyncio for the connections, a small pool of threads for the database.

Every connection reads its own frames (CR-terminated; LF also ends one, as some clients send
CRLF or LF), bounded in size: a longer line is dropped and answered with 96 ("please resend").
Each request runs in one of the process's ``threads`` database threads (Django's ORM is
synchronous; each thread keeps its connection, as gunicorn's do, for ``CONN_MAX_AGE``), so a
slow terminal or a slow request never holds up another terminal; the connection's session is
the only state. A request that fails in a way nobody foresaw is logged and answered with a
well-formed "no": nothing a terminal sends can stop the server or another terminal's session.

``serve_socket`` serves an already listening socket: ``workers`` runs it in one process, or in
several forked ones that share the socket (a terminal's connection, and so its session, stays
in the process that accepted it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import ssl
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from django.db import close_old_connections
from django.utils import translation

from reol.core import audit

from .codec import MAX_FRAME, FrameError, Request, decode
from .handlers import HANDLERS, RESPONSE_TO, refuse
from .patrons import Session, login

log = logging.getLogger("reol.sip2")
RESEND = b"96\r"
IDLE_SECONDS = 15 * 60
THREADS = 4  # database threads a process (make run's THREADS, as gunicorn's)
HANDSHAKE_SECONDS = 30  # a TLS client that has not finished its handshake by then is let go


def answer(session: Session, frame: bytes) -> bytes:
    """The response to one frame (without its terminator). Runs in a worker thread."""
    close_old_connections()
    try:
        with audit.origin("sip2", session.peer or None):
            return _answer(session, frame)
    finally:
        close_old_connections()


def _answer(session: Session, frame: bytes) -> bytes:
    if frame.startswith(b"97"):
        return session.last or RESEND
    try:
        request = decode(frame, session.encoding)
    except FrameError as error:
        log.info("SIP2 %s: unreadable frame (%s)", session.peer, error)
        return RESEND
    if request.command == "97":
        return session.last or RESEND
    language = session.terminal.school.default_language if session.terminal else "en"
    with translation.override(language):
        response = _respond(session, request)
    data = response.encode(session.encoding, request.sequence)
    session.last = data
    return data


def _respond(session: Session, request: Request):  # type: ignore[no-untyped-def]
    if request.command == "93":
        return login(session, request)
    handler = HANDLERS.get(request.command)
    if handler is None:  # 97 is answered above; nothing else is left unknown by decode
        return refuse(session, request, "")
    if session.terminal is None and request.command != "99":
        return refuse(session, request, translation.gettext("Log the terminal in first."))
    try:
        return handler(session, request)
    except Exception:
        log.exception("SIP2 %s: %s failed", session.peer, request.command)
        if request.command in RESPONSE_TO:
            return refuse(
                session, request, translation.gettext("That could not be done. Ask at the desk.")
            )
        raise


async def handle(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, idle: float = IDLE_SECONDS
) -> None:
    peer = writer.get_extra_info("peername")
    session = Session(peer=str(peer[0]) if peer else "")
    buffer = b""
    overflow = False
    try:
        while True:
            chunk = await asyncio.wait_for(reader.read(4096), timeout=idle)
            if not chunk:
                break
            buffer += chunk
            while True:
                cut = min(
                    (i for i in (buffer.find(b"\r"), buffer.find(b"\n")) if i >= 0), default=-1
                )
                if cut < 0:
                    break
                frame, buffer = buffer[:cut], buffer[cut + 1 :]
                if overflow:
                    overflow = False
                    writer.write(RESEND)
                elif frame.strip():
                    writer.write(await asyncio.to_thread(answer, session, frame.strip(b"\n")))
                await writer.drain()
            if len(buffer) > MAX_FRAME:
                buffer, overflow = b"", True
    except (TimeoutError, ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError, ssl.SSLError):
            await writer.wait_closed()


class Turn(Protocol):
    """Whether this process should take the next connection (``workers.Load``)."""

    async def wait(self) -> None: ...
    def opened(self) -> None: ...
    def closed(self) -> None: ...


async def serve_socket(
    listener: socket.socket,
    *,
    ssl_context: ssl.SSLContext | None = None,
    threads: int = THREADS,
    turn: Turn | None = None,
) -> None:
    """Accept connections on ``listener`` (listening already) until cancelled, one at a time:
    with ``turn``, only while this process has no more sessions than any other."""
    loop = asyncio.get_running_loop()
    loop.set_default_executor(ThreadPoolExecutor(max_workers=threads, thread_name_prefix="sip2"))
    listener.setblocking(False)
    sessions: set[asyncio.Task[None]] = set()
    while True:
        if turn is not None:
            await turn.wait()
        connection, _peer = await loop.sock_accept(listener)
        if turn is not None:
            turn.opened()
        task = asyncio.create_task(_session(connection, ssl_context, turn))
        sessions.add(task)
        task.add_done_callback(sessions.discard)


async def _session(
    connection: socket.socket, ssl_context: ssl.SSLContext | None, turn: Turn | None
) -> None:
    loop = asyncio.get_running_loop()
    try:
        reader = asyncio.StreamReader()
        protocol = asyncio.StreamReaderProtocol(reader)
        try:
            transport, _ = await loop.connect_accepted_socket(
                lambda: protocol,
                connection,
                ssl=ssl_context,
                ssl_handshake_timeout=HANDSHAKE_SECONDS if ssl_context else None,
            )
        except (OSError, ssl.SSLError, TimeoutError) as error:
            log.info("SIP2: a connection ended before it began (%s)", error)
            connection.close()
            return
        await handle(reader, asyncio.StreamWriter(transport, protocol, reader, loop))
    except Exception:
        log.exception("SIP2: a session failed")
    finally:
        if turn is not None:
            turn.closed()


def listen(host: str, port: int) -> socket.socket:
    """The listening socket (``port`` 0: any free one)."""
    return socket.create_server((host, port), backlog=128)
