"""Text handling shared by indexing and querying, in plain Python (no engine here).

Folding happens *before* the engine's tokeniser sees the text, the same way on both sides:
æ/ø/å (and ä/ö) become their two-letter spellings ae/oe/aa, so ``Aakeson`` finds ``Åkeson``
and ``boern`` finds ``børn``; the engine's ASCII folding then takes the remaining accents.
Expanding (å → aa) rather than contracting (aa → å) keeps words like "Michael" or "shoe" intact.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

_FOLD = str.maketrans(
    {
        "æ": "ae",
        "ø": "oe",
        "å": "aa",
        "ä": "ae",
        "ö": "oe",
        "ǿ": "oe",
        "ß": "ss",
        "'": "",
        "’": "",
        "ʼ": "",
    }
)
_WORD = re.compile(r"\w+", re.UNICODE)


def fold(text: str) -> str:
    """Lower-case and spell out æ/ø/å; the engine's analyzers do the rest (accents, stems)."""
    return unicodedata.normalize("NFKC", text).lower().translate(_FOLD)


def words(text: str) -> list[str]:
    """Folded words, as the engine's simple tokeniser splits them (for suggestions)."""
    return _WORD.findall(fold(text))


def series_parts(series: str) -> tuple[str, str]:
    """A series as its name and number: "Harry Potter ; 1" (ISBD's " ; ") → ("Harry Potter",
    "1"); no number → ("Harry Potter", "")."""
    name, _sep, number = series.partition(" ; ")
    return name.strip(), number.strip()


# Title sort: a number made of the first 12 letters in Danish/Norwegian order (æ, ø, å after z),
# so the engine can sort by a fast numeric field. Accents sort as their base letter.
_ALPHABET = " 0123456789abcdefghijklmnopqrstuvwxyzæøå"
_RANK = {ch: i for i, ch in enumerate(_ALPHABET)}
_SORT_SPELLING = str.maketrans({"ä": "æ", "ö": "ø", "ü": "y", "ß": "s"})
SORT_KEY_LENGTH = 12


def sort_key(title: str) -> int:
    """A 64-bit key ordering titles as a Danish or Norwegian librarian would (æ, ø, å last)."""
    text = unicodedata.normalize("NFC", title.lower()).translate(_SORT_SPELLING)
    letters: list[int] = []
    for ch in text:
        if ch in _RANK:
            if ch == " " and (not letters or letters[-1] == 0):
                continue
            letters.append(_RANK[ch])
        else:
            base = unicodedata.normalize("NFD", ch)[0]
            if base in _RANK and base != " ":
                letters.append(_RANK[base])
        if len(letters) == SORT_KEY_LENGTH:
            break
    letters += [0] * (SORT_KEY_LENGTH - len(letters))
    key = 0
    for rank in letters:
        key = key * len(_ALPHABET) + rank
    return key


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Damerau-Levenshtein distance (adjacent transpositions count one), capped at ``limit``."""
    if abs(len(a) - len(b)) >= limit:
        return limit
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return min(prev[-1], limit)


# --- The user's query, parsed by us into a safe structure ----------------------------------------

# Bounds on the work a query makes. A whole sentence fits: the engine keeps its content words
# (and drops stop words first) when there are more than it searches for.
MAX_QUERY_CHARS = 2000
MAX_CLAUSES = 64

FIELD_ALIASES = {
    "title": "title",
    "titel": "title",
    "tittel": "title",
    "ti": "title",
    "author": "author",
    "forfatter": "author",
    "creator": "author",
    "au": "author",
    "subject": "subject",
    "emne": "subject",
    "su": "subject",
    "isbn": "isbn",
    "series": "series",
    "serie": "series",
}

_TOKEN = re.compile(
    r"""(?P<neg>-(?=\S))?(?:(?P<field>[^\W\d_]+):)?(?:"(?P<phrase>[^"]*)(?:"|$)|(?P<word>[^\s"]+))"""
)
_OPERATORS = frozenset({"AND", "OR", "NOT", "NEAR", "&&", "||"})
_NOISE = re.compile(r"[~^]\d*(?:\.\d+)?$")


@dataclass
class Clause:
    """One thing the user asked for: a word, a phrase (several words) or a prefix."""

    words: list[str]  # as typed (not folded); the engine analyses them
    raw: str
    field: str | None = None  # title/author/subject/isbn/series, or None for all fields
    phrase: bool = False
    prefix: bool = False
    negated: bool = False


@dataclass
class ParsedQuery:
    clauses: list[Clause] = field(default_factory=list)

    @property
    def positive(self) -> list[Clause]:
        return [c for c in self.clauses if not c.negated]


def parse(text: str, *, prefix_last: bool = False) -> ParsedQuery:
    """Parse what a person typed; never fails. Unknown syntax becomes plain words.

    Understood: ``"a phrase"`` (an unclosed quote runs to the end), ``field:word`` and
    ``field:"a phrase"`` for title/author/subject/isbn/series (also Danish/Norwegian names),
    ``word*`` for a prefix, ``-word`` / ``NOT word`` to exclude. ``AND``/``OR`` are ignored (all
    words count), ``~2``/``^3`` are dropped, and a field name with nothing after it is ignored.
    """
    text = "".join(ch for ch in text[:MAX_QUERY_CHARS] if ch.isprintable() or ch.isspace())
    parsed = ParsedQuery()
    negate_next = False
    for match in _TOKEN.finditer(text):
        if len(parsed.clauses) >= MAX_CLAUSES:
            break
        raw = match.group(0)
        field_name = (match.group("field") or "").lower()
        target = FIELD_ALIASES.get(field_name)
        phrase = match.group("phrase")
        word = match.group("word")
        negated = bool(match.group("neg")) or negate_next
        negate_next = False
        if field_name and target is None:
            # "foo:bar" for an unknown field: both are words.
            word = f"{field_name} {word or phrase or ''}"
            phrase = None
        if phrase is not None:
            parts = phrase.split()
            if parts:
                parsed.clauses.append(
                    Clause(parts, raw, target, phrase=len(parts) > 1, negated=negated)
                )
            continue
        word = word or ""
        if word in _OPERATORS or word.upper() == "NEAR(":
            negate_next = word == "NOT"
            continue
        word = _NOISE.sub("", word)
        is_prefix = word.endswith("*")
        word = word.strip("*()[]{}<>!?,.;:+|&\\/=")
        if not word:
            continue
        parsed.clauses.append(Clause(word.split(), raw, target, prefix=is_prefix, negated=negated))
    if prefix_last and parsed.clauses and not text.endswith((" ", '"')):
        last = parsed.clauses[-1]
        if not last.phrase and not last.negated:
            last.prefix = True
    # Only exclusions (e.g. "-horse") would match nothing useful: treat them as words.
    if parsed.clauses and not parsed.positive:
        for clause in parsed.clauses:
            clause.negated = False
    return parsed
