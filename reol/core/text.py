"""Text folding for case-insensitive matching that also works for æ, ø and å on SQLite.

SQLite's LIKE and LOWER() fold only ASCII letters, so searching "ærø" would miss "Ærø". Reol
stores a folded copy of what people search for (``User.search_text``, ``AuditEvent.object_key``)
and folds the query the same way, so matching is plain, index-friendly ``contains``/equality on
every database.
"""

from __future__ import annotations

import unicodedata


def fold(value: str | None) -> str:
    """``value`` in NFKC, case-folded, with runs of white space made one space."""
    if not value:
        return ""
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split())


def search_terms(query: str, limit: int = 10) -> list[str]:
    """The folded words of a search; each must match (so "Anna Hansen" finds Anna Hansen)."""
    return fold(query).split()[:limit]
