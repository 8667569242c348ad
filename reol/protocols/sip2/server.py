"""The SIP2 server: asyncio for the connections, a thread per request for the database.

Every connection reads its own frames (CR-terminated; LF also ends one, as some clients send
CRLF or LF), bounded in size: a longer line is dropped and answered with 96 ("please resend").
Each request runs in a worker thread (Django's ORM is synchronous), so a slow terminal or a
slow request never holds up another terminal; the connection's session is the only state.
A request that fails in a way nobody foresaw is logged and answered with a well-formed "no":
nothing a terminal sends can stop the server or another terminal's session.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from collections.abc import Awaitable, Callable

from django.db import close_old_connections
from django.utils import translation

from reol.core import audit

from .codec import MAX_FRAME, FrameError, Request, decode
from .handlers import HANDLERS, RESPONSE_TO, refuse
from .patrons import Session, login

log = logging.getLogger("reol.sip2")
RESEND = b"96\r"
IDLE_SECONDS = 15 * 60


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


async def serve(
    host: str,
    port: int,
    *,
    ssl_context: ssl.SSLContext | None = None,
    started: Callable[[asyncio.Server], Awaitable[None] | None] | None = None,
) -> None:
    server = await asyncio.start_server(handle, host, port, ssl=ssl_context)
    log.info("SIP2 listening on %s:%s%s", host, port, " (TLS)" if ssl_context else "")
    if started is not None:
        result = started(server)
        if result is not None:
            await result
    async with server:
        await server.serve_forever()
