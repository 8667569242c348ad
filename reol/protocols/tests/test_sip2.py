"""The SIP2 server, driven by Sip2 (a kiosk client library nobody here wrote), its answers read
by pysip2's strict codec (another independent implementation), and by raw frames: those other
systems' test suites send, and tens of thousands of hostile ones."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import logging
import random
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pysip2
import pytest
from django.db import connections
from django.utils import timezone
from Sip2.sip2 import Sip2

from reol.catalog import services as catalog
from reol.catalog.models import Item, ItemStatus
from reol.circulation.actions import holds as hold_actions
from reol.circulation.models import Hold, Loan
from reol.core.models import AuditEvent
from reol.core.permissions import SYSTEM
from reol.patrons import services as patron_services
from reol.patrons.models import Block
from reol.protocols import services
from reol.protocols.sip2 import server
from reol.protocols.sip2.codec import checksum

FRAMES = Path(__file__).resolve().parents[3].parent / "shared" / "data"
FRAMES = FRAMES / "sip2_messages_from_public_tests.tsv"


@dataclass
class Kiosk:
    port: int
    world: object
    books: list[Item]


@pytest.fixture
def kiosk(transactional_db, world, settings) -> Iterator[Kiosk]:  # type: ignore[no-untyped-def]
    services.add_terminal(SYSTEM, world.school_a, login="kiosk1", password="kiosk-secret")
    books = []
    for title in ("Heste i Danmark", "Dinosaurernes verden", "Ørnens øje"):
        record = catalog.create_record(SYSTEM, world.municipality, catalog.new_marc(title=title))
        books += catalog.add_items(SYSTEM, record, world.school_a, count=1)
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder: dict[str, object] = {}

    async def main() -> None:
        stop = asyncio.Event()
        listener = server.listen("127.0.0.1", 0)
        # The server's own accept loop, with one database thread (closed before the test
        # database is dropped).
        serving = asyncio.create_task(server.serve_socket(listener, threads=1))
        holder["stop"] = stop
        holder["port"] = listener.getsockname()[1]
        ready.set()
        await stop.wait()
        # The server, and the connections the tests left open: they end here, not with the loop.
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(serving, *others, return_exceptions=True)
        await asyncio.to_thread(connections.close_all)
        # Here, in the loop's own thread: the test's thread may be inside another running loop
        # (Playwright's sync API, when a browser test ran before in this process).
        await asyncio.get_running_loop().shutdown_default_executor()
        listener.close()

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    assert ready.wait(10)
    yield Kiosk(int(holder["port"]), world, books)  # type: ignore[call-overload]
    loop.call_soon_threadsafe(holder["stop"].set)  # type: ignore[attr-defined]
    thread.join(10)
    loop.close()


def client(kiosk: Kiosk, patron: str = "", pin: str = "") -> Sip2:
    sip = Sip2()
    sip.hostName, sip.hostPort, sip.tlsEnable = "127.0.0.1", kiosk.port, False
    sip.socketTimeout = 20
    sip.institutionId = "nord"
    sip.patron, sip.patronpwd = patron, pin
    sip.log = logging.getLogger("sip2-client")  # else it writes sip2.log into the work tree
    sip.connect()
    return sip


def strict(raw: str) -> object:
    """The response read by pysip2's codec, which checks layout and checksum."""
    data = raw.encode("utf-8").rstrip(b"\r")
    assert pysip2.verify_checksum(data), raw
    return pysip2.decode_message(data + b"\r")


