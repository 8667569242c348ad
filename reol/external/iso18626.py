"""ISO 18626 (2017, schema 1.2) on the wire: the messages Reol writes, the ones it reads, and
the one HTTP call that carries them. No database here: ``exchange`` decides what a message
means for a request.

Reading is defensive: ``defusedxml`` (no DTDs, no entities), at most ``MAX_BYTES``, and only the
elements named below are looked at; anything else in a partner's message is ignored, as the
standard asks of a receiver. The schema (XSD) is not vendored, so messages are not validated
against it: ``parse`` checks what Reol relies on (the message kind, the header's agencies and
request id, a known status) and what the standard requires of each kind of message
(``iso18626_rules``), and refuses the rest with the standard's error type and value.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

import requests
from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from reol.core import outbound

from . import iso18626_rules

NS = "http://illtransactions.org/2013/iso18626"
MAX_BYTES = 64 * 1024
CONTENT_TYPE = "application/xml; charset=utf-8"

KINDS = ("request", "supplyingAgencyMessage", "requestingAgencyMessage")
CONFIRMATIONS = {
    "request": "requestConfirmation",
    "supplyingAgencyMessage": "supplyingAgencyMessageConfirmation",
    "requestingAgencyMessage": "requestingAgencyMessageConfirmation",
}
# The supplying library's statuses (ISO 18626 table "Status").
STATUSES = frozenset(
    {
        "RequestReceived", "ExpectToSupply", "WillSupply", "Loaned", "Overdue", "Recalled",
        "RetryPossible", "Unfilled", "CopyCompleted", "LoanCompleted", "CompletedWithoutReturn",
        "Cancelled",
    }
)  # fmt: skip
ACTIONS = frozenset(
    {
        "StatusRequest",
        "Received",
        "Cancel",
        "Renew",
        "ShippedReturn",
        "ShippedForward",
        "Notification",
    }
)


class ProtocolError(Exception):
    """A message Reol cannot use; ``error_type`` is the standard's word for why."""

    def __init__(
        self, error_type: str, value: str, *, kind: str = "", header: Header | None = None
    ) -> None:
        super().__init__(f"{error_type}: {value}")
        self.error_type = error_type
        self.value = value
        self.kind = kind  # the message's kind, once known: the confirmation answers in kind
        self.header = header


@dataclass
class Header:
    supplying: str = ""  # agencyIdValue of supplyingAgencyId
    requesting: str = ""  # agencyIdValue of requestingAgencyId
    request_id: str = ""  # requestingAgencyRequestId
    supplying_request_id: str = ""


@dataclass
class Message:
    kind: str  # one of KINDS, or a confirmation's name
    header: Header
    status: str = ""  # supplyingAgencyMessage: statusInfo/status
    reason: str = ""  # messageInfo/reasonForMessage
    action: str = ""  # requestingAgencyMessage: action
    due: dt.date | None = None  # statusInfo/dueDate
    note: str = ""
    title: str = ""
    author: str = ""
    isbn: str = ""
    year: str = ""
    ok: bool = True  # a confirmation's messageStatus
    error: str = ""  # a confirmation's errorType: errorValue
    extra: dict[str, str] = field(default_factory=dict)


# --- Writing -----------------------------------------------------------------------------------


def _sub(parent: ET.Element, name: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, f"{{{NS}}}{name}")
    if text is not None:
        element.text = text
    return element


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _root() -> ET.Element:
    ET.register_namespace("", NS)
    return ET.Element(f"{{{NS}}}ISO18626Message", {f"{{{NS}}}version": "1.2"})


def _header(parent: ET.Element, name: str, header: Header) -> ET.Element:
    element = _sub(parent, name)
    for role, symbol in (
        ("supplyingAgencyId", header.supplying),
        ("requestingAgencyId", header.requesting),
    ):
        agency = _sub(element, role)
        _sub(agency, "agencyIdType", "ISIL")
        _sub(agency, "agencyIdValue", symbol)
    _sub(element, "timestamp", _now())
    _sub(element, "requestingAgencyRequestId", header.request_id)
    if header.supplying_request_id:
        _sub(element, "supplyingAgencyRequestId", header.supplying_request_id)
    return element


