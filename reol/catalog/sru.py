"""An SRU client (1.1, 1.2 and 2.0) for copy-cataloguing: find a record by ISBN elsewhere.

Only ``searchRetrieve`` with a CQL query and the MARCXML record schema; responses are parsed
with defusedxml. Diagnostics from the server become ``SruError`` with the server's message.
"""

from __future__ import annotations

import http.client
import urllib.parse
import urllib.request
from dataclasses import dataclass
from xml.etree.ElementTree import Element

import pymarc
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from . import marc as marcio

TIMEOUT_SECONDS = 8
MAX_RESPONSE_BYTES = 5 * 1024 * 1024


class SruError(Exception):
    pass


@dataclass
class Candidate:
    target: str
    record: pymarc.Record

    @property
    def title(self) -> str:
        return self.record.title or ""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _find_all(element: Element, name: str) -> list[Element]:
    return [e for e in element.iter() if _local(e.tag) == name]


def build_url(
    base_url: str, query: str, *, version: str = "1.2", schema: str = "marcxml", maximum: int = 10
) -> str:
    params = {
        "operation": "searchRetrieve",
        "version": version,
        "query": query,
        "maximumRecords": str(maximum),
        "recordSchema": schema,
    }
    if version in ("1.1", "1.2"):
        params["recordPacking"] = "xml"
    separator = "&" if "?" in base_url else "?"
    return f"{base_url}{separator}{urllib.parse.urlencode(params)}"


def cql_term(value: str) -> str:
    """Quote a term for CQL so that user input cannot change the query."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def search(
    base_url: str,
    query: str,
    *,
    version: str = "1.2",
    schema: str = "marcxml",
    target: str = "",
    maximum: int = 10,
) -> list[Candidate]:
    url = build_url(base_url, query, version=version, schema=schema, maximum=maximum)
    if not url.startswith(("http://", "https://")):
        raise SruError("the SRU address must start with http:// or https://")
    headers = {"Accept": "application/xml", "User-Agent": "Reol"}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - http(s) checked above
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            body = response.read(MAX_RESPONSE_BYTES + 1)
            cut_off = bool(getattr(response, "length", None))  # bytes promised, never sent
    except (OSError, http.client.HTTPException) as error:  # no answer, or not HTTP
        raise SruError(f"{target or base_url} did not answer: {error}") from error
    if len(body) > MAX_RESPONSE_BYTES:
        raise SruError(f"{target or base_url} sent more than 5 MB")
    if cut_off:
        raise SruError(f"{target or base_url} did not answer in full: the connection closed")
    return parse_response(body, target or base_url)


def parse_response(body: bytes, target: str) -> list[Candidate]:
    try:
        root = fromstring(body, forbid_dtd=True)
    except (DefusedXmlException, SyntaxError) as error:
        raise SruError(f"{target} sent a response that is not safe, well-formed XML") from error
    diagnostics = _find_all(root, "diagnostic")
    records = _find_all(root, "recordData")
    if diagnostics and not records:
        messages = []
        for d in diagnostics:
            parts = {_local(c.tag): (c.text or "").strip() for c in d}
            messages.append(parts.get("message") or parts.get("details") or parts.get("uri", "?"))
        raise SruError(f"{target}: " + "; ".join(messages))
    candidates = []
    for data in records:
        marc_elements = [e for e in data.iter() if _local(e.tag) == "record"]
        if not marc_elements:
            continue
        result = marcio.record_from_element(1, "sru", marc_elements[0])
        if result.record is not None:
            candidates.append(Candidate(target, result.record))
    return candidates
