"""Text folding for case-insensitive matching that also works for æ, ø and å on SQLite.

SQLite's LIKE and LOWER() fold only ASCII letters, so searching "ærø" would miss "Ærø". Reol
stores a folded copy of what people search for (``User.search_text``, ``AuditEvent.object_key``)
and folds the query the same way, so matching is plain, index-friendly ``contains``/equality on
every database.
"""

from __future__ import annotations

import re
import unicodedata


def fold(value: str | None) -> str:
    """``value`` in NFKC, case-folded, with runs of white space made one space."""
    if not value:
        return ""
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split())


def search_terms(query: str, limit: int = 10) -> list[str]:
    """The folded words of a search; each must match (so "Anna Hansen" finds Anna Hansen)."""
    return fold(query).split()[:limit]


# --- One-line text ----------------------------------------------------------------------------
#
# A title, a name, a subject line is one line. A line break in one breaks whatever is built
# from it line by line: an e-mail header (Django refuses it, and the mail is lost), an iCalendar
# property, a CSV export, a log line. So the front doors (``forms.OneLineField``,
# ``schemas.OneLine``) make one-line inputs one line, and the builders of mail headers and
# calendars pass what they take from the database through ``one_line``/``printable`` again.

LINE_BREAKS = re.compile(r"[\t\n\v\f\r\x1c-\x1e\x85\u2028\u2029]+")
CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f]")
NEWLINES = re.compile(r"\r\n|[\r\x1c-\x1e\x85\u2028\u2029]")
SPACES = str.maketrans({"\t": " ", "\v": " ", "\f": " "})


def has_controls(value: str) -> bool:
    """Does ``value`` hold a control character other than a line break or a tab (NUL, ESC…)?"""
    return CONTROLS.search(value) is not None


def one_line(value: str | None) -> str:
    """``value`` as one line: line breaks and tabs become one space, other control characters
    are dropped, and the ends are stripped."""
    if not value:
        return ""
    return CONTROLS.sub("", LINE_BREAKS.sub(" ", value)).strip()


def printable(value: str | None) -> str:
    """``value`` with its line breaks kept (as ``\\n``), tabs as spaces and every other control
    character dropped: for the many-line texts of a calendar event or a mail body."""
    if not value:
        return ""
    text = NEWLINES.sub("\n", value).translate(SPACES)
    return CONTROLS.sub("", text)
