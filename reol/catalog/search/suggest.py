"""The "did you mean" of a search: each misspelled word of a query replaced by the nearest
word of the records that match it, written the way it was typed.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

import tantivy
from tantivy import Document, Occur, Query

from . import text as txt
from .query_groups import WordGroup
from .schema import FUZZY_FIELDS, WORDS

if TYPE_CHECKING:
    from .engine import TantivyEngine


def suggest(
    engine: TantivyEngine,
    searcher: tantivy.Searcher,
    parsed: txt.ParsedQuery,
    unknown: list[WordGroup],
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
    clauses: dict[int, WordGroup] = {}
    for group in unknown:
        for index in group.misspelled:
            word = correction(
                engine,
                searcher,
                group.tokens[index],
                0 if group.phrase else group.stem_freq,
                filters,
                found,
                look_further=look_further,
                stems=group.stems if len(group.tokens) == 1 else {},
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
            words[position] = like_typed(words[position], word)
        typed_field = re.match(r"-?([^\W\d_]+):", clause.raw)  # as typed: "forfatter:"
        field = f"{typed_field.group(1)}:" if clause.field and typed_field else ""
        if clause.phrase:
            parts.append(f'{field}"{" ".join(words)}"')
        else:
            parts.append(" ".join(field + w for w in words))
    return " ".join(parts)


def correction(
    engine: TantivyEngine,
    searcher: tantivy.Searcher,
    token: str,
    stem_freq: int,
    filters: list[Query],
    found: list[Document],
    *,
    look_further: bool = True,
    stems: dict[str, str] | None = None,
) -> str | None:
    """The catalogue's word nearest to a misspelled one, taken from records that match it
    (so only words that would find something); None when there is none, when the word's
    stem already finds more ("hundene" finds "hunde": no suggestion), or when the nearest word
    is the typed word's own stem in a language (``stems``): "læse" is "læs" inflected, spelled
    right, and the search found it already. (A stem shared is no such sign: stemmers join
    typos too, "poter" and "potter".)

    The records are the answer's own best hits, which matched the word fuzzily already;
    only when none of their words is near enough (or nothing was found) does a fuzzy search
    of its own look further.
    """
    if len(token) < 3:
        return None
    distance = 1 if len(token) < 7 else 2
    best = nearest(engine, token, distance, found) if found else None
    if best is None and look_further:
        fuzzy = Query.boolean_query(
            [
                (Occur.Should, Query.fuzzy_term_query(engine.schema, f, token, distance=distance))
                for f in FUZZY_FIELDS
            ]
        )
        hits = searcher.search(
            Query.boolean_query([*((Occur.Must, f) for f in filters), (Occur.Must, fuzzy)]),
            limit=10,
        ).hits
        best = nearest(engine, token, distance, [searcher.doc(addr) for _score, addr in hits])
    if best is None:
        return None
    corrected = "".join(engine.plain.analyze(txt.fold(best[2])))
    if corrected == token:
        return None
    if corrected in (stems or {}).values():  # "læse" typed, "læs" its stem: an inflection
        return None
    freq = sum(searcher.doc_freq(f, corrected) for f in FUZZY_FIELDS)
    return best[2] if freq > stem_freq else None


def nearest(
    engine: TantivyEngine, token: str, distance: int, docs: list[Document]
) -> tuple[int, int, str] | None:
    """(edit distance, -how many of the records have it, word) of the records' words nearest
    to ``token`` and starting with its letter, or None when none is within ``distance``."""
    counts: dict[str, int] = {}
    for doc in docs:
        for word in set(WORDS.findall(" ".join(w for w in vocabulary(doc) if w).lower())):
            counts[word] = counts.get(word, 0) + 1
    best: tuple[int, int, str] | None = None
    for word, count in counts.items():
        # Folding only lengthens a word (å → aa), at most to twice its length.
        if len(word) > len(token) + distance or 2 * len(word) < len(token) - distance:
            continue
        folded = "".join(engine.plain.analyze(txt.fold(word)))
        if folded[:1] != token[:1]:
            # A typo seldom starts the word; a word spelled right that the catalogue lacks
            # often has a neighbour that differs there ("gerne" and "ørne").
            continue
        d = txt.edit_distance(token, folded, limit=distance + 1)
        if d <= distance and (best is None or (d, -count) < (best[0], best[1])):
            best = (d, -count, word)
    return best


def vocabulary(doc: Document) -> list[str]:
    raw = doc.get_first("vocab")
    return list(json.loads(bytes(raw).decode())) if raw else []


def like_typed(typed: str, word: str) -> str:
    """A correction written the way the word was typed (HARRY POTER → HARRY POTTER)."""
    if len(typed) > 1 and typed.isupper():
        return word.upper()
    if typed[:1].isupper():
        return word[:1].upper() + word[1:]
    return word
