"""A local SRU server for tests: answers ``searchRetrieve`` like a real one (SRU 1.1/1.2 in the
``http://www.loc.gov/zing/srw/`` namespace, 2.0 in the OASIS ``sruResponse`` namespace) with
MARCXML records registered per ISBN, and can misbehave on request.

    def test_something(sru_server):
        sru_server.add("978-87-02-28429-9", record)     # a pymarc Record, found by that ISBN
        sru_server.behaviour = "diagnostic"            # or: bomb, malformed, slow, close, ...
        ... sru_server.url ...                         # http://127.0.0.1:<port>/sru
        sru_server.requests[-1]["query"]               # what the client asked

Other test folders use it with ``from reol.catalog.tests.sru_server import sru_server``.
It runs ``http.server.ThreadingHTTPServer`` on 127.0.0.1, port 0, in a daemon thread.
"""

from __future__ import annotations

import os
import re
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

import pymarc
import pytest

SRU_1 = "http://www.loc.gov/zing/srw/"
SRU_2 = "http://docs.oasis-open.org/ns/search-ws/sruResponse"
DIAG_1 = "http://www.loc.gov/zing/srw/diagnostic/"
DIAG_2 = "http://docs.oasis-open.org/ns/search-ws/diagnostic"
MARCXML_SCHEMAS = {"marcxml", "marc21", "info:srw/schema/1/marcxml-v1.1"}

BEHAVIOURS = {
    "normal": "answer the query",
    "diagnostic": "answer every query with a fatal diagnostic (unsupported index)",
    "malformed": "send XML that is not well-formed",
    "bomb": "send a billion-laughs entity bomb",
    "external-entity": "send a response with an external entity",
    "slow": "wait (until the test ends) before answering",
    "close": "close the connection without answering",
    "truncated": "promise a longer body than is sent, then close",
    "garbage": "answer with bytes that are not HTTP",
    "http-error": "answer 500 Internal Server Error",
    "huge": "send a body bigger than the client's limit",
}

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<searchRetrieveResponse xmlns="http://www.loc.gov/zing/srw/"><version>1.2</version>
<numberOfRecords>&lol9;</numberOfRecords></searchRetrieveResponse>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<searchRetrieveResponse xmlns="http://www.loc.gov/zing/srw/"><version>1.2</version>
<numberOfRecords>1</numberOfRecords><records><record><recordData>
<record xmlns="http://www.loc.gov/MARC21/slim"><leader>00000nam a2200000 a 4500</leader>
<datafield tag="245" ind1="0" ind2="0"><subfield code="a">&xxe;</subfield></datafield>
</record></recordData></record></records></searchRetrieveResponse>
"""

_QUERY = re.compile(r'^\s*([\w.]+)\s*(?:=|==|any|all)\s*(?:"((?:[^"\\]|\\.)*)"|(\S+))\s*$')


def isbn_key(value: str) -> str:
    """An ISBN as the server files it: ISBN-13 digits (ISBN-10s are converted)."""
    digits = re.sub(r"[^0-9Xx]", "", value).upper()
    if len(digits) == 10:
        core = "978" + digits[:9]
        total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(core))
        return core + str((10 - total % 10) % 10)
    return digits


class FakeSru:
    """The server's state, shared with the test: registered records, requests seen."""

    def __init__(self) -> None:
        self.records: dict[str, list[pymarc.Record]] = {}
        self.requests: list[dict[str, str]] = []
        self.behaviour = "normal"
        self.indexes = {"bath.isbn", "bath.issn", "dc.identifier", "isbn", "rec.identifier"}
        self.release = threading.Event()  # ends a "slow" answer
        self.url = ""
        # False: a target that indexes each number only as catalogued (an ISBN-10 is found
        # by its ten digits alone, never by its ISBN-13), as many older catalogues do
        self.converts_isbns = True

    def key(self, value: str) -> str:
        if self.converts_isbns:
            return isbn_key(value)
        return re.sub(r"[^0-9Xx]", "", value).upper()

    def add(self, isbn: str, *records: pymarc.Record) -> None:
        self.records.setdefault(self.key(isbn), []).extend(records)

    @property
    def last(self) -> dict[str, str]:
        assert self.requests, "the SRU server has had no request"
        return self.requests[-1]

    # --- answers ---------------------------------------------------------------------------

    def answer(self, params: dict[str, str]) -> bytes:
        version = params.get("version", "1.2")
        if params.get("operation") != "searchRetrieve":
            return self.diagnostic(version, 4, "Unsupported operation", params.get("operation"))
        if version not in ("1.1", "1.2", "2.0"):
            return self.diagnostic("1.2", 5, "Unsupported version", version)
        if params.get("recordSchema", "marcxml") not in MARCXML_SCHEMAS:
            return self.diagnostic(
                version, 66, "Unknown schema for retrieval", params["recordSchema"]
            )
        match = _QUERY.match(params.get("query", ""))
        if match is None:
            return self.diagnostic(version, 10, "Query syntax error", params.get("query"))
        index = match.group(1)
        term = match.group(3) or re.sub(r"\\(.)", r"\1", match.group(2) or "")
        if self.behaviour == "diagnostic" or index not in self.indexes:
            return self.diagnostic(version, 16, "Unsupported index", index)
        found = self.records.get(self.key(term), [])
        maximum = int(params.get("maximumRecords", "10") or 10)
        return self.response(version, found[:maximum], total=len(found))

    def response(self, version: str, records: list[pymarc.Record], total: int) -> bytes:
        ns, prefix = (SRU_2, "sruResponse") if version == "2.0" else (SRU_1, "zs")
        packing = (
            f"<{prefix}:recordXMLEscaping>xml</{prefix}:recordXMLEscaping>"
            if version == "2.0"
            else f"<{prefix}:recordPacking>xml</{prefix}:recordPacking>"
        )
        schema = "info:srw/schema/1/marcxml-v1.1" if version == "2.0" else "marcxml"
        items = []
        for position, record in enumerate(records, start=1):
            data = pymarc.record_to_xml(record, namespace=True).decode("utf-8")
            items.append(
                f"<{prefix}:record><{prefix}:recordSchema>{schema}</{prefix}:recordSchema>"
                f"{packing}<{prefix}:recordData>{data}</{prefix}:recordData>"
                f"<{prefix}:recordPosition>{position}</{prefix}:recordPosition></{prefix}:record>"
            )
        records_xml = f"<{prefix}:records>{''.join(items)}</{prefix}:records>" if items else ""
        return (
            f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<{prefix}:searchRetrieveResponse xmlns:{prefix}="{ns}">'
            f"<{prefix}:version>{version}</{prefix}:version>"
            f"<{prefix}:numberOfRecords>{total}</{prefix}:numberOfRecords>"
            f"{records_xml}</{prefix}:searchRetrieveResponse>\n"
        ).encode()

    def diagnostic(self, version: str, number: int, message: str, details: str | None) -> bytes:
        ns, prefix = (SRU_2, "sruResponse") if version == "2.0" else (SRU_1, "zs")
        diag_ns = DIAG_2 if version == "2.0" else DIAG_1
        return (
            f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<{prefix}:searchRetrieveResponse xmlns:{prefix}="{ns}">'
            f"<{prefix}:version>{version}</{prefix}:version>"
            f"<{prefix}:numberOfRecords>0</{prefix}:numberOfRecords>"
            f"<{prefix}:diagnostics>"
            f'<diag:diagnostic xmlns:diag="{diag_ns}">'
            f"<diag:uri>info:srw/diagnostic/1/{number}</diag:uri>"
            f"<diag:details>{escape(details or '')}</diag:details>"
            f"<diag:message>{escape(message)}</diag:message>"
            f"</diag:diagnostic></{prefix}:diagnostics></{prefix}:searchRetrieveResponse>\n"
        ).encode()


