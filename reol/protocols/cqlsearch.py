"""CQL (the SRU query language) over the catalogue's search engine.

The query is parsed by ``cql-parser`` (a PLY grammar of CQL 1.2 checked against CQL-Java's
regression queries), then brought into disjunctive normal form: a list of conjunctions, each a
list of clauses the search engine understands (a word, a phrase or a prefix, in a field or in
every field, possibly negated). One conjunction is one engine query, paged by the engine; an
``or`` runs each conjunction and merges their ids. Anything CQL can say that the engine
cannot answer gets SRU's diagnostic for it instead of a silently different answer.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass, field

from cql.lexer import CQLLexer, CQLLexerError
from cql.parser import (
    CQLParser12,
    CQLParserError,
    CQLQuery,
    CQLSearchClause,
    CQLSortSpec,
    CQLTriple,
)

# The parser logs every syntax error at ERROR level; the client gets a diagnostic instead.
logging.getLogger("cql").setLevel(logging.CRITICAL)

MAX_CONJUNCTIONS = 32
MAX_TERM_CHARS = 500

# CQL index → the engine's field (None: every field). Compared in lower case.
INDEXES: dict[str, str | None] = {
    "cql.anywhere": None,
    "cql.serverchoice": None,
    "cql.keywords": None,
    "srw.serverchoice": None,
    "dc.anywhere": None,
    "anywhere": None,
    "keyword": None,
    "dc.title": "title",
    "ti": "title",
    "bath.title": "title",
    "title": "title",
    "dc.creator": "author",
    "au": "author",
    "dc.author": "author",
    "dc.contributor": "author",
    "bath.author": "author",
    "bath.name": "author",
    "bath.personalname": "author",
    "creator": "author",
    "author": "author",
    "dc.subject": "subject",
    "su": "subject",
    "bath.subject": "subject",
    "subject": "subject",
    "dc.identifier": "isbn",
    "bath.isbn": "isbn",
    "bath.issn": "isbn",
    "bath.standardidentifier": "isbn",
    "isbn": "isbn",
    "issn": "isbn",
    "dc.relation": "series",
    "bath.series": "series",
    "series": "series",
    "rec.id": "rec.id",
    "cql.allrecords": "all",
}
# Relations and what they mean for the words of a term.
WORDS_ALL = {"=", "all", "scr"}
WORDS_ANY = {"any"}
WORDS_PHRASE = {"==", "exact", "adj"}
MODIFIERS = {
    "ignorecase",
    "respectcase",
    "ignoreaccents",
    "respectaccents",
    "masked",
    "relevant",
    "stem",
    "word",
    "string",
    "cql.ignorecase",
    "cql.ignoreaccents",
    "cql.masked",
    "cql.relevant",
    "cql.stem",
    "cql.word",
    "cql.string",
}


class Diagnostic(Exception):
    """An SRU diagnostic: ``info:srw/diagnostic/1/<number>`` with its details."""

    def __init__(self, number: int, details: str = "", message: str = "") -> None:
        super().__init__(message or details)
        self.number = number
        self.details = details
        self.message = message


@dataclass
class Clause:
    field: str | None  # engine field, "rec.id", "all", or None for every field
    words: list[str]
    phrase: bool = False
    prefix: bool = False
    negated: bool = False


@dataclass
class Conjunction:
    clauses: list[Clause] = field(default_factory=list)

    def engine_text(self) -> str:
        """The conjunction in the search engine's query syntax."""
        parts = []
        for clause in self.clauses:
            if clause.field in ("rec.id", "all"):
                continue
            name = f"{clause.field}:" if clause.field else ""
            sign = "-" if clause.negated else ""
            if clause.phrase:
                parts.append(f'{sign}{name}"{" ".join(clause.words)}"')
            else:
                star = "*" if clause.prefix else ""
                parts.append(f"{sign}{name}{clause.words[0]}{star}")
        return " ".join(parts)

    @property
    def record_ids(self) -> set[int] | None:
        """Ids every rec.id clause allows (None when there is no such clause)."""
        wanted: set[int] | None = None
        for clause in self.clauses:
            if clause.field == "rec.id" and not clause.negated:
                ids = {int(w) for w in clause.words}
                wanted = ids if wanted is None else wanted & ids
        return wanted

    @property
    def excluded_ids(self) -> set[int]:
        return {int(w) for c in self.clauses if c.field == "rec.id" and c.negated for w in c.words}

    @property
    def matches_all(self) -> bool:
        return all(c.field == "all" for c in self.clauses)


_local = threading.local()


def _parser() -> CQLParser12:
    """One parser per thread (PLY's parser keeps state while it parses)."""
    parser = getattr(_local, "parser", None)
    if parser is None:
        lexer = CQLLexer()
        lexer.build()
        parser = CQLParser12()
        parser.build(lexer)  # type: ignore[arg-type]
        _local.parser = parser
    return parser


def parse(text: str) -> list[Conjunction]:
    """A CQL query as conjunctions (their union is the answer); raises Diagnostic."""
    return parse_query(text)[0]


def parse_query(text: str) -> tuple[list[Conjunction], list[CQLSortSpec]]:
    """A CQL query as conjunctions, and its ``sortBy`` specs (empty when it has none)."""
    if not text.strip():
        raise Diagnostic(7, "query", "Mandatory parameter not supplied")
    try:
        query = _parse(text)
    except (CQLParserError, CQLLexerError) as error:
        relaxed = relax(text)
        try:
            query = _parse(relaxed) if relaxed != text else None
        except (CQLParserError, CQLLexerError, Exception):
            query = None
        if query is None:
            raise Diagnostic(10, str(error)[:200], "Query syntax error") from None
    if query is None or query.root is None:
        raise Diagnostic(10, text[:200], "Query syntax error")
    return _dnf(query.root), list(getattr(query.root, "sortSpecs", None) or [])


