"""A partner's ISO 18626 address cannot make Reol's server call itself (``core.outbound``).

The attack: a librarian adds a "partner" whose ISO 18626 address is ``http://127.0.0.1:5432/``
(or a cloud's ``169.254.169.254``), sends it a request, and reads the outbox's error ("HTTP
404", "connection refused", "Connection reset"): a port scanner of the machine Reol runs on,
with our bearer token and a POST body sent along. And a public address answering 307 sent the
POST on to wherever it pointed. Now such an address is refused before any connection, the
message fails at once with the reason, and redirects are not followed.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction

from reol.catalog import sru
from reol.core import outbound
from reol.core.permissions import SYSTEM
from reol.external import iso18626, outbox
from reol.external.models import ExternalTarget, OutgoingMessage, OutgoingState
from reol.external.services import save_target

OK = iso18626.confirmation("supplyingAgencyMessage", iso18626.Header(supplying="x"))


class Listener:
    """A local HTTP server that counts what reaches it, and may answer 307 onward."""

    def __init__(self, host: str = "127.0.0.1", onward: str = "") -> None:
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))  # none for GET
                listener.hits += 1
                if onward:
                    self.send_response(307 if self.command == "POST" else 302)
                    self.send_header("Location", onward)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(OK)))
                self.end_headers()
                self.wfile.write(OK)

            def log_message(self, *args: object) -> None:
                pass

        self.hits = 0
        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://{host}:{self.server.server_address[1]}/iso18626/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def local() -> Iterator[Listener]:
    found = Listener()
    yield found
    found.close()


def _send(world, url: str) -> OutgoingMessage:  # type: ignore[no-untyped-def]
    target: ExternalTarget = save_target(
        SYSTEM, world.school_a, name="Falsk partner", kind="public",
        base_url="http://127.0.0.1:9/sru", request_method="iso18626", iso18626_url=url,
        lender_symbol="DK-666", outgoing_token="our-secret", timeout_ms=3000,
    )  # fmt: skip
    header = iso18626.Header(supplying="nord", requesting="DK-666", request_id="X-1")
    body = iso18626.supplying_message(header, status="WillSupply")
    with transaction.atomic():
        message = outbox.put(
            target, world.school_a, "X-1", body, kind="supplyingAgencyMessage", what="WillSupply"
        )
    outbox.deliver(target.pk, "X-1")
    message.refresh_from_db()
    return message


@pytest.mark.django_db
def test_a_partner_on_this_machine_is_never_called(world, local, settings):
    settings.REOL_OUTBOUND_ALLOW = []  # an installation as shipped
    message = _send(world, local.url)
    assert local.hits == 0
    assert message.state == OutgoingState.FAILED and message.attempts == 1  # not retried
    assert "does not send to" in message.last_error


@pytest.mark.django_db
def test_a_partner_that_answers_307_does_not_send_the_post_on(world, settings):
    settings.REOL_OUTBOUND_ALLOW = ["127.0.0.1/32"]  # the first is allowed, where it points not
    inner = Listener(host="127.0.0.2")
    outer = Listener(onward=inner.url)
    try:
        message = _send(world, outer.url)
    finally:
        outer.close()
        inner.close()
    assert outer.hits == 1 and inner.hits == 0
    assert message.state == OutgoingState.FAILED


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:5432/",
        "http://localhost/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:8000/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "file:///etc/passwd",
        "gopher://10.0.0.1/",
    ],
)
def test_addresses_reol_does_not_send_to(url, settings):
    settings.REOL_OUTBOUND_ALLOW = []
    with pytest.raises(outbound.Refused):
        outbound.check(url)


def test_a_private_network_and_an_allowed_one_are_asked(settings):
    settings.REOL_OUTBOUND_ALLOW = ["127.0.0.0/8"]
    outbound.check("http://10.1.2.3/iso18626")  # a municipality's own network
    outbound.check("http://127.0.0.1:8000/")  # named in REOL_OUTBOUND_ALLOW


def test_an_address_allowed_with_its_port_is_asked_on_that_port_only(settings):
    """`make run` allows its own address and port (the demo's catalogues are its own SRU
    endpoints): the database beside it on another port stays refused."""
    settings.REOL_OUTBOUND_ALLOW = ["127.0.0.1:8000", "[::1]:8000"]
    outbound.check("http://127.0.0.1:8000/sru/solbjerg/nord/")
    outbound.check("http://[::1]:8000/")
    for url in ("http://127.0.0.1:5432/", "http://127.0.0.1/", "https://127.0.0.1/"):
        with pytest.raises(outbound.Refused):
            outbound.check(url)
    settings.REOL_OUTBOUND_ALLOW = ["127.0.0.1:80"]
    outbound.check("http://127.0.0.1/")  # http's own port, not written


class GetListener(Listener):
    """The same, for GET (an SRU target): counts, and may answer 302 onward."""

    def __init__(self, host: str = "127.0.0.1", onward: str = "") -> None:
        super().__init__(host, onward)
        handler = self.server.RequestHandlerClass
        handler.do_GET = handler.do_POST  # type: ignore[attr-defined]


def test_an_sru_target_on_this_machine_or_redirecting_there_is_never_asked(settings):
    """The same attack through a catalogue's SRU address (any librarian adds one; every search
    beyond the school asks it): refused before any connection, and so is a redirect there."""
    settings.REOL_OUTBOUND_ALLOW = []
    here = GetListener()
    try:
        with pytest.raises(sru.SruError):
            sru.fetch(here.url + "?query=x", "Falsk katalog", timeout=3)
    finally:
        here.close()
    assert here.hits == 0
    settings.REOL_OUTBOUND_ALLOW = ["127.0.0.1/32"]
    inner = GetListener(host="127.0.0.2")
    outer = GetListener(onward=inner.url)
    try:
        with pytest.raises(sru.SruError):
            sru.fetch(outer.url + "?query=x", "Falsk katalog", timeout=3)
    finally:
        outer.close()
        inner.close()
    assert outer.hits == 1 and inner.hits == 0
