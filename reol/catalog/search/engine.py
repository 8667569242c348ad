"""The Tantivy engine: schema, analyzers, query building, facets. The only module that imports
``tantivy``; everything else talks to it through ``reol.catalog.search``.

One index directory holds every municipality's records (each query is filtered by
municipality). Text is indexed twice: unstemmed (for exact words, phrases, prefixes and fuzzy
terms) and stemmed by the record's language (Snowball da/nb/en) for inflected forms.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Collection, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import tantivy
from tantivy import Document, Filter, Index, Occur, Order, Query, TextAnalyzerBuilder, Tokenizer

from . import text as txt
from .types import (
    AGE_BUCKETS,
    FACETS,
    LIX_BUCKETS,
    SORTS,
    STEM_LANGUAGES,
    YEAR_BUCKETS,
    FacetValue,
    Hit,
    Likeness,
    SearchQuery,
    SearchResult,
)

# 2: a hit's stored JSON is the API's hit as it is; vocabulary apart.
# 3: title and subtitle stored apart; contributors keep their relator codes; no year is absent
#    (not 0, which the year ranges counted as a bogus "*-1" bucket).
SCHEMA_VERSION = 3
MAX_WINDOW = 10_000  # deepest result a page may reach (offset + size)
MAX_GROUPS = 24  # words and phrases a query is searched for (content words first)
ENOUGH = 5  # a stage that leaves words out and finds fewer records goes on to leave out more
FUZZ_ALL_UP_TO = 3  # words in a query whose every word is fuzzed when words are left out
COMMON_SHARE = 3  # a word in more than 1/3 of the records is common (see _rare)

_SNOWBALL = {"da": "danish", "nb": "norwegian", "en": "english"}
PLAIN_TOKENIZER = "reol_plain"

# Field weights: title > contributor > subject/series > summary (> hidden helper words).
PLAIN_WEIGHTS = {
    "title": 4.0,
    "contributor": 3.0,
    "subject": 2.0,
    "series": 2.0,
    "summary": 1.0,
    "extra": 0.6,
}
STEMMED_WEIGHTS = {"title": 3.5, "subject": 1.8, "summary": 0.9}
FUZZY_FIELDS = ("title", "contributor", "subject", "series")
PREFIX_FIELDS = ("title", "contributor", "series", "subject")
FIELD_TARGETS = {
    "title": ("title",),
    "author": ("contributor",),
    "subject": ("subject",),
    "series": ("series",),
}
FACET_FIELDS = {
    "material_type": "f_type",
    "language": "f_lang",
    "age": "f_age",
    "reading_level": "f_lix",
    "school": "f_school",
    "available": "f_avail",
    "subject": "f_subject",
}
ANY_SCHOOL = "*"  # f_avail value: available at some school
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
_facet_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="search-facets")

# Stop words: the Snowball project's lists of the user's language (Tantivy's stop word filter
# holds them), and these, the commonest of all three languages, whatever the language chosen
# ("the hobbit" in the Danish catalogue). A stop word never makes a record match on its own: it
# only ranks the records that match the other words.
_STOPWORD_TEXT = (
    "og i på for til af av med en et ei de den det der som er at om fra har "
    "the of and a an in on to with at by is or"
)
_STOPWORDS = frozenset(txt.fold(w) for w in _STOPWORD_TEXT.split())
_SAFE_TERM = re.compile(r"^[a-z0-9]+$")
_WORDS = re.compile(r"\w+")


def _analyzer(language: str | None) -> tantivy.TextAnalyzer:
    builder = (
        TextAnalyzerBuilder(Tokenizer.simple())
        .filter(Filter.remove_long(60))
        .filter(Filter.lowercase())
        .filter(Filter.ascii_fold())
    )
    if language:
        builder = builder.filter(Filter.stemmer(_SNOWBALL[language]))
    return builder.build()


def _stop_filter(language: str) -> tantivy.TextAnalyzer:
    """An analyzer that drops the language's stop words (and keeps every other word)."""
    return (
        TextAnalyzerBuilder(Tokenizer.simple())
        .filter(Filter.lowercase())
        .filter(Filter.stopword(_SNOWBALL[language]))
        .build()
    )


