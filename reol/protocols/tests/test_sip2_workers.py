"""``reol sip2 --workers 2``: two forked processes share the port, each serves its terminals,
and a worker that dies is replaced. Run as the real command, over real sockets and frames."""

from __future__ import annotations

import os
import re
import select
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from reol.catalog import services as catalog
from reol.core.permissions import SYSTEM
from reol.protocols import services

from .test_sip2 import _send, _well_formed, _with_checksum

REOL = Path(sys.executable).parent / "reol"


def _database_url() -> str:
    """The test database, for another process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = urllib.parse.quote(db["USER"] or "")
    password = f":{urllib.parse.quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def sip2_workers(transactional_db, tmp_path) -> Iterator[tuple[subprocess.Popen[str], int]]:  # type: ignore[no-untyped-def]
    env = dict(os.environ, REOL_DATABASE_URL=_database_url(), REOL_VAR_DIR=str(tmp_path))
    command = [str(REOL), "sip2", "--host", "127.0.0.1", "--port", "0", "--workers", "2"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        readable, _, _ = select.select([process.stdout], [], [], 120)
        assert readable, "reol sip2 printed nothing"
        found = re.search(r"127\.0\.0\.1:(\d+)", process.stdout.readline())
        assert found, "reol sip2 did not say where it listens"
        yield process, int(found.group(1))
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _serving(pids: set[int], port: int, client: socket.socket) -> int:
    """The process that holds the server's end of ``client``'s connection."""
    local = f"0100007F:{port:04X}"
    remote = f"0100007F:{client.getsockname()[1]:04X}"
    inodes = {
        fields[9]
        for fields in (line.split() for line in Path("/proc/net/tcp").read_text().splitlines())
        if fields[1:3] == [local, remote]
    }
    assert len(inodes) == 1
    (inode,) = inodes
    owners = set()
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if os.readlink(fd) == f"socket:[{inode}]":
                    owners.add(pid)
            except OSError:
                continue
    assert len(owners) == 1, owners
    return owners.pop()


def _terminal(port: int, barcode: str) -> socket.socket:
    """A terminal that logs in, asks the status and an item's information."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    assert _send(sock, _with_checksum("9300CNkiosk1|COkiosk-secret|CPnord|")).startswith(b"941")
    assert _send(sock, _with_checksum("9900802.00", 1)).startswith(b"98Y")
    answer = _send(sock, _with_checksum(f"1720261207    120000AOnord|AB{barcode}|AC|", 2))
    _well_formed(answer)
    assert answer.startswith(b"18") and f"AB{barcode}|".encode() in answer, answer
    return sock


def _replaced(parent: int, dead: int) -> set[int]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        children = _children(parent)
        if len(children) == 2 and dead not in children:
            return children
        time.sleep(0.1)
    raise AssertionError("the dead worker was not replaced")


@pytest.mark.real_hashing  # the server process checks the terminal's password with its hashers
def test_two_worker_processes_share_the_terminals_and_a_dead_one_is_replaced(
    sip2_workers, world
) -> None:
    process, port = sip2_workers
    services.add_terminal(SYSTEM, world.school_a, login="kiosk1", password="kiosk-secret")
    record = catalog.create_record(SYSTEM, world.municipality, catalog.new_marc(title="Heste"))
    (book,) = catalog.add_items(SYSTEM, record, world.school_a, count=1)
    terminals = [_terminal(port, book.barcode) for _ in range(4)]
    workers = _children(process.pid)
    assert len(workers) == 2
    served = [_serving(workers | {process.pid}, port, sock) for sock in terminals]
    # Each worker took its turn: two terminals each, none in the parent.
    assert sorted(served.count(pid) for pid in workers) == [2, 2]
    # A worker dies: its terminals lose their connection, the other's keep their sessions,
    # and a new worker serves new terminals.
    dead = served[0]
    os.kill(dead, signal.SIGKILL)
    survivor = next(sock for sock, pid in zip(terminals, served, strict=True) if pid != dead)
    assert _send(survivor, _with_checksum("9900802.00", 3)).startswith(b"98Y")
    workers = _replaced(process.pid, dead)
    late = [_terminal(port, book.barcode) for _ in range(2)]
    assert {_serving(workers, port, sock) for sock in late} <= workers
    for sock in terminals + late:
        sock.close()
    process.send_signal(signal.SIGTERM)
    assert process.wait(30) == 0
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]  # all ended