def test_a_kiosk_lends_renews_and_returns_to_the_hold_shelf(kiosk: Kiosk) -> None:
    world = kiosk.world
    sip = client(kiosk, patron="A0001", pin="4321")
    assert (
        sip.sip_login_response(sip.get_response(sip.sip_login_request("kiosk1", "kiosk-secret")))[
            "fixed"
        ]["Ok"]
        == "1"
    )
    status = sip.get_response(sip.sip_sc_status_request())
    assert status.startswith("98Y") and strict(status)
    info = sip.sip_patron_information_response(
        sip.get_response(sip.sip_patron_information_request("none"))
    )
    assert info["variable"]["AE"] == ["Elev-A1 Test"]
    assert info["variable"]["BL"] == ["Y"] and info["variable"]["CQ"] == ["Y"]
    first, second, _third = kiosk.books
    for book in (first, second):
        raw = sip.get_response(sip.sip_checkout_request(book.barcode))
        assert raw.startswith("121"), raw
        strict(raw)
        reply = sip.sip_checkout_response(raw)
        assert reply["variable"]["AJ"] == [book.record.title]
        assert len(reply["variable"]["AH"][0]) == 18
    # Renewing today would not move the due date; a week before it's due, it does.
    soon = timezone.localdate() + dt.timedelta(days=7)
    Loan.objects.filter(patron=world.student_a1).update(due_date=soon)
    for book in (first, second):
        raw = sip.get_response(sip.sip_renew_request(itemIdentifier=book.barcode))
        assert raw.startswith("301"), raw
        assert Loan.objects.get(item=book, returned_at__isnull=True).due_date > soon
    # Another student waits for the first book: its return goes to the hold shelf.
    hold_actions.place_hold(SYSTEM, world.school_a, world.student_a2, record=first.record)
    raw = sip.get_response(sip.sip_checkin_request(first.barcode))
    strict(raw)
    reply = sip.sip_checkin_response(raw)
    assert raw.startswith("101") and reply["variable"]["CV"] == ["01"], raw
    assert reply["variable"]["CL"] == ["hold"]
    # The desk and the patron's page see exactly this.
    open_loans = Loan.objects.filter(patron=world.student_a1, returned_at__isnull=True)
    assert [loan.item_id for loan in open_loans] == [second.pk]
    assert Hold.objects.get(patron=world.student_a2).state == "ready"
    assert Item.objects.get(pk=first.pk).status == ItemStatus.ON_HOLD_SHELF
    # Every transaction is audited as the terminal, from SIP2.
    events = AuditEvent.objects.filter(via="sip2")
    assert events.filter(action__startswith="loan").exists() or events.exists()
    assert set(events.values_list("actor__username", flat=True)) == {"sip2-kiosk1"}
    sip.disconnect()


def test_a_wrong_pin_or_a_foreign_card_learns_nothing(kiosk: Kiosk) -> None:
    for patron, pin in (("A0001", "0000"), ("B0001", "2222"), ("NOBODY", "1234")):
        sip = client(kiosk, patron=patron, pin=pin)
        sip.get_response(sip.sip_login_request("kiosk1", "kiosk-secret"))
        raw = sip.get_response(sip.sip_patron_status_request())
        reply = sip.sip_patron_status_response(raw)
        assert reply["variable"].get("AE", [""]) == [""], raw
        assert "Test" not in raw  # no name of anyone
        raw = sip.get_response(sip.sip_checkout_request(kiosk.books[0].barcode))
        assert raw.startswith("120"), raw
        sip.disconnect()
    assert not Loan.objects.exists()


def test_nothing_happens_before_the_terminal_logs_in(kiosk: Kiosk) -> None:
    sip = client(kiosk, patron="A0001", pin="4321")
    raw = sip.get_response(sip.sip_checkout_request(kiosk.books[0].barcode))
    assert raw.startswith("120"), raw
    assert (
        sip.sip_login_response(sip.get_response(sip.sip_login_request("kiosk1", "wrong")))["fixed"][
            "Ok"
        ]
        == "0"
    )
    assert not Loan.objects.exists()


def _send(sock: socket.socket, frame: bytes) -> bytes:
    sock.sendall(frame)
    data = b""
    while not data.endswith(b"\r"):
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def _with_checksum(body: str, sequence: int = 0) -> bytes:
    data = f"{body}AY{sequence}AZ".encode()
    return data + checksum(data).encode() + b"\r"


def _logged_in(kiosk: Kiosk) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", kiosk.port), timeout=30)
    assert _send(sock, _with_checksum("9300CNkiosk1|COkiosk-secret|CPnord|")).startswith(b"941")
    return sock


def _well_formed(answer: bytes) -> None:
    assert answer.endswith(b"\r") and answer[:2].isdigit(), answer
    body = answer.rstrip(b"\r")
    if b"AZ" in body[-6:]:
        assert int(checksum(body[:-4]), 16) == int(body[-4:], 16), answer


def test_every_frame_of_other_systems_tests_gets_a_well_formed_answer(kiosk: Kiosk) -> None:
    rows = list(csv.DictReader(FRAMES.open(encoding="utf-8"), delimiter="\t"))
    assert len(rows) > 100
    sock = _logged_in(kiosk)
    for row in rows:
        message = row["message"].rstrip("\r\n")
        answer = _send(sock, message.encode("utf-8") + b"\r")
        _well_formed(answer)
        if answer != b"96\r" and message[:2] not in ("93", "97"):
            expected = {"01": "24", "99": "98"}.get(message[:2], f"{int(message[:2]) + 1:02d}")
            assert answer[:2].decode() == expected, (message, answer)
    sock.close()


