"""An SRU client (1.1, 1.2 and 2.0) for copy-cataloguing: find a record by ISBN elsewhere.

Only ``searchRetrieve`` with a CQL query and the MARCXML record schema; responses are parsed
with defusedxml. Diagnostics from the server become ``SruError`` with the server's message.
"""

from __future__ import annotations

import http.client
import logging
import urllib.parse
import urllib.request
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any
from xml.etree.ElementTree import Element

import pymarc
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.utils.translation import gettext as _
from stdnum import isbn as stdisbn

from reol.core import outbound

from . import marc as marcio
from .extract import extract

if TYPE_CHECKING:
    from .models import SruTarget

TIMEOUT_SECONDS = 8
MAX_RESPONSE_BYTES = 5 * 1024 * 1024

log = logging.getLogger(__name__)


class SruError(Exception):
    """A search that gave no usable answer; the message is translated, for the cataloguer.

    ``reached`` is False when the target could not be reached at all (no connection, no HTTP
    answer, a connection closed half-way): then nothing is known about whether it has the
    record. ``detail`` is the technical cause, for the log."""

    def __init__(self, message: str, *, reached: bool = True, detail: str = "") -> None:
        super().__init__(message)
        self.reached, self.detail = reached, detail


@dataclass
class Candidate:
    """A record found elsewhere, shown as our own columns show it: without the ISBD
    punctuation MARC carries ("Blueberry girl /" is "Blueberry girl", "c2009." is 2009)."""

    target: str
    record: pymarc.Record

    @cached_property
    def columns(self) -> dict[str, Any]:
        return extract(self.record).columns

    @property
    def title(self) -> str:
        return str(self.columns["title"])

    @property
    def subtitle(self) -> str:
        return str(self.columns["subtitle"])

    @property
    def author(self) -> str:
        people = self.columns["contributors"]
        return people[0]["name"] if people else str(self.columns["responsibility"])

    @property
    def year(self) -> int | None:
        year: int | None = self.columns["year"]
        return year


def isbn_forms(isbn13: str) -> list[str]:
    """The forms a target may have filed a book's number under: the ISBN-13, then (for a
    978 ISBN) the ISBN-10 printed in books before 2007. Many targets index only one."""
    if isbn13.startswith("978"):
        return [isbn13, str(stdisbn.to_isbn10(isbn13))]
    return [isbn13]


def lookup(
    targets: list[SruTarget], number: str, *, serial: bool = False, maximum: int = 5
) -> tuple[list[Candidate], list[str], list[SruTarget]]:
    """Ask every target in turn, for each form of the number (ISBN-13, then ISBN-10; or the
    ISSN of a serial) until one finds it: the candidates, each failure (a translated message:
    "Could not reach …"), and the targets that answered (only they can say "not found").
    Add by ISBN and acquisitions' look-up of a suggested or ordered title both ask this way."""
    candidates: list[Candidate] = []
    failures: list[str] = []
    answered: list[SruTarget] = []
    for target in targets:
        index = issn_index(target.isbn_index) if serial else target.isbn_index
        forms = [number] if serial else isbn_forms(number)
        try:
            for form in forms:
                found = search(
                    target.base_url,
                    f"{index}={cql_term(form)}",
                    version=target.version,
                    schema=target.record_schema,
                    target=target.name,
                    maximum=maximum,
                )
                if found:
                    candidates += found
                    break
        except SruError as error:
            failures.append(str(error))
        else:
            answered.append(target)
    return candidates, failures, answered


# another library's copies and numbers are not ours: dropped when a found record is copied
NOT_OURS = ("952", "852", "876", "001", "003", "005")


def as_ours(record: pymarc.Record) -> pymarc.Record:
    """A found record ready to become one of ours: without the other library's copies and
    numbers (``NOT_OURS``). Changes ``record`` and returns it."""
    for field in record.get_fields(*NOT_OURS):
        record.remove_field(field)
    return record


