"""Counting a result's facets with Tantivy's aggregations, the costly ones in a second thread
when that saves time (Tantivy lets go of the GIL while it counts).
"""

from __future__ import annotations

from collections.abc import Collection
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import tantivy
from tantivy import Query

from .schema import FACET_FIELDS
from .types import (
    AGE_BUCKETS,
    FACETS,
    LIX_BUCKETS,
    YEAR_BUCKETS,
    FacetValue,
)

# What each facet costs to count, relative to one another (1,000,000 records, a word in 206,017
# of them: subject 10 ms, age 6, available 4, year 2, ...). Facets are counted in two halves of
# about equal cost, one of them in a second thread: Tantivy lets go of the GIL while it counts.
FACET_COST = {
    "subject": 10,
    "age": 6,
    "available": 4,
    "year": 2,
    "reading_level": 2,
    "material_type": 1,
    "language": 1,
    "school": 1,
}
PARALLEL_FACETS_FROM = 8  # below this total cost, a second thread costs more than it saves
_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="search-facets")


def facets(
    searcher: tantivy.Searcher, query: Query, wanted: Collection[str] = FACETS
) -> dict[str, list[FacetValue]]:
    by_cost = [f for f in FACET_COST if f in wanted]  # costliest first
    if sum(FACET_COST[f] for f in by_cost) < PARALLEL_FACETS_FROM:
        return count_facets(searcher, query, wanted)
    halves: tuple[list[str], list[str]] = ([], [])
    for facet in by_cost:  # each to the cheaper half so far
        cost = [sum(FACET_COST[f] for f in half) for half in halves]
        halves[cost.index(min(cost))].append(facet)
    other = _pool.submit(count_facets, searcher, query, halves[1])
    facets = count_facets(searcher, query, halves[0])
    facets.update(other.result())
    return {f: facets[f] for f in FACETS if f in facets}


def count_facets(
    searcher: tantivy.Searcher, query: Query, wanted: Collection[str]
) -> dict[str, list[FacetValue]]:
    aggs: dict[str, Any] = {
        facet: {"terms": {"field": name, "size": 30 if facet == "subject" else 50}}
        for facet, name in FACET_FIELDS.items()
        if facet in wanted
    }
    if "year" in wanted:
        aggs["year"] = {
            "range": {
                "field": "year",
                "ranges": [
                    {"key": k, "from": lo, "to": hi} for k, (lo, hi) in YEAR_BUCKETS.items()
                ],
            }
        }
    if not aggs:
        return {}
    raw = searcher.aggregate(query, aggs)
    facets: dict[str, list[FacetValue]] = {}
    for facet, result in raw.items():
        buckets = result.get("buckets", [])
        values = [FacetValue(str(b["key"]), int(b["doc_count"])) for b in buckets if b["doc_count"]]
        if facet == "age":
            order = list(AGE_BUCKETS)
            values.sort(key=lambda v: order.index(v.value) if v.value in order else 99)
        elif facet == "reading_level":
            order = list(LIX_BUCKETS)
            values.sort(key=lambda v: order.index(v.value) if v.value in order else 99)
        facets[facet] = values
    return facets


def facet_names(wanted: bool | Collection[str]) -> tuple[str, ...]:
    """``SearchQuery.facets`` as facet names: True is all of them, False none."""
    if wanted is True:
        return FACETS
    if wanted is False:
        return ()
    return tuple(f for f in FACETS if f in wanted)
