"""What ISO 18626 (2017; schema 1.2, unchanged on these points in 2021) requires of each message
a partner sends us, as tables, checked before any of it is acted on.

Each refusal names the standard's error type (clause "ErrorData") and a specific value:

* ``BadlyFormedMessage``: a required element is missing or empty (``missing header/timestamp``);
* ``UnsupportedActionType``: a requestingAgencyMessage's ``action`` outside the standard's list;
* ``UnsupportedReasonForMessageType``: a supplyingAgencyMessage's ``reasonForMessage`` outside
  its list;
* ``UnrecognisedDataValue``: a value of the wrong kind (a status outside the list, a date or
  timestamp that is not one, a service type outside the list), with the element's path.

Elements the tables do not name are ignored, as the standard asks of a receiver (a partner may
send ``deliveryInfo`` or its own extensions). Confirmations (the answers to our messages) are
read leniently: Reol only needs their ``messageStatus``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from xml.etree import ElementTree as ET

REASONS = frozenset(
    {
        "RequestResponse",
        "StatusRequestResponse",
        "RenewResponse",
        "CancelResponse",
        "StatusChange",
        "Notification",
    }
)
SERVICE_TYPES = frozenset({"Copy", "Loan", "CopyOrLoan"})
YES_NO = frozenset({"Y", "N"})

HEADER = (
    ("header", "supplyingAgencyId", "agencyIdType"),
    ("header", "supplyingAgencyId", "agencyIdValue"),
    ("header", "requestingAgencyId", "agencyIdType"),
    ("header", "requestingAgencyId", "agencyIdValue"),
    ("header", "timestamp"),
    ("header", "requestingAgencyRequestId"),
)
# Per message kind: the elements that must be present and not empty (paths of local names).
REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    "request": (*HEADER, ("bibliographicInfo",)),
    "supplyingAgencyMessage": (
        *HEADER,
        ("messageInfo", "reasonForMessage"),
        ("statusInfo", "status"),
        ("statusInfo", "lastChange"),
    ),
    "requestingAgencyMessage": (*HEADER, ("action",)),
}


def _date_time(value: str) -> bool:
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _one_of(allowed: frozenset[str]) -> Callable[[str], bool]:
    return lambda value: value in allowed


# Per message kind: (path, error type, test) for values that are present.
VALUES: dict[str, tuple[tuple[tuple[str, ...], str, Callable[[str], bool]], ...]] = {
    "request": (
        (("header", "timestamp"), "UnrecognisedDataValue", _date_time),
        (("serviceInfo", "serviceType"), "UnrecognisedDataValue", _one_of(SERVICE_TYPES)),
        (("serviceInfo", "needBeforeDate"), "UnrecognisedDataValue", _date_time),
    ),
    "supplyingAgencyMessage": (
        (("header", "timestamp"), "UnrecognisedDataValue", _date_time),
        (("messageInfo", "reasonForMessage"), "UnsupportedReasonForMessageType", _one_of(REASONS)),
        (("messageInfo", "answerYesNo"), "UnrecognisedDataValue", _one_of(YES_NO)),
        (("statusInfo", "lastChange"), "UnrecognisedDataValue", _date_time),
        (("statusInfo", "dueDate"), "UnrecognisedDataValue", _date_time),
        (("statusInfo", "expectedDeliveryDate"), "UnrecognisedDataValue", _date_time),
    ),
    "requestingAgencyMessage": ((("header", "timestamp"), "UnrecognisedDataValue", _date_time),),
}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _node(parent: ET.Element, path: tuple[str, ...]) -> ET.Element | None:
    node: ET.Element | None = parent
    for name in path:
        assert node is not None
        node = next((child for child in node if _local(child.tag) == name), None)
        if node is None:
            return None
    return node


def _filled(node: ET.Element | None) -> bool:
    """Present, with text or with child elements."""
    return node is not None and (bool((node.text or "").strip()) or len(node) > 0)


def problem(kind: str, body: ET.Element) -> tuple[str, str] | None:
    """The first thing the standard refuses in a message of ``kind``: (error type, value)."""
    for path in REQUIRED.get(kind, ()):
        if not _filled(_node(body, path)):
            return "BadlyFormedMessage", "missing " + "/".join(path)
    for path, error_type, fits in VALUES.get(kind, ()):
        node = _node(body, path)
        value = (node.text or "").strip() if node is not None else ""
        if value and not fits(value):
            return error_type, f"{'/'.join(path)} {value[:60]}"
    return None