def _handler(state: FakeSru) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            parsed = urllib.parse.urlsplit(self.path)
            params = dict(urllib.parse.parse_qsl(parsed.query, keep_blank_values=True))
            state.requests.append({**params, "_path": parsed.path})
            behaviour = state.behaviour
            if behaviour == "close":
                self.close_connection = True
                return
            if behaviour == "garbage":
                self.wfile.write(b"SRU SAYS HELLO\r\n\r\n")
                self.close_connection = True
                return
            if behaviour == "slow":
                state.release.wait(30)
            if behaviour == "http-error":
                self._send(500, b"<html><body>Internal Server Error</body></html>", "text/html")
                return
            body = {
                "malformed": b'<?xml version="1.0"?><searchRetrieveResponse><records><record>',
                "bomb": BOMB,
                "external-entity": EXTERNAL_ENTITY,
                "huge": b"<x>" + b" " * (6 * 1024 * 1024) + b"</x>",
            }.get(behaviour) or state.answer(params)
            if behaviour == "truncated":
                self.send_response(200)
                self.send_header("Content-Type", "text/xml; charset=utf-8")
                self.send_header("Content-Length", str(len(body) + 1000))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
                self.close_connection = True
                return
            self._send(200, body, "text/xml; charset=utf-8")

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that gave up (the timeout tests) is not the server's error


@pytest.fixture
def sru_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSru]:
    """A running fake SRU server; ``.url`` is its base URL, ``.add(isbn, record)`` fills it."""
    for name in ("no_proxy", "NO_PROXY"):  # a proxy set for the machine must not be asked
        monkeypatch.setenv(name, ",".join(filter(None, ["127.0.0.1", os.environ.get(name)])))
    state = FakeSru()
    server = _QuietServer(("127.0.0.1", 0), _handler(state))
    state.url = f"http://127.0.0.1:{server.server_address[1]}/sru"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, name="fake-sru", daemon=True
    )
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)
