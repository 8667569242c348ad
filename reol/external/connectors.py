"""How an external catalogue is asked: a connector per protocol, behind one small interface.

A connector gets a ``TargetSpec`` (plain values, read from the database before the search is
handed to a worker thread: the threads never touch the database) and the searcher's words, and
answers a ``Found`` or raises ``ConnectorError`` with a sentence for the page. SRU is the one
connector today (through the catalogue's SRU client); another protocol registers its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from reol.catalog import sru
from reol.catalog.extract import extract

MAX_HITS = 10


@dataclass(frozen=True)
class TargetSpec:
    pk: int
    name: str
    kind: str
    connector: str
    base_url: str
    sru_version: str
    timeout: float  # seconds


@dataclass(frozen=True)
class ExternalHit:
    title: str
    author: str
    year: int | None
    isbns: tuple[str, ...]  # ISBN-13s
    material_type: str


@dataclass
class Found:
    total: int
    hits: list[ExternalHit] = field(default_factory=list)


class ConnectorError(Exception):
    """A target gave no usable answer; the message is for the page."""


Connector = Callable[[TargetSpec, str], Found]


def sru_connector(target: TargetSpec, text: str) -> Found:
    query = f"cql.serverChoice all {sru.cql_term(text)}"
    url = sru.build_url(target.base_url, query, version=target.sru_version, maximum=MAX_HITS)
    try:
        body = sru.fetch(url, target.name, timeout=target.timeout)
        candidates = sru.parse_response(body, target.name)
    except sru.SruError as error:
        raise ConnectorError(str(error)) from error
    hits = [_hit(c) for c in candidates]
    total = sru.number_of_records(body)
    return Found(total=len(hits) if total is None else total, hits=hits)


def _hit(candidate: sru.Candidate) -> ExternalHit:
    extracted = extract(candidate.record)
    candidate.__dict__["columns"] = extracted.columns  # the cached property, filled once
    return ExternalHit(
        title=candidate.title,
        author=candidate.author,
        year=candidate.year,
        isbns=tuple(extracted.isbn13s),
        material_type=str(extracted.columns.get("material_type") or "book"),
    )


CONNECTORS: dict[str, Connector] = {"sru": sru_connector}


def register_connector(name: str, connector: Connector) -> None:
    CONNECTORS[name] = connector


def ask(target: TargetSpec, text: str) -> Found:
    connector = CONNECTORS.get(target.connector)
    if connector is None:
        raise ConnectorError(_("%(target)s: no connector for it.") % {"target": target.name})
    return connector(target, text)
