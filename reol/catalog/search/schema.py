"""The index's schema and analyzers: its fields, their weights and tokenizers, the facet
fields, stop words, and the schema version the index directory is named after. Used by the
engine and its helpers in this package.
"""

from __future__ import annotations

import json
import re
from typing import Any

import tantivy
from tantivy import Document, Filter, TextAnalyzerBuilder, Tokenizer

from . import text as txt
from .types import (
    STEM_LANGUAGES,
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
# Stop words: the Snowball project's lists of the user's language (Tantivy's stop word filter
# holds them), and these, the commonest of all three languages, whatever the language chosen
# ("the hobbit" in the Danish catalogue). A stop word never makes a record match on its own: it
# only ranks the records that match the other words. So do a library's own words for what a
# child asks for ("jeg vil gerne læse en bog om heste": the books, and reading them, are what
# every record is; the horses are what was asked), in the three languages.
STOPWORD_TEXT = (
    "og i på for til af av med en et ei de den det der som er at om fra har "
    "the of and a an in on to with at by is or "
    "bog bogen bøger bok boka boken bøker book books læse læs lese les read reading"
)
STOPWORDS = frozenset(txt.fold(w) for w in STOPWORD_TEXT.split())
SAFE_TERM = re.compile(r"^[a-z0-9]+$")
WORDS = re.compile(r"\w+")


def analyzer(language: str | None) -> tantivy.TextAnalyzer:
    builder = (
        TextAnalyzerBuilder(Tokenizer.simple())
        .filter(Filter.remove_long(60))
        .filter(Filter.lowercase())
        .filter(Filter.ascii_fold())
    )
    if language:
        builder = builder.filter(Filter.stemmer(_SNOWBALL[language]))
    return builder.build()


def stop_filter(language: str) -> tantivy.TextAnalyzer:
    """An analyzer that drops the language's stop words (and keeps every other word)."""
    return (
        TextAnalyzerBuilder(Tokenizer.simple())
        .filter(Filter.lowercase())
        .filter(Filter.stopword(_SNOWBALL[language]))
        .build()
    )


def stem_tokenizer(language: str) -> str:
    return f"reol_stem_{language}"


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_integer_field("id", stored=True, indexed=True, fast=True)
    sb.add_integer_field("municipality", indexed=True, fast=True)
    for name in PLAIN_WEIGHTS:
        sb.add_text_field(name, tokenizer_name=PLAIN_TOKENIZER)
    for name in STEMMED_WEIGHTS:
        for lang in STEM_LANGUAGES:
            sb.add_text_field(f"{name}_{lang}", tokenizer_name=stem_tokenizer(lang))
    sb.add_text_field("isbn", tokenizer_name="raw", index_option="basic")
    for name in FACET_FIELDS.values():
        sb.add_text_field(name, tokenizer_name="raw", fast=True, index_option="basic")
    sb.add_integer_field("year", indexed=True, fast=True)
    sb.add_unsigned_field("sort_title", fast=True)
    sb.add_bytes_field("doc", stored=True)  # the hit as the API returns it (JSON)
    sb.add_bytes_field("vocab", stored=True)  # its words for "did you mean" (JSON list)
    return sb.build()


def load_doc(doc: Document) -> dict[str, Any]:
    raw = doc.get_first("doc")
    return dict(json.loads(bytes(raw).decode())) if raw else {}


def to_document(doc: dict[str, Any]) -> Document:
    """A search document (``documents.build``) as the index's fields: text folded, each
    stemmed field once per language of the record, the hit's JSON and vocabulary stored."""
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