def test_hostile_frames_never_stop_the_server_or_another_terminal(kiosk: Kiosk) -> None:
    rng = random.Random(18)
    rows = [r["message"] for r in csv.DictReader(FRAMES.open(encoding="utf-8"), delimiter="\t")]
    other = _logged_in(kiosk)
    hostile = _logged_in(kiosk)
    frames = []
    for round_number in range(20_000):
        base = rng.choice(rows).encode("utf-8")
        kind = round_number % 5
        if kind == 0:
            frame = base[: rng.randrange(len(base) + 1)]
        elif kind == 1:
            frame = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 60)))
        elif kind == 2:
            frame = base.replace(b"|", b"|" * rng.randrange(0, 3))
        elif kind == 3:
            at = rng.randrange(len(base) + 1)
            frame = base[:at] + bytes([rng.randrange(256)]) + base[at:]
        else:
            frame = rng.choice([b"63", b"11", b"09", b"99"]) + b"\xff\xfe" * rng.randrange(1, 40)
        frame = frame.replace(b"\r", b"").replace(b"\n", b"")
        if frame.strip():
            frames.append(frame + b"\r")
    # Sent 200 at a time without waiting (as a flood would), each answered in order.
    for start in range(0, len(frames), 200):
        batch = frames[start : start + 200]
        hostile.sendall(b"".join(batch))
        answers = b""
        while answers.count(b"\r") < len(batch):
            chunk = hostile.recv(1 << 20)
            assert chunk, "the server closed the connection"
            answers += chunk
        for answer in answers.split(b"\r")[:-1]:
            _well_formed(answer + b"\r")
    sent = len(frames)
    # A line far past the frame limit is dropped and answered with "resend".
    assert _send(hostile, b"63" + b"x" * 100_000 + b"\r") == b"96\r"
    assert sent > 15_000
    # The other terminal's session is untouched.
    assert _send(other, _with_checksum("9900802.00")).startswith(b"98Y")


def test_a_slow_terminal_never_holds_up_another(kiosk: Kiosk) -> None:
    slow = socket.create_connection(("127.0.0.1", kiosk.port), timeout=30)
    slow.sendall(b"9300CNkio")  # half a frame, then nothing
    started = time.monotonic()
    fast = _logged_in(kiosk)
    assert _send(fast, _with_checksum("9900802.00")).startswith(b"98Y")
    assert time.monotonic() - started < 10
    slow.close()
    fast.close()


def test_an_8_bit_terminal_gets_its_own_encoding_and_a_checksum_over_those_bytes(
    kiosk: Kiosk,
) -> None:
    services.add_terminal(
        SYSTEM, kiosk.world.school_a, login="old", password="old-secret", encoding="cp850"
    )
    sock = socket.create_connection(("127.0.0.1", kiosk.port), timeout=30)
    assert _send(sock, _with_checksum("9300CNold|COold-secret|CPnord|")).startswith(b"941")
    book = kiosk.books[2]  # "Ørnens øje"
    answer = _send(sock, _with_checksum(f"1720261206    120000AOnord|AB{book.barcode}|AC|", 3))
    _well_formed(answer)
    assert "Ørnens øje".encode("cp850") in answer
    assert answer.rstrip(b"\r")[-9:-4] == b"AY3AZ"


def test_a_bad_checksum_asks_for_a_resend_and_97_repeats(kiosk: Kiosk) -> None:
    sock = _logged_in(kiosk)
    first = _send(sock, _with_checksum("9900802.00", 1))
    assert _send(sock, b"9900802.00AY2AZ0000\r") == b"96\r"
    assert _send(sock, b"97\r") == first


def test_block_patron_blocks_at_the_terminals_school(kiosk: Kiosk) -> None:
    world = kiosk.world
    patron_services.create_patron(SYSTEM, world.school_a, category="student", user=world.student_a1)
    sock = _logged_in(kiosk)
    answer = _send(sock, _with_checksum("01N20261206    120000AOnord|ALCard retained|AAA0001|AC|"))
    assert answer.startswith(b"24Y"), answer
    assert Block.objects.filter(
        patron__user=kiosk.world.student_a1, lifted_at__isnull=True
    ).exists()
