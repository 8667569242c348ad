"""The Tantivy engine: the index opened and written, a query run in stages. It and its helpers
(``schema``, ``query_groups``, ``facets``, ``suggest``) are the only modules that import
``tantivy``; everything else talks to it through ``reol.catalog.search``.

One index directory holds every municipality's records (each query is filtered by
municipality). Text is indexed twice: unstemmed (for exact words, phrases, prefixes and fuzzy
terms) and stemmed by the record's language (Snowball da/nb/en) for inflected forms.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy
from tantivy import Filter, Index, Occur, Order, Query, TextAnalyzerBuilder, Tokenizer

from . import facets
from . import text as txt
from .facets import facet_names
from .query_groups import WordGroup, attempts, fewest, isbn_in
from .schema import (
    ANY_SCHOOL,
    COMMON_SHARE,
    ENOUGH,
    FACET_FIELDS,
    MAX_WINDOW,
    PLAIN_TOKENIZER,
    SAFE_TERM,
    STOPWORDS,
    analyzer,
    build_schema,
    load_doc,
    stem_tokenizer,
    stop_filter,
    to_document,
)
from .suggest import suggest, vocabulary
from .types import (
    FACETS,
    SORTS,
    STEM_LANGUAGES,
    YEAR_BUCKETS,
    FacetValue,
    Hit,
    Likeness,
    SearchQuery,
    SearchResult,
)


@dataclass
class _Answer:
    """The stage of a search that answered: its query, how many it found, the page's hits, and
    how many words it let be missing."""

    query: Query
    total: int
    hits: list[tuple[float, Any]]
    slack: int


class TantivyEngine:
    """One index directory: a reader for every process, a writer for the indexer only."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.schema = build_schema()
        self.plain = analyzer(None)
        self.stemmers = {lang: analyzer(lang) for lang in STEM_LANGUAGES}
        self.stop_filters = {lang: stop_filter(lang) for lang in STEM_LANGUAGES}
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
                        index.register_tokenizer(stem_tokenizer(lang), analyzer)
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
            writer.add_document(to_document(doc))

    def commit(self) -> None:
        if self._writer is not None:
            self._writer.commit()
        self.index.reload()
        self._searcher = None

    def delete_all(self) -> None:
        self.writer().delete_all_documents()

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
        return {**load_doc(doc), "vocabulary": vocabulary(doc)}

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
        stages = attempts(groups, self._rare(searcher, groups), exact=query.exact)
        size = max(1, min(query.size, 100))
        answer = self._first_enough(searcher, query, filters, groups, stages, size)
        self.last_query = answer.query  # the query that answered (the benchmark re-runs it bare)
        docs = [searcher.doc(addr) for _score, addr in answer.hits]
        result = SearchResult(total=answer.total, hits=[], page=max(query.page, 1), size=size)
        if raw:
            result.hits_json = [bytes(doc.get_first("doc") or b"{}") for doc in docs]
        else:
            result.hits = [Hit.from_stored(load_doc(doc)) for doc in docs]
        wanted = facet_names(query.facets)
        if wanted:
            result.facets = self._facets(searcher, answer.query, wanted) if answer.total else {}
        if unknown:
            # When the answer leaves words out (a sentence), a correction comes only from the
            # records found: a word spelled right that the catalogue lacks ("gerne") is not
            # turned into some record's nearest word ("Gerner").
            further = answer.slack == 0 or not answer.total
            result.suggestion = suggest(
                self, searcher, parsed, unknown, filters, docs[:10], look_further=further
            )
        return result

    def _first_enough(
        self,
        searcher: tantivy.Searcher,
        query: SearchQuery,
        filters: list[Query],
        groups: list[WordGroup],
        stages: list[tuple[bool, int]],
        size: int,
    ) -> _Answer:
        """Run the stages (``attempts``) until one finds enough; the last one answers."""
        sort = query.sort if query.sort in SORTS else "relevance"
        offset = max(0, (max(query.page, 1) - 1) * size)
        filters_only = self._combine(filters, [])
        answer = _Answer(filters_only, 0, [], 0)
        for fuzzy_all, slack in stages:
            clauses = [g.query(self, fuzzy_all) for g in groups]
            combined = self._combine(
                filters, clauses, [g for g in groups], slack=slack, filters_only=filters_only
            )
            limit = size if offset + size <= MAX_WINDOW else 0
            total, hits = self._run(searcher, combined, sort, limit, offset)
            answer = _Answer(combined, total, hits, slack)
            if total and (not slack or total >= ENOUGH or slack == stages[-1][1]):
                break
        return answer

    def _rare(self, searcher: tantivy.Searcher, groups: list[WordGroup]) -> int:
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
        return [Hit.from_stored(load_doc(searcher.doc(addr))) for _score, addr in found.hits]

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
    ) -> list[WordGroup]:
        groups: list[WordGroup] = []
        for clause in parsed.clauses:
            if clause.field == "isbn" or (clause.field is None and len(clause.words) == 1):
                isbn = isbn_in(clause.words[0]) if len(clause.words) == 1 else None
                if isbn or clause.field == "isbn":
                    groups.append(WordGroup(clause, [], lang, isbn=isbn or "-"))
                    continue
            tokens = self.plain.analyze(txt.fold(" ".join(clause.words)))[:16]
            if not tokens:
                continue
            typed = self.lower.analyze(" ".join(clause.words))[:16]
            if len(typed) != len(tokens):
                typed = tokens
            if clause.phrase and len(tokens) > 1:
                group = WordGroup(clause, tokens, lang, phrase=True)
                group.clause_tokens = tokens
                if not clause.negated:  # a typo in a phrase gets a "did you mean" too
                    group.misspelled = [
                        i
                        for i, token in enumerate(tokens)
                        if SAFE_TERM.match(token)
                        and not any(searcher.doc_freq(f, token) for f in group.plain_fields())
                    ]
                groups.append(group)
                continue
            for position, token in enumerate(tokens):
                group = WordGroup(
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
        return fewest(groups)

    def is_stopword(self, typed: str, token: str, lang: str) -> bool:
        """Is the word (as typed, lower-cased; and as folded) a stop word of the language?"""
        return token in STOPWORDS or not self.stop_filters[lang].analyze(typed)

    def _known(self, searcher: tantivy.Searcher, group: WordGroup) -> bool:
        """Does the word, as typed, occur unstemmed? (Also notes how often its stem occurs.)"""
        token = group.tokens[0]
        if group.clause.prefix or not SAFE_TERM.match(token):
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
        groups: Sequence[WordGroup] = (),
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
        return facets.facets(searcher, query, wanted)

    def _count_facets(
        self, searcher: tantivy.Searcher, query: Query, wanted: Collection[str]
    ) -> dict[str, list[FacetValue]]:
        return facets.count_facets(searcher, query, wanted)