def _parse(text: str) -> CQLQuery | None:
    try:
        return _parser().parse(text)
    except (CQLParserError, CQLLexerError):
        raise
    except Exception:  # PLY raises plain errors on some garbage; still the client's syntax
        raise CQLParserError(text[:200]) from None


_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[()]|[^\s()"]+')
_BOOLEANS = {"and", "or", "not", "prox", "sortby"}
_RELATIONS = {"=", "==", "<>", "<", ">", "<=", ">=", "any", "all", "adj", "exact", "within"}
_GLUED = re.compile(r"^([^\s=<>]+)(==|<>|<=|>=|=|<|>)(.*)$")


def relax(text: str) -> str:
    """Quote the unquoted words of one term, as CQL-Java and yaz accept them:
    ``dc.title=harry potter`` means ``dc.title="harry potter"``."""
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            out.append(run[0] if len(run) == 1 else '"' + " ".join(run) + '"')
            run.clear()

    for piece in _TOKENS.findall(text):
        lowered = piece.lower()
        if piece in "()" or lowered in _BOOLEANS or piece.startswith('"'):
            flush()
            out.append(piece)
        elif lowered in _RELATIONS or lowered.split("/")[0] in _RELATIONS:
            # what ran before was an index, not a term
            out.extend(run)
            run.clear()
            out.append(piece)
        elif glued := _GLUED.match(piece):
            flush()
            out += [glued.group(1), glued.group(2)]
            if glued.group(3):
                run.append(glued.group(3))
        else:
            run.append(piece)
    flush()
    return " ".join(out)


def _dnf(node: CQLTriple | CQLSearchClause) -> list[Conjunction]:
    if isinstance(node, CQLSearchClause):
        return _clause(node)
    operator = str(node.operator.value).lower()
    if node.operator.modifiers:
        raise Diagnostic(46, operator, "Unsupported boolean modifier")
    left, right = _dnf(node.left), _dnf(node.right)
    if operator == "or":
        result = left + right
    elif operator == "and":
        result = [Conjunction(a.clauses + b.clauses) for a in left for b in right]
    elif operator == "not":
        if len(right) != 1 or len(right[0].clauses) != 1:
            raise Diagnostic(
                48, "not with more than one term on its right", "Query feature unsupported"
            )
        excluded = right[0].clauses[0]
        if excluded.negated or excluded.field == "all":
            raise Diagnostic(48, "not", "Query feature unsupported")
        excluded = Clause(**{**excluded.__dict__, "negated": True})
        result = [Conjunction([*a.clauses, excluded]) for a in left]
    else:
        raise Diagnostic(37, operator, "Unsupported boolean operator")
    if len(result) > MAX_CONJUNCTIONS:
        raise Diagnostic(48, "too many alternatives", "Query feature unsupported")
    return result


def _clause(node: CQLSearchClause) -> list[Conjunction]:
    index = str(node.index or "cql.serverChoice").lower()
    if index not in INDEXES:
        raise Diagnostic(16, str(node.index), "Unsupported index")
    target = INDEXES[index]
    relation = str(node.relation.comparitor if node.relation else "=").lower()
    for modifier in (node.relation.modifiers if node.relation else None) or []:
        if str(modifier.name).lower() not in MODIFIERS:
            raise Diagnostic(20, str(modifier.name), "Unsupported relation modifier")
    term = str(node.term or "")
    if len(term) > MAX_TERM_CHARS:
        raise Diagnostic(10, "term too long", "Query syntax error")
    if target == "all":
        return [Conjunction([Clause("all", [])])]
    if relation not in WORDS_ALL | WORDS_ANY | WORDS_PHRASE:
        raise Diagnostic(19, relation, "Unsupported relation")
    words = _words(term)
    if not words:
        raise Diagnostic(27, "", "Empty term unsupported")
    if target == "rec.id":
        if not all(w.isdigit() for w in words) or (relation in WORDS_ANY and len(words) > 50):
            return [Conjunction([Clause("rec.id", ["0"])])]  # no such record: nothing found
        if relation in WORDS_ANY:
            return [Conjunction([Clause("rec.id", [w])]) for w in words]
        return [Conjunction([Clause("rec.id", [w]) for w in words])]
    if target == "isbn":
        words = ["".join(words).replace("-", "")] if relation not in WORDS_ANY else words
    if relation in WORDS_PHRASE and len(words) > 1:
        if any(w.endswith("*") for w in words):
            raise Diagnostic(28, term, "Masking character not supported")
        return [Conjunction([Clause(target, words, phrase=True)])]
    clauses = [_word(target, w) for w in words]
    if relation in WORDS_ANY:
        return [Conjunction([c]) for c in clauses]
    return [Conjunction(clauses)]


def _word(target: str | None, word: str) -> Clause:
    prefix = word.endswith("*") and not word.endswith("\\*")
    bare = word[:-1] if prefix else word
    if "*" in bare.replace("\\*", "") or "?" in bare.replace("\\?", "") or bare.startswith("^"):
        raise Diagnostic(28, word, "Masking character not supported")
    bare = bare.replace("\\*", "").replace("\\?", "").replace("\\", "")
    if not bare:
        raise Diagnostic(27, word, "Empty term unsupported")
    return Clause(target, [bare], prefix=prefix)


def _words(term: str) -> list[str]:
    """The term's words, without what the engine's own syntax would read (quotes, a leading
    minus, field prefixes)."""
    out = []
    for raw in term.split():
        word = raw.replace('"', "").lstrip("-+").replace(":", " ").strip()
        out += word.split()
    return out
