"""The query for each word or phrase of the user's query across its fields (``WordGroup``),
and how many of them must match as the search leaves words out (``attempts``, ``fewer``,
``fewest``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tantivy import Query

from . import text as txt
from .schema import (
    FIELD_TARGETS,
    FUZZ_ALL_UP_TO,
    FUZZY_FIELDS,
    MAX_GROUPS,
    PLAIN_WEIGHTS,
    PREFIX_FIELDS,
    SAFE_TERM,
    STEMMED_WEIGHTS,
)
from .types import (
    STEM_LANGUAGES,
)

if TYPE_CHECKING:
    from .engine import TantivyEngine


class WordGroup:
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
            and bool(SAFE_TERM.match(self.tokens[0]))
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
        if self.clause.prefix and SAFE_TERM.match(token) and len(token) >= 2:
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


def fewer(words: int) -> list[int]:
    """How many of ``words`` words must match, stage by stage after all of them: one fewer
    each time, by thirds while many are left (24 words: 23, 15, 10, 6, 4, 3, 2, 1). Each stage
    runs only when the one before found nothing."""
    steps: list[int] = []
    needed = words - 1
    while needed >= 1:
        steps.append(needed)
        needed = needed - 1 if needed <= 4 else needed * 2 // 3
    return steps


def attempts(groups: list[WordGroup], rare: int, *, exact: bool) -> list[tuple[bool, int]]:
    """The stages a query is run in, as (fuzzy for every word, words that may be missing),
    until one finds enough; ``rare``: the required words that are not common (``_rare``).

    Stage 1: every word must match (fuzzy only for words the catalogue doesn't know);
    stage 2: fuzzy for every word.
    A sentence's words spelled right are not fuzzed (each fuzzy word costs ~1 ms a stage).
    """
    fuzz = rare <= FUZZ_ALL_UP_TO
    stages: list[tuple[bool, int]] = [(False, 0)]
    if exact:
        return stages  # a protocol's query: no typo tolerance, no fewer words
    if fuzz and any(g.fuzzable and not g.unknown for g in groups):
        stages.append((True, 0))
    # Stage 3: then fewer words, down to any one of them (a sentence's words, ranked by
    # how many of them a record has), until enough records are found.
    stages += [(fuzz, rare - needed) for needed in fewer(rare)]
    return stages


def fewest(groups: list[WordGroup]) -> list[WordGroup]:
    """At most ``MAX_GROUPS`` groups, in the query's order: a long query (a child's whole
    sentence) keeps its content words and loses stop words first, never the end of it."""
    if len(groups) <= MAX_GROUPS:
        return groups
    content = [g for g in groups if not g.stopword][:MAX_GROUPS]
    room = MAX_GROUPS - len(content)
    stops = [g for g in groups if g.stopword][:room]
    keep = {id(g) for g in (*content, *stops)}
    return [g for g in groups if id(g) in keep]


def isbn_in(word: str) -> str | None:
    from reol.catalog.extract import normalize_isbn

    digits = re.sub(r"[\s-]", "", word)
    if not re.fullmatch(r"\d{9}[\dXx]|\d{13}", digits):
        return None
    return normalize_isbn(digits)