def issn_index(isbn_index: str) -> str:
    """The index a target searches ISSNs in, beside the ISBN index it was set up with."""
    if isbn_index.endswith(".isbn"):
        return isbn_index[: -len("isbn")] + "issn"
    return "issn" if isbn_index == "isbn" else isbn_index  # dc./rec.identifier hold both


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
    timeout: float | None = None,
) -> list[Candidate]:
    """``timeout`` (seconds) bounds each wait on the socket; by default ``TIMEOUT_SECONDS``."""
    url = build_url(base_url, query, version=version, schema=schema, maximum=maximum)
    name = target or base_url
    return parse_response(fetch(url, name, timeout=timeout), name)


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects are followed (http → https is common), each new address checked first."""

    def redirect_request(
        self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> Any:
        outbound.check(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(url: str, name: str, *, timeout: float | None = None) -> bytes:
    """The body of a searchRetrieve answer, or ``SruError`` saying why there is none."""
    if not url.startswith(("http://", "https://")):
        raise SruError(
            _("Could not reach %(target)s: its address must start with http:// or https://.")
            % {"target": name},
            reached=False,
        )
    headers = {"Accept": "application/xml", "User-Agent": "Reol"}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - http(s) checked above
    opener = urllib.request.build_opener(_CheckedRedirects)
    try:
        outbound.check(url)  # a target at the server itself or a cloud's metadata: never
        with opener.open(request, timeout=timeout or TIMEOUT_SECONDS) as response:
            body = response.read(MAX_RESPONSE_BYTES + 1)
            cut_off = bool(getattr(response, "length", None))  # bytes promised, never sent
    except (OSError, http.client.HTTPException, outbound.Refused) as error:  # no answer
        log.warning("SRU target %s (%s) did not answer: %s", name, url.split("?")[0], error)
        raise SruError(
            _("Could not reach %(target)s.") % {"target": name},
            reached=False,
            detail=str(error),
        ) from error
    if len(body) > MAX_RESPONSE_BYTES:
        raise SruError(_("%(target)s sent more than 5 MB.") % {"target": name})
    if cut_off:
        log.warning("SRU target %s (%s) closed the connection half-way", name, url.split("?")[0])
        raise SruError(
            _("Could not reach %(target)s: the connection closed before the whole answer came.")
            % {"target": name},
            reached=False,
        )
    return body


def number_of_records(body: bytes) -> int | None:
    """The total a searchRetrieve answer reports (``numberOfRecords``), if it says one."""
    try:
        root = fromstring(body, forbid_dtd=True)
    except (DefusedXmlException, SyntaxError):
        return None
    found = _find_all(root, "numberOfRecords")
    text = (found[0].text or "").strip() if found else ""
    return int(text) if text.isdigit() else None


def parse_response(body: bytes, target: str) -> list[Candidate]:
    try:
        root = fromstring(body, forbid_dtd=True)
    except (DefusedXmlException, SyntaxError) as error:
        raise SruError(
            _("%(target)s sent an answer that is not safe, well-formed XML.") % {"target": target}
        ) from error
    diagnostics = _find_all(root, "diagnostic")
    records = _find_all(root, "recordData")
    if diagnostics and not records:
        messages = []
        for d in diagnostics:
            parts = {_local(c.tag): (c.text or "").strip() for c in d}
            messages.append(parts.get("message") or parts.get("details") or parts.get("uri", "?"))
        raise SruError(
            _("%(target)s answered with an error: %(messages)s")
            % {"target": target, "messages": "; ".join(messages)}
        )
    candidates = []
    for data in records:
        marc_elements = [e for e in data.iter() if _local(e.tag) == "record"]
        if not marc_elements:
            continue
        result = marcio.record_from_element(1, "sru", marc_elements[0])
        if result.record is not None:
            candidates.append(Candidate(target, result.record))
    return candidates
