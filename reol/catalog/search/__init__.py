"""Catalogue search: the interface the rest of Reol uses. The engine behind it is Tantivy.

    search(SearchQuery(text="harry poter", municipality_id=m.pk)) -> SearchResult
    autocomplete("dino", municipality_id=m.pk) -> list[Suggestion]
    index_records([record ids])   # apply now (the indexer normally does this from the outbox)
    reindex()                     # rebuild the index from the database
    status() -> Status            # lag and counts

Nothing outside this package imports the engine. Settings: ``REOL_SEARCH_DIR`` (default
``VAR_DIR / "search"``), ``REOL_SEARCH_SYNC`` (apply the outbox in-process before each read, for
tests and development: deterministic, no indexer process needed).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path

from django.conf import settings
from django.db.models import Max, Min

from . import documents, indexer, labels, selectors
from .engine import TantivyEngine
from .schema import SCHEMA_VERSION
from .text import series_parts
from .types import (
    FACETS,
    SORTS,
    Availability,
    FacetValue,
    Hit,
    Likeness,
    SearchQuery,
    SearchResult,
    Status,
)

__all__ = [
    "FACETS",
    "SORTS",
    "Availability",
    "FacetValue",
    "Hit",
    "SearchQuery",
    "SearchResult",
    "Status",
    "Suggestion",
    "autocomplete",
    "catch_up",
    "index_records",
    "labels",
    "more_like_this",
    "reindex",
    "run",
    "search",
    "selectors",
    "series_parts",
    "status",
    "suggest",
]

_engines: dict[Path, TantivyEngine] = {}
_engines_lock = threading.Lock()


def index_path() -> Path:
    base = Path(getattr(settings, "REOL_SEARCH_DIR", None) or settings.VAR_DIR / "search")
    return base / f"v{SCHEMA_VERSION}"


def index_name() -> str:
    """The name this index's position is kept under (one per index directory)."""
    return str(getattr(settings, "REOL_SEARCH_NAME", "") or "default")


def engine() -> TantivyEngine:
    """This process's engine for the configured directory (readers reload on new commits)."""
    path = index_path()
    with _engines_lock:
        if path not in _engines:
            _engines[path] = TantivyEngine(path)
        return _engines[path]


def forget_engines() -> None:
    """Close every engine of this process (tests, and after a reindex in another process)."""
    with _engines_lock:
        for eng in _engines.values():
            eng.abandon_writer()
        _engines.clear()
    selectors.clear()


_sync_lock = threading.Lock()


def _sync() -> None:
    if getattr(settings, "REOL_SEARCH_SYNC", False):
        with _sync_lock:  # one writer: a test server answers two requests at once
            indexer.catch_up(engine(), index_name())


def search(query: SearchQuery, *, raw: bool = False) -> SearchResult:
    """Search. ``raw``: hits as their stored JSON in ``hits_json`` (for the API), not ``hits``."""
    _sync()
    return engine().search(query, raw=raw)


@dataclass
class Suggestion:
    id: int
    title: str  # "Title : Subtitle"
    contributor: str


def autocomplete(
    prefix: str,
    *,
    municipality_id: int,
    school: str | None = None,
    language: str = "da",
    limit: int = 8,
) -> list[Suggestion]:
    """Titles for the search box as the user types (the last word is a prefix).

    When nothing starts with what was typed, it is taken as a misspelling: the titles are those
    of the catalogue's own words nearest to it ("hetse" → the "heste" books), as the public
    catalogue's "did you mean" would give them.
    """
    if not prefix.strip():
        return []
    asked = SearchQuery(
        text=prefix,
        municipality_id=municipality_id,
        school=school,
        language=language,
        size=max(1, min(limit, 20)),
        facets=False,
        prefix_last=True,
    )
    hits, _correction = suggest(asked)
    return [
        Suggestion(h.id, h.full_title, h.contributors[0]["name"] if h.contributors else "")
        for h in hits
    ]


def suggest(query: SearchQuery) -> tuple[list[Hit], str | None]:
    """What a search box offers while the user types ``query`` (its last word a prefix): the
    hits, and a correction when a word is misspelt ("did you mean"). The one place for it: the
    API's autocomplete and the public catalogue's suggestions both come here.

    Only the words before the prefix are corrected, unless nothing starts with it at all
    ("hary" → "harry"); then the hits are those of the correction ("hetse" → the "heste"
    books) rather than none.
    """
    found = search(query)
    correction = found.suggestion
    if found.hits:
        return found.hits, correction
    if not correction:
        correction = search(replace(query, prefix_last=False, size=1)).suggestion
    if not correction:
        return [], None
    return search(replace(query, text=correction, prefix_last=False)).hits, correction


def more_like_this(
    record_id: int, *, municipality_id: int, school: str | None = None, size: int = 6
) -> list[Hit]:
    """Records like this one, most alike first: sharing its subjects, series, authors and age
    bands (weighed in that order); ``school``: only those with copies there."""
    _sync()
    doc = next(documents.documents([record_id]), None)
    if doc is None:
        return []
    people = doc["stored"]["contributors"]
    authors = [c["name"] for c in people if not c["relator"] or "aut" in c["relator"]]
    like = Likeness(
        id=record_id,
        municipality=municipality_id,
        subjects=doc["facets"]["subject"],
        series=series_parts(doc["series"][0])[0] if doc["series"] else "",
        authors=authors or [c["name"] for c in people[:1]],
        ages=doc["facets"]["age"],
        languages=doc["facets"]["language"],
        school=school,
    )
    return engine().similar(like, max(1, min(size, 50)))


def index_records(record_ids: list[int]) -> None:
    """Rebuild these records' documents now (the outbox normally does this)."""
    eng = engine()
    eng.replace(record_ids, indexer.documents(record_ids))
    eng.commit()


def catch_up() -> int:
    """Apply everything waiting in the outbox; returns how many rows were applied."""
    return indexer.catch_up(engine(), index_name())


def reindex(progress: indexer.Callable[[int], None] | None = None, *, wait: float = 0) -> int:
    """Rebuild from the database; ``wait``: seconds to wait for the indexer to let go."""
    return indexer.reindex(engine(), index_name(), progress=progress, wait=wait)


def run(
    interval: float = indexer.POLL_SECONDS, stop: indexer.Callable[[], bool] = lambda: False
) -> None:
    indexer.run(engine(), index_name(), interval=interval, stop=stop)


def status() -> Status:
    from reol.catalog.models import Record, SearchIndexState, SearchOutbox

    eng = engine()
    state = SearchIndexState.objects.filter(name=index_name()).first()
    applied = state.last_applied_id if state else 0
    pending = SearchOutbox.objects.filter(id__gt=applied)
    agg = pending.aggregate(oldest=Min("created_at"), newest=Max("id"))
    newest = agg["newest"] or applied
    oldest = agg["oldest"]
    exists = eng.exists()
    return Status(
        path=str(eng.path),
        exists=exists,
        stale=not exists or state is None or state.schema_version != SCHEMA_VERSION,
        documents=eng.count() if exists else 0,
        records=Record.objects.filter(merged_into__isnull=True).count(),
        last_applied_id=applied,
        newest_outbox_id=newest,
        lag=pending.count(),
        lag_seconds=(time.time() - oldest.timestamp()) if oldest else 0.0,
    )