def _stem_tokenizer(language: str) -> str:
    return f"reol_stem_{language}"


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_integer_field("id", stored=True, indexed=True, fast=True)
    sb.add_integer_field("municipality", indexed=True, fast=True)
    for name in PLAIN_WEIGHTS:
        sb.add_text_field(name, tokenizer_name=PLAIN_TOKENIZER)
    for name in STEMMED_WEIGHTS:
        for lang in STEM_LANGUAGES:
            sb.add_text_field(f"{name}_{lang}", tokenizer_name=_stem_tokenizer(lang))
    sb.add_text_field("isbn", tokenizer_name="raw", index_option="basic")
    for name in FACET_FIELDS.values():
        sb.add_text_field(name, tokenizer_name="raw", fast=True, index_option="basic")
    sb.add_integer_field("year", indexed=True, fast=True)
    sb.add_unsigned_field("sort_title", fast=True)
    sb.add_bytes_field("doc", stored=True)  # the hit as the API returns it (JSON)
    sb.add_bytes_field("vocab", stored=True)  # its words for "did you mean" (JSON list)
    return sb.build()


class TantivyEngine:
    """One index directory: a reader for every process, a writer for the indexer only."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.schema = build_schema()
        self.plain = _analyzer(None)
        self.stemmers = {lang: _analyzer(lang) for lang in STEM_LANGUAGES}
        self.stop_filters = {lang: _stop_filter(lang) for lang in STEM_LANGUAGES}
        self.lower = TextAnalyzerBuilder(Tokenizer.simple()).filter(Filter.lowercase()).build()
        self._index: Index | None = None
        self._writer: tantivy.IndexWriter | None = None
        self._lock = threading.Lock()
        self._writer_lock = threading.Lock()
        self._meta = os.path.join(path, "meta.json")
        self._meta_seen: tuple[int, int] | str | None = "not yet"
        self._searcher: tantivy.Searcher | None = None
        self.last_query: Query | None = None

    # --- opening ---------------------------------------------------------------------------

    def exists(self) -> bool:
        return (self.path / "meta.json").exists()

    @property
    def index(self) -> Index:
        if self._index is None:
            with self._lock:
                if self._index is None:
                    self.path.mkdir(parents=True, exist_ok=True)
                    index = Index(self.schema, path=str(self.path), reuse=True)
                    index.register_tokenizer(PLAIN_TOKENIZER, self.plain)
                    for lang, analyzer in self.stemmers.items():
                        index.register_tokenizer(_stem_tokenizer(lang), analyzer)
                    self._index = index
        return self._index

    def writer(self, *, heap_mb: int = 64, threads: int = 1) -> tantivy.IndexWriter:
        """The writer (taking the directory's lock: fails if another process writes)."""
        index = self.index
        with self._writer_lock:  # two threads of one process (a test server) share the writer
            if self._writer is None:
                self._writer = index.writer(heap_size=heap_mb * 1_000_000, num_threads=threads)
            return self._writer

    def close_writer(self) -> None:
        if self._writer is not None:
            self._writer.wait_merging_threads()
            self._writer = None

    def abandon_writer(self) -> None:
        """Drop the writer without committing (what a crash does)."""
        if self._writer is not None:
            self._writer.rollback()
            self._writer = None

    def searcher(self) -> tantivy.Searcher:
        """The current searcher, kept until the index changes.

        Tantivy's own reader notices another process's commit only by polling ``meta.json``
        every 500 ms; one ``stat`` per search (~1 µs) notices it at once, so a change is
        searchable in every web worker as soon as the indexer has committed it.
        """
        index = self.index
        try:
            stat = os.stat(self._meta)
            seen: tuple[int, int] | str | None = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            seen = None
        searcher = self._searcher
        if searcher is None or seen != self._meta_seen:
            if seen != self._meta_seen:
                index.reload()
            self._meta_seen = seen
            searcher = self._searcher = index.searcher()
        return searcher

    # --- writing ---------------------------------------------------------------------------

    def replace(self, delete_ids: Iterable[int], docs: Iterable[dict[str, Any]]) -> None:
        """Delete the given record ids, then add the documents (idempotent); not committed."""
        writer = self.writer()
        for pk in delete_ids:
            writer.delete_documents_by_term("id", pk)
        for doc in docs:
            writer.add_document(self._document(doc))

    def commit(self) -> None:
        if self._writer is not None:
            self._writer.commit()
        self.index.reload()
        self._searcher = None

    def delete_all(self) -> None:
        self.writer().delete_all_documents()

    def _document(self, doc: dict[str, Any]) -> Document:
        d = Document()
        d.add_integer("id", doc["id"])
        d.add_integer("municipality", doc["municipality"])
        for name in PLAIN_WEIGHTS:
            for value in doc.get(name, ()):
                d.add_text(name, txt.fold(value))
        for name in STEMMED_WEIGHTS:
            for lang in doc["stem_languages"]:
                for value in doc.get(name, ()):
                    d.add_text(f"{name}_{lang}", txt.fold(value))
        for isbn in doc["isbns"]:
            d.add_text("isbn", isbn)
        for facet, name in FACET_FIELDS.items():
            for value in doc["facets"].get(facet, ()):
                d.add_text(name, value)
        if doc.get("year"):  # no year is no value: not in any year range, last by "newest"
            d.add_integer("year", doc["year"])
        d.add_unsigned("sort_title", txt.sort_key(doc["sort_title"]))
        stored = dict(doc["stored"])
        vocabulary = stored.pop("vocabulary", [])
        d.add_bytes("doc", json.dumps(stored, ensure_ascii=False, separators=(",", ":")).encode())
        d.add_bytes("vocab", json.dumps(vocabulary, ensure_ascii=False).encode())
        return d

    # --- reading ---------------------------------------------------------------------------

    def count(self) -> int:
        return int(self.searcher().num_docs)

    def ids(self) -> set[int]:
        searcher = self.searcher()
        found = searcher.search(Query.all_query(), limit=max(1, searcher.num_docs))
        return {int(searcher.doc(addr).get_first("id") or 0) for _score, addr in found.hits}

    def stored(self, record_id: int) -> dict[str, Any] | None:
        searcher = self.searcher()
        found = searcher.search(Query.term_query(self.schema, "id", record_id), limit=1)
        if not found.hits:
            return None
        doc = searcher.doc(found.hits[0][1])
        return {**_load(doc), "vocabulary": _vocabulary(doc)}

    def search(self, query: SearchQuery, *, raw: bool = False) -> SearchResult:
        """Run a query. With ``raw``, the hits come as their stored JSON (``hits_json``, for the
        API to pass on without decoding) instead of ``Hit`` objects."""
        searcher = self.searcher()
        parsed = txt.parse(query.text, prefix_last=query.prefix_last)
        lang = query.language if query.language in STEM_LANGUAGES else STEM_LANGUAGES[0]
        filters = self._filters(query)
        groups = self._groups(searcher, parsed, lang)
        if query.exact:
            for group in groups:
                group.unknown, group.misspelled = False, []
        if query.text.strip() and not any(not g.clause.negated for g in groups):
            # Something was typed but nothing in it is searchable ("***", "AND OR NOT").
            return SearchResult(total=0, hits=[], page=max(query.page, 1), size=query.size)
        unknown = [g for g in groups if g.misspelled]
        # Stage 1: every word must match (fuzzy only for words the catalogue doesn't know);
        # stage 2: fuzzy for every word.
        # A sentence's words spelled right are not fuzzed (each fuzzy word costs ~1 ms a stage).
        rare = self._rare(searcher, groups)
        fuzz = rare <= FUZZ_ALL_UP_TO
        attempts: list[tuple[bool, int]] = [(False, 0)]
        if query.exact:
            pass  # a protocol's query: no typo tolerance, no fewer words
        else:
            if fuzz and any(g.fuzzable and not g.unknown for g in groups):
                attempts.append((True, 0))
            # Stage 3: then fewer words, down to any one of them (a sentence's words, ranked by
            # how many of them a record has), until enough records are found.
            attempts += [(fuzz, rare - needed) for needed in _fewer(rare)]
        result_query = filters_query = self._combine(filters, [])
        total = 0
        hits: list[tuple[float, Any]] = []
        sort = query.sort if query.sort in SORTS else "relevance"
        size = max(1, min(query.size, 100))
        offset = max(0, (max(query.page, 1) - 1) * size)
        for fuzzy_all, slack in attempts:
            clauses = [g.query(self, fuzzy_all) for g in groups]
            result_query = self._combine(
                filters, clauses, [g for g in groups], slack=slack, filters_only=filters_query
            )
            limit = size if offset + size <= MAX_WINDOW else 0
            found = self._run(searcher, result_query, sort, limit, offset)
            total, hits = found
            if total and (not slack or total >= ENOUGH or slack == attempts[-1][1]):
                break
        self.last_query = result_query  # the query that answered (the benchmark re-runs it bare)
        docs = [searcher.doc(addr) for _score, addr in hits]
        result = SearchResult(total=total, hits=[], page=max(query.page, 1), size=size)
        if raw:
            result.hits_json = [bytes(doc.get_first("doc") or b"{}") for doc in docs]
        else:
            result.hits = [Hit.from_stored(_load(doc)) for doc in docs]
        wanted = _facet_names(query.facets)
        if wanted:
            result.facets = self._facets(searcher, result_query, wanted) if total else {}
        if unknown:
            # When the answer leaves words out (a sentence), a correction comes only from the
            # records found: a word spelled right that the catalogue lacks ("gerne") is not
            # turned into some record's nearest word ("Gerner").
            further = slack == 0 or not total
            result.suggestion = self._suggest(
                searcher, parsed, unknown, filters, docs[:10], look_further=further
            )
        return result

    def _rare(self, searcher: tantivy.Searcher, groups: list[_Group]) -> int:
        """How many required words are not common; marks the common ones.

        A word in more than a third of all records ("bog": every book has it among its hidden
        words) says little in a sentence: when words are left out it only ranks, as a stop
        word does, so "en bog om heste og dinosaurer" never finds every book.
        """
        required = [g for g in groups if g.required]
        share = searcher.num_docs / COMMON_SHARE
        for group in required:
            group.common = (
                not group.phrase
                and not group.isbn
                and bool(group.tokens)
                and any(searcher.doc_freq(f, group.tokens[0]) > share for f in group.plain_fields())
            )
        if all(g.common for g in required):
            for group in required:
                group.common = False
        return len([g for g in required if not g.common])

    def similar(self, like: Likeness, size: int) -> list[Hit]:
        """Records like ``like.id``, ranked by what they share with it: each subject, the
        series, each author, each age band (and, least, the language); never by title."""
        searcher = self.searcher()
        kinship: list[Query] = []  # a record must share one of these
        for subject in like.subjects[:8]:
            kinship.append(Query.const_score_query(self._term("f_subject", subject), 3.0))
        if like.series:
            kinship.append(Query.const_score_query(self._words("series", like.series), 4.0))
        for name in like.authors[:3]:
            kinship.append(Query.const_score_query(self._words("contributor", name), 2.0))
        if not kinship:
            return []
        nearer = [Query.const_score_query(self._term("f_age", band), 1.0) for band in like.ages]
        nearer += [Query.const_score_query(self._term("f_lang", c), 0.5) for c in like.languages]
        subqueries = [
            (Occur.Must, Query.const_score_query(self._term("municipality", like.municipality), 0)),
            (Occur.MustNot, self._term("id", like.id)),
            (Occur.Must, Query.boolean_query([(Occur.Should, q) for q in kinship])),
            *((Occur.Should, q) for q in nearer),
        ]
        if like.school:
            subqueries.append((Occur.Must, self._term("f_school", like.school)))
        found = searcher.search(Query.boolean_query(subqueries), limit=max(1, size))
        return [Hit.from_stored(_load(searcher.doc(addr))) for _score, addr in found.hits]

    def _words(self, field: str, text: str) -> Query:
        """All of ``text``'s words in ``field``, in order (a name, a series)."""
        tokens = self.plain.analyze(txt.fold(text))[:16] or [""]
        if len(tokens) == 1:
            return self._term(field, tokens[0])
        return Query.phrase_query(self.schema, field, list[str | tuple[int, str]](tokens))

    def _run(
        self, searcher: tantivy.Searcher, query: Query, sort: str, limit: int, offset: int
    ) -> tuple[int, list[tuple[float, Any]]]:
        if limit == 0:
            found = searcher.search(query, limit=1, count=True)
            return int(getattr(found, "count", 0) or 0), []
        if sort == "title":
            found = searcher.search(
                query, limit=limit, offset=offset, order_by_field="sort_title", order=Order.Asc
            )
        elif sort == "newest":
            found = searcher.search(
                query, limit=limit, offset=offset, order_by_field="year", order=Order.Desc
            )
        else:
            found = searcher.search(query, limit=limit, offset=offset)
        return int(getattr(found, "count", 0) or 0), list(found.hits)

    # --- query building ----------------------------------------------------------------------

    def _term(self, field: str, value: Any) -> Query:
        return Query.term_query(self.schema, field, value, index_option="basic")

    def _filters(self, query: SearchQuery) -> list[Query]:
        """The query's restrictions, each scoring nothing: a filter decides what is found, never
        the order (scored, a record with two age bands ranked below one with one)."""
        must = [self._term("municipality", query.municipality_id)]
        if query.school:
            must.append(self._term("f_school", query.school))
        for facet, values in query.filters.items():
            if facet == "available" or facet not in FACET_FIELDS:
                continue
            values = [v for v in values if isinstance(v, str) and v][:20]
            if values:
                must.append(self._any_of(FACET_FIELDS[facet], values))
        if query.available:
            at = [*query.filters.get("school", []), *([query.school] if query.school else [])]
            must.append(self._any_of("f_avail", (at or [ANY_SCHOOL])[:20]))
        years = [YEAR_BUCKETS[y] for y in query.filters.get("year", []) if y in YEAR_BUCKETS]
        if years:
            must.append(
                Query.boolean_query(
                    [
                        (
                            Occur.Should,
                            Query.range_query(
                                self.schema,
                                "year",
                                tantivy.FieldType.Integer,
                                lower_bound=low,
                                upper_bound=high,
                                include_upper=False,
                            ),
                        )
                        for low, high in years
                    ]
                )
            )
        return [Query.const_score_query(q, 0.0) for q in must]

    def _any_of(self, field: str, values: Sequence[str]) -> Query:
        if len(values) == 1:
            return self._term(field, values[0])
        return Query.term_set_query(self.schema, field, list(values))

    def _groups(
        self, searcher: tantivy.Searcher, parsed: txt.ParsedQuery, lang: str
    ) -> list[_Group]:
        groups: list[_Group] = []
        for clause in parsed.clauses:
            if clause.field == "isbn" or (clause.field is None and len(clause.words) == 1):
                isbn = _isbn(clause.words[0]) if len(clause.words) == 1 else None
                if isbn or clause.field == "isbn":
                    groups.append(_Group(clause, [], lang, isbn=isbn or "-"))
                    continue
            tokens = self.plain.analyze(txt.fold(" ".join(clause.words)))[:16]
            if not tokens:
                continue
            typed = self.lower.analyze(" ".join(clause.words))[:16]
            if len(typed) != len(tokens):
                typed = tokens
            if clause.phrase and len(tokens) > 1:
                group = _Group(clause, tokens, lang, phrase=True)
                group.clause_tokens = tokens
                if not clause.negated:  # a typo in a phrase gets a "did you mean" too
                    group.misspelled = [
                        i
                        for i, token in enumerate(tokens)
                        if _SAFE_TERM.match(token)
                        and not any(searcher.doc_freq(f, token) for f in group.plain_fields())
                    ]
                groups.append(group)
                continue
            for position, token in enumerate(tokens):
                group = _Group(
                    clause, [token], lang, stop=self.is_stopword(typed[position], token, lang)
                )
                group.clause_tokens = tokens
                group.position = position
                group.stems = {
                    lg: (an.analyze(token) or [token])[0] for lg, an in self.stemmers.items()
                }
                group.unknown = (
                    not clause.negated
                    and not group.stopword  # a stop word is never a typo ("jeg" → "leg")
                    and not self._known(searcher, group)
                )
                group.misspelled = [0] if group.unknown else []
                groups.append(group)
        positive = [g for g in groups if not g.clause.negated]
        if positive and all(g.stopword for g in positive):
            for g in positive:  # only stop words ("the the", "Det"): they are what was asked
                g.stopword = False
        return _fewest(groups)

    def is_stopword(self, typed: str, token: str, lang: str) -> bool:
        """Is the word (as typed, lower-cased; and as folded) a stop word of the language?"""
        return token in _STOPWORDS or not self.stop_filters[lang].analyze(typed)

    def _known(self, searcher: tantivy.Searcher, group: _Group) -> bool:
        """Does the word, as typed, occur unstemmed? (Also notes how often its stem occurs.)"""
        token = group.tokens[0]
        if group.clause.prefix or not _SAFE_TERM.match(token):
            return True  # prefixes and scripts we can't fuzz are taken as typed
        for name in group.plain_fields():
            if searcher.doc_freq(name, token):
                return True
        # The query finds the word's stem in every language's fields (the user's weighs most),
        # so its stem is counted in all of them: "hest" with Norwegian chosen finds the Danish
        # "heste" books by their stem and is no typo for "heste".
        group.stem_freq = sum(
            searcher.doc_freq(f"{name}_{lang}", group.stems[lang])
            for name in group.stemmed_fields()
            for lang in STEM_LANGUAGES
        )
        return False

    def _combine(
        self,
        filters: list[Query],
        clauses: Sequence[Query | None],
        groups: Sequence[_Group] = (),
        *,
        slack: int = 0,
        filters_only: Query | None = None,
    ) -> Query:
        subqueries: list[tuple[Occur, Query]] = [(Occur.Must, f) for f in filters]
        should: list[Query] = []  # the words of which all but ``slack`` must match
        for group, clause in zip(groups, clauses, strict=True):
            if clause is None:
                continue
            if group.clause.negated:
                subqueries.append((Occur.MustNot, clause))
            elif group.stopword or (slack and group.common):
                # ranks what the other words find; never finds on its own
                subqueries.append((Occur.Should, clause))
            elif slack:
                should.append(clause)
            else:
                subqueries.append((Occur.Must, clause))
        if should:
            needed = max(1, len([g for g in groups if g.required and not g.common]) - slack)
            subqueries.append(
                (
                    Occur.Must,
                    Query.boolean_query(
                        [(Occur.Should, q) for q in should], minimum_number_should_match=needed
                    ),
                )
            )
        if not any(occur != Occur.MustNot for occur, _q in subqueries):
            subqueries.append((Occur.Must, Query.all_query()))
        return Query.boolean_query(subqueries)

    # --- facets and suggestions ---------------------------------------------------------------

    def _facets(
        self, searcher: tantivy.Searcher, query: Query, wanted: Collection[str] = FACETS
    ) -> dict[str, list[FacetValue]]:
        by_cost = [f for f in FACET_COST if f in wanted]  # costliest first
        if sum(FACET_COST[f] for f in by_cost) < PARALLEL_FACETS_FROM:
            return self._count_facets(searcher, query, wanted)
        halves: tuple[list[str], list[str]] = ([], [])
        for facet in by_cost:  # each to the cheaper half so far
            cost = [sum(FACET_COST[f] for f in half) for half in halves]
            halves[cost.index(min(cost))].append(facet)
        other = _facet_pool.submit(self._count_facets, searcher, query, halves[1])
        facets = self._count_facets(searcher, query, halves[0])
        facets.update(other.result())
        return {f: facets[f] for f in FACETS if f in facets}

    def _count_facets(
        self, searcher: tantivy.Searcher, query: Query, wanted: Collection[str]
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
            values = [
                FacetValue(str(b["key"]), int(b["doc_count"])) for b in buckets if b["doc_count"]
            ]
            if facet == "age":
                order = list(AGE_BUCKETS)
                values.sort(key=lambda v: order.index(v.value) if v.value in order else 99)
            elif facet == "reading_level":
                order = list(LIX_BUCKETS)
                values.sort(key=lambda v: order.index(v.value) if v.value in order else 99)
            facets[facet] = values
        return facets

    def _suggest(
        self,
        searcher: tantivy.Searcher,
        parsed: txt.ParsedQuery,
        unknown: list[_Group],
        filters: list[Query],
        found: list[Document],
        *,
        look_further: bool = True,
    ) -> str | None:
        """The query again with each misspelled word replaced by the catalogue's own word.

        Words are corrected one by one, also inside a phrase or a hyphenated word
        ("harry-poter" → "harry potter"), so the words around a typo are kept.
        """
        fixes: dict[int, dict[int, str]] = {}  # id(clause) → {token position: word}
        clauses: dict[int, _Group] = {}
        for group in unknown:
            for index in group.misspelled:
                word = self._correction(
                    searcher,
                    group.tokens[index],
                    0 if group.phrase else group.stem_freq,
                    filters,
                    found,
                    look_further=look_further,
                )
                if word:
                    fixes.setdefault(id(group.clause), {})[group.position + index] = word
                    clauses[id(group.clause)] = group
        if not fixes:
            return None
        parts = []
        for clause in parsed.clauses:
            if id(clause) not in fixes:
                parts.append(clause.raw)
                continue
            tokens = clauses[id(clause)].clause_tokens
            typed = re.findall(r"\w+", " ".join(clause.words))
            words = typed if len(typed) == len(tokens) else list(tokens)
            for position, word in fixes[id(clause)].items():
                words[position] = _like(words[position], word)
            typed_field = re.match(r"-?([^\W\d_]+):", clause.raw)  # as typed: "forfatter:"
            field = f"{typed_field.group(1)}:" if clause.field and typed_field else ""
            if clause.phrase:
                parts.append(f'{field}"{" ".join(words)}"')
            else:
                parts.append(" ".join(field + w for w in words))
        return " ".join(parts)

    def _correction(
        self,
        searcher: tantivy.Searcher,
        token: str,
        stem_freq: int,
        filters: list[Query],
        found: list[Document],
        *,
        look_further: bool = True,
    ) -> str | None:
        """The catalogue's word nearest to a misspelled one, taken from records that match it
        (so only words that would find something); None when there is none or when the word's
        stem already finds more ("hundene" finds "hunde": no suggestion).

        The records are the answer's own best hits, which matched the word fuzzily already;
        only when none of their words is near enough (or nothing was found) does a fuzzy search
        of its own look further.
        """
        if len(token) < 3:
            return None
        distance = 1 if len(token) < 7 else 2
        best = self._nearest(token, distance, found) if found else None
        if best is None and look_further:
            fuzzy = Query.boolean_query(
                [
                    (Occur.Should, Query.fuzzy_term_query(self.schema, f, token, distance=distance))
                    for f in FUZZY_FIELDS
                ]
            )
            hits = searcher.search(
                Query.boolean_query([*((Occur.Must, f) for f in filters), (Occur.Must, fuzzy)]),
                limit=10,
            ).hits
            best = self._nearest(token, distance, [searcher.doc(addr) for _score, addr in hits])
        if best is None:
            return None
        corrected = "".join(self.plain.analyze(txt.fold(best[2])))
        if corrected == token:
            return None
        freq = sum(searcher.doc_freq(f, corrected) for f in FUZZY_FIELDS)
        return best[2] if freq > stem_freq else None

    def _nearest(
        self, token: str, distance: int, docs: list[Document]
    ) -> tuple[int, int, str] | None:
        """(edit distance, -how many of the records have it, word) of the records' words nearest
        to ``token`` and starting with its letter, or None when none is within ``distance``."""
        counts: dict[str, int] = {}
        for doc in docs:
            for word in set(_WORDS.findall(" ".join(w for w in _vocabulary(doc) if w).lower())):
                counts[word] = counts.get(word, 0) + 1
        best: tuple[int, int, str] | None = None
        for word, count in counts.items():
            # Folding only lengthens a word (å → aa), at most to twice its length.
            if len(word) > len(token) + distance or 2 * len(word) < len(token) - distance:
                continue
            folded = "".join(self.plain.analyze(txt.fold(word)))
            if folded[:1] != token[:1]:
                # A typo seldom starts the word; a word spelled right that the catalogue lacks
                # often has a neighbour that differs there ("gerne" and "ørne").
                continue
            d = txt.edit_distance(token, folded, limit=distance + 1)
            if d <= distance and (best is None or (d, -count) < (best[0], best[1])):
                best = (d, -count, word)
        return best


class _Group:
    """The query for one word (or one phrase) of the user's query, across its fields."""

    def __init__(
        self,
        clause: txt.Clause,
        tokens: list[str],
        lang: str,
        *,
        phrase: bool = False,
        isbn: str | None = None,
        stop: bool = False,
    ) -> None:
        self.clause = clause
        self.tokens = tokens
        self.lang = lang
        self.phrase = phrase
        self.isbn = isbn
        self.stems: dict[str, str] = {}
        self.unknown = False  # the word as typed occurs nowhere (unstemmed)
        self.misspelled: list[int] = []  # which of ``tokens`` occur nowhere (for suggestions)
        self.clause_tokens: list[str] = tokens  # every token of the clause this group is from
        self.position = 0  # where ``tokens`` start among them
        self.stem_freq = 0  # how many documents its stem matches, in every language's fields
        self.common = False  # in so many records that, when words are left out, it only ranks
        self.stopword = (
            not phrase and not isbn and clause.field is None and len(tokens) == 1 and stop
        )

    @property
    def required(self) -> bool:
        return not self.clause.negated and not self.stopword

    @property
    def fuzzable(self) -> bool:
        return (
            not self.phrase
            and not self.isbn
            and not self.clause.prefix
            and bool(self.tokens)
            and len(self.tokens[0]) >= 4
            and bool(_SAFE_TERM.match(self.tokens[0]))
        )

    def plain_fields(self) -> tuple[str, ...]:
        if self.clause.field in FIELD_TARGETS:
            return FIELD_TARGETS[self.clause.field]
        return tuple(PLAIN_WEIGHTS)

    def stemmed_fields(self) -> tuple[str, ...]:
        return tuple(f for f in self.plain_fields() if f in STEMMED_WEIGHTS)

    def query(self, engine: TantivyEngine, fuzzy_all: bool) -> Query | None:
        schema = engine.schema
        if self.isbn:
            return Query.boost_query(engine._term("isbn", self.isbn), 10.0)
        alternatives: list[Query] = []
        if self.phrase:
            for name in self.plain_fields():
                if name == "extra":
                    continue
                alternatives.append(
                    Query.boost_query(
                        Query.phrase_query(schema, name, list[str | tuple[int, str]](self.tokens)),
                        PLAIN_WEIGHTS[name] * 1.5,
                    )
                )
            return Query.disjunction_max_query(alternatives, tie_breaker=0.2)
        token = self.tokens[0]
        for name in self.plain_fields():
            alternatives.append(
                Query.boost_query(
                    Query.term_query(schema, name, token, index_option="freq"),
                    PLAIN_WEIGHTS[name],
                )
            )
        for name in self.stemmed_fields():
            for lang in STEM_LANGUAGES:
                weight = STEMMED_WEIGHTS[name] * (1.0 if lang == self.lang else 0.8)
                alternatives.append(
                    Query.boost_query(
                        Query.term_query(
                            schema, f"{name}_{lang}", self.stems[lang], index_option="freq"
                        ),
                        weight,
                    )
                )
        if self.clause.prefix and _SAFE_TERM.match(token) and len(token) >= 2:
            for name in self.plain_fields():
                if name in PREFIX_FIELDS:
                    # A one-word phrase prefix is a range over the term dictionary: the same hits
                    # and scores as the regex "token.*", without compiling an automaton (~170 µs
                    # a field, more than the search itself).
                    alternatives.append(
                        Query.boost_query(
                            Query.phrase_prefix_query(schema, name, [token]),
                            PLAIN_WEIGHTS[name] * 0.5,
                        )
                    )
        if self.fuzzable and (fuzzy_all or self.unknown):
            distance = 1 if len(token) < 7 else 2
            for name in self.plain_fields():
                if name in FUZZY_FIELDS:
                    alternatives.append(
                        Query.boost_query(
                            Query.fuzzy_term_query(schema, name, token, distance=distance),
                            PLAIN_WEIGHTS[name] * 0.4,
                        )
                    )
        return Query.disjunction_max_query(alternatives, tie_breaker=0.2)


def _fewer(words: int) -> list[int]:
    """How many of ``words`` words must match, stage by stage after all of them: one fewer
    each time, by thirds while many are left (24 words: 23, 15, 10, 6, 4, 3, 2, 1). Each stage
    runs only when the one before found nothing."""
    steps: list[int] = []
    needed = words - 1
    while needed >= 1:
        steps.append(needed)
        needed = needed - 1 if needed <= 4 else needed * 2 // 3
    return steps


def _fewest(groups: list[_Group]) -> list[_Group]:
    """At most ``MAX_GROUPS`` groups, in the query's order: a long query (a child's whole
    sentence) keeps its content words and loses stop words first, never the end of it."""
    if len(groups) <= MAX_GROUPS:
        return groups
    content = [g for g in groups if not g.stopword][:MAX_GROUPS]
    room = MAX_GROUPS - len(content)
    stops = [g for g in groups if g.stopword][:room]
    keep = {id(g) for g in (*content, *stops)}
    return [g for g in groups if id(g) in keep]


def _isbn(word: str) -> str | None:
    from reol.catalog.extract import normalize_isbn

    digits = re.sub(r"[\s-]", "", word)
    if not re.fullmatch(r"\d{9}[\dXx]|\d{13}", digits):
        return None
    return normalize_isbn(digits)


def _load(doc: Document) -> dict[str, Any]:
    raw = doc.get_first("doc")
    return dict(json.loads(bytes(raw).decode())) if raw else {}


def _vocabulary(doc: Document) -> list[str]:
    raw = doc.get_first("vocab")
    return list(json.loads(bytes(raw).decode())) if raw else []


def _like(typed: str, word: str) -> str:
    """A correction written the way the word was typed (HARRY POTER → HARRY POTTER)."""
    if len(typed) > 1 and typed.isupper():
        return word.upper()
    if typed[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _facet_names(wanted: bool | Collection[str]) -> tuple[str, ...]:
    """``SearchQuery.facets`` as facet names: True is all of them, False none."""
    if wanted is True:
        return FACETS
    if wanted is False:
        return ()
    return tuple(f for f in FACETS if f in wanted)
