"""Reading levels in words a child understands: easy, just right or a challenge *for your grade*.

A record's LIX (``Record.reading_level``) is a number teachers know and children do not. For a
student the number becomes words against the span of LIX that usually fits their grade; for
anyone else (a visitor, a teacher) words for the LIX alone. Teachers and staff also see the number.

The spans follow the common Nordic guidance for children's books (LIX under 10 for beginners,
around 20 in the middle grades, 25–35 for young teenagers) and sit on the search's LIX facet
buckets (``catalog.search.types.LIX_BUCKETS``), so "easy for me" is also a search filter.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from reol.catalog.search.types import LIX_BUCKETS

# grade → the LIX span that usually fits it ("just right"); below is easy, above a challenge.
JUST_RIGHT: dict[int, tuple[int, int]] = {
    0: (0, 9),
    1: (0, 9),
    2: (10, 14),
    3: (10, 19),
    4: (15, 24),
    5: (20, 24),
    6: (20, 34),
    7: (25, 34),
    8: (25, 34),
    9: (25, 44),
}
OLDER = (35, 44)  # grade 10 and up

EASY, JUST_RIGHT_WORD, CHALLENGE = "easy", "right", "challenge"
LEVELS = (EASY, JUST_RIGHT_WORD, CHALLENGE)


def span(grade: int) -> tuple[int, int]:
    return JUST_RIGHT.get(grade, OLDER)


def level_for(lix: int, grade: int) -> str:
    lo, hi = span(grade)
    if lix < lo:
        return EASY
    return JUST_RIGHT_WORD if lix <= hi else CHALLENGE


def buckets_for(level: str, grade: int) -> list[str]:
    """The search's LIX buckets that make up ``level`` for ``grade`` (the "easy for me" filter)."""
    lo, hi = span(grade)
    picked = []
    for name, (b_lo, b_hi) in LIX_BUCKETS.items():
        wanted = {
            EASY: b_hi < lo,
            JUST_RIGHT_WORD: b_lo >= lo and b_hi <= hi,
            CHALLENGE: b_lo > hi,
        }
        if wanted.get(level):
            picked.append(name)
    return picked


def grade_name(grade: int) -> str:
    """The grade as the reader's language says it: "4. klasse", "4. trinn", "grade 4"."""
    return _("kindergarten") if grade == 0 else _("grade %(n)s") % {"n": grade}


def absolute_words(lix: int) -> str:
    """Words for a LIX number alone, for someone whose grade we do not know."""
    if lix < 15:
        return _("Very easy to read")
    if lix < 25:
        return _("Easy to read")
    if lix < 35:
        return _("Medium to read")
    if lix < 45:
        return _("Challenging to read")
    return _("Hard to read")


@dataclass(frozen=True)
class LevelBadge:
    level: str  # easy / right / challenge / "" for absolute words
    words: str
    lix: int
    show_number: bool  # teachers and staff see "LIX 23" too


def badge(lix: int | None, grade: int | None, staff: bool) -> LevelBadge | None:
    if lix is None:
        return None
    if grade is None:
        return LevelBadge("", absolute_words(lix), lix, staff)
    name = grade_name(grade)
    level = level_for(lix, grade)
    words = {
        EASY: _("Easy for %(grade)s"),
        JUST_RIGHT_WORD: _("Just right for %(grade)s"),
        CHALLENGE: _("A challenge for %(grade)s"),
    }[level] % {"grade": name}
    return LevelBadge(level, words, lix, staff)


def choices(grade: int | None) -> list[tuple[str, str, list[str]]]:
    """The "for me" filters of a student's search: (level, words, the LIX buckets it means)."""
    if grade is None:
        return []
    words = {EASY: _("Easy for me"), JUST_RIGHT_WORD: _("Just right"), CHALLENGE: _("A challenge")}
    picked = [(level, str(words[level]), buckets_for(level, grade)) for level in LEVELS]
    return [choice for choice in picked if choice[2]]