def _bytes(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def request(
    header: Header,
    *,
    title: str,
    author: str = "",
    isbn: str = "",
    year: str = "",
    need_before: dt.date | None = None,
) -> bytes:
    root = _root()
    body = _sub(root, "request")
    _header(body, "header", header)
    info = _sub(body, "bibliographicInfo")
    _sub(info, "title", title)
    if author:
        _sub(info, "author", author)
    if isbn:
        item_id = _sub(info, "bibliographicItemId")
        _sub(item_id, "bibliographicItemIdentifierCode", "ISBN")
        _sub(item_id, "bibliographicItemIdentifier", isbn)
    if year:
        _sub(_sub(body, "publicationInfo"), "publicationDate", year)
    service = _sub(body, "serviceInfo")
    _sub(service, "serviceType", "Loan")
    _sub(service, "serviceLevel", "Normal")
    if need_before is not None:
        _sub(service, "needBeforeDate", f"{need_before.isoformat()}T00:00:00Z")
    return _bytes(root)


def supplying_message(
    header: Header, *, status: str, reason: str = "StatusChange", due: dt.date | None = None,
    note: str = "",
) -> bytes:  # fmt: skip
    assert status in STATUSES, status
    root = _root()
    body = _sub(root, "supplyingAgencyMessage")
    _header(body, "header", header)
    info = _sub(body, "messageInfo")
    _sub(info, "reasonForMessage", reason)
    if note:
        _sub(info, "note", note)
    status_info = _sub(body, "statusInfo")
    _sub(status_info, "status", status)
    _sub(status_info, "lastChange", _now())
    if due is not None:
        _sub(status_info, "dueDate", f"{due.isoformat()}T23:59:59Z")
    return _bytes(root)


def requesting_message(header: Header, *, action: str, note: str = "") -> bytes:
    assert action in ACTIONS, action
    root = _root()
    body = _sub(root, "requestingAgencyMessage")
    _header(body, "header", header)
    _sub(body, "action", action)
    if note:
        _sub(body, "note", note)
    return _bytes(root)


def confirmation(
    kind: str, header: Header, *, error_type: str = "", error_value: str = "", reason: str = ""
) -> bytes:
    """The answer to a message of ``kind`` (OK, or ERROR with the standard's error type)."""
    root = _root()
    body = _sub(root, CONFIRMATIONS.get(kind, "requestConfirmation"))
    head = _header(body, "confirmationHeader", header)
    _sub(head, "timestampReceived", _now())
    _sub(head, "messageStatus", "ERROR" if error_type else "OK")
    if error_type:
        data = _sub(body, "errorData")
        _sub(data, "errorType", error_type)
        _sub(data, "errorValue", error_value[:200])
    if kind == "supplyingAgencyMessage" and reason:
        _sub(body, "reasonForMessage", reason)
    if kind == "requestingAgencyMessage" and reason:
        _sub(body, "action", reason)
    return _bytes(root)


# --- Reading -----------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _find(parent: ET.Element | None, *path: str) -> ET.Element | None:
    """The first descendant along ``path`` of local names (namespace-blind: partners differ)."""
    node = parent
    for name in path:
        if node is None:
            return None
        node = next((child for child in node if _local(child.tag) == name), None)
    return node


def _text(parent: ET.Element | None, *path: str, limit: int = 500) -> str:
    node = _find(parent, *path)
    return (node.text or "").strip()[:limit] if node is not None else ""


def _date(value: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError as error:
        raise ProtocolError("UnrecognisedDataValue", f"dueDate {value[:40]}") from error


def parse(raw: bytes) -> Message:
    """Read one ISO 18626 message (a request, either agency's message, or a confirmation)."""
    if len(raw) > MAX_BYTES:
        raise ProtocolError("BadlyFormedMessage", f"larger than {MAX_BYTES} bytes")
    try:
        root = SafeET.fromstring(raw, forbid_dtd=True)
    except (SafeET.ParseError, DefusedXmlException, ValueError) as error:
        raise ProtocolError("BadlyFormedMessage", str(error)[:200]) from error
    if _local(root.tag) != "ISO18626Message" or len(root) != 1:
        raise ProtocolError("BadlyFormedMessage", "not one ISO18626Message")
    body = root[0]
    kind = _local(body.tag)
    if kind not in KINDS and kind not in CONFIRMATIONS.values():
        raise ProtocolError("UnsupportedActionType", kind[:60])
    head = _find(body, "confirmationHeader" if kind.endswith("Confirmation") else "header")
    if head is None:
        answer_as = "" if kind.endswith("Confirmation") else kind
        raise ProtocolError("BadlyFormedMessage", "missing header", kind=answer_as)
    header = Header(
        supplying=_text(head, "supplyingAgencyId", "agencyIdValue", limit=64),
        requesting=_text(head, "requestingAgencyId", "agencyIdValue", limit=64),
        request_id=_text(head, "requestingAgencyRequestId", limit=64),
        supplying_request_id=_text(head, "supplyingAgencyRequestId", limit=64),
    )
    message = Message(kind=kind, header=header)
    if kind.endswith("Confirmation"):
        message.ok = _text(head, "messageStatus") == "OK"
        data = _find(body, "errorData")
        if data is not None:
            message.error = f"{_text(data, 'errorType')}: {_text(data, 'errorValue')}"
        return message
    found = iso18626_rules.problem(kind, body)
    if found is not None:
        raise ProtocolError(*found, kind=kind, header=header)
    try:
        _read_body(message, body)
    except ProtocolError as error:
        error.kind, error.header = kind, header
        raise
    return message


def _read_body(message: Message, body: ET.Element) -> None:
    if message.kind == "request":
        message.title = _text(body, "bibliographicInfo", "title")
        message.author = _text(body, "bibliographicInfo", "author", limit=255)
        item_id = _find(body, "bibliographicInfo", "bibliographicItemId")
        if _text(item_id, "bibliographicItemIdentifierCode").upper() == "ISBN":
            message.isbn = _text(item_id, "bibliographicItemIdentifier", limit=20)
        message.year = _text(body, "publicationInfo", "publicationDate", limit=10)
        if not message.title:
            raise ProtocolError("BadlyFormedMessage", "request without a title")
    elif message.kind == "supplyingAgencyMessage":
        message.reason = _text(body, "messageInfo", "reasonForMessage", limit=60)
        message.note = _text(body, "messageInfo", "note")
        message.status = _text(body, "statusInfo", "status", limit=60)
        if message.status not in STATUSES:
            raise ProtocolError("UnrecognisedDataValue", f"status {message.status[:60]}")
        message.due = _date(_text(body, "statusInfo", "dueDate", limit=40))
    else:
        message.action = _text(body, "action", limit=60)
        message.note = _text(body, "note")
        if message.action not in ACTIONS:
            raise ProtocolError("UnsupportedActionType", message.action[:60])


# --- Carrying ----------------------------------------------------------------------------------


class PartnerUnreachable(Exception):
    """No usable answer. ``transient``: the partner is down or busy (no connection, a time-out,
    HTTP 5xx or 429), so the same message may be sent again later."""

    def __init__(self, message: str, *, transient: bool = True) -> None:
        super().__init__(message)
        self.transient = transient


def _transient(status: int) -> bool:
    return status >= 500 or status == 429


def post(url: str, token: str, body: bytes, *, timeout_ms: int) -> Message:
    """POST one message to a partner and read its confirmation (bounded: time and size)."""
    headers = {"Content-Type": CONTENT_TYPE, "Accept": "application/xml"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        outbound.check(url)  # not the machine's own services, nor a cloud's metadata
    except outbound.Refused as error:
        raise PartnerUnreachable(str(error)[:200], transient=False) from error
    try:
        with requests.post(
            url,
            data=body,
            headers=headers,
            timeout=timeout_ms / 1000,
            stream=True,
            allow_redirects=False,  # a public address may not send us on to a refused one
        ) as response:
            raw = response.raw.read(MAX_BYTES + 1, decode_content=True)
            status = response.status_code
    except requests.RequestException as error:
        raise PartnerUnreachable(str(error)[:200]) from error
    if _transient(status):
        raise PartnerUnreachable(f"HTTP {status}")
    try:
        answer = parse(raw)
    except ProtocolError as error:
        raise PartnerUnreachable(f"HTTP {status}: {error}", transient=False) from error
    if not answer.kind.endswith("Confirmation"):
        raise PartnerUnreachable(f"HTTP {status}: answered with {answer.kind}", transient=False)
    return answer
