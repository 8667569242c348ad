"""Weeding guidance: CREW's "age / years unused / MUSTIE" per classification section.

The defaults follow the CREW manual (Texas State Library, 2012) for school libraries, written
once for DDC hundreds and once for DK5's main classes; a school edits them on the weeding page
(``WeedingRule``). A copy's section is DK5's main class ("sk", "79") or the DDC hundred
("500"); the longest rule that starts that section applies (DDC keys are three characters, so
"500" never takes DK5's "5" rule).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from reol.core.models import School

from .models import WeedingRule


@dataclass(frozen=True)
class Guidance:
    section: str
    label: str | Promise
    max_age_years: int
    unused_years: int
    own: bool = False  # the school's own rule, not a default


# (section, label, weed when older than, or when unused for) — CREW's figures.
DEFAULT_RULES: tuple[tuple[str, str | Promise, int, int], ...] = (
    ("sk", _("Fiction"), 15, 3),
    ("0", _("General works (DK5 00–09)"), 8, 3),
    ("1", _("Philosophy, psychology (DK5 10–19)"), 10, 3),
    ("2", _("Religion (DK5 20–29)"), 10, 3),
    ("3", _("Social sciences (DK5 30–39)"), 5, 3),
    ("4", _("Geography, travel (DK5 40–49)"), 5, 3),
    ("5", _("Natural sciences (DK5 50–59)"), 5, 3),
    ("6", _("Technology, health (DK5 60–69)"), 5, 3),
    ("7", _("Arts, sports (DK5 70–79)"), 10, 3),
    ("8", _("Literature, language (DK5 80–89)"), 10, 3),
    ("9", _("History, biography (DK5 90–99)"), 15, 3),
    ("000", _("General works (DDC 000)"), 8, 3),
    ("100", _("Philosophy, psychology (DDC 100)"), 10, 3),
    ("200", _("Religion (DDC 200)"), 10, 3),
    ("300", _("Social sciences (DDC 300)"), 5, 3),
    ("400", _("Language (DDC 400)"), 10, 3),
    ("500", _("Natural sciences (DDC 500)"), 5, 3),
    ("600", _("Technology, health (DDC 600)"), 5, 3),
    ("700", _("Arts, sports (DDC 700)"), 10, 3),
    ("800", _("Literature (DDC 800)"), 10, 3),
    ("900", _("History, geography (DDC 900)"), 15, 3),
)
FALLBACK = Guidance("", _("Other"), 10, 3)


def guidance(school: School) -> list[Guidance]:
    """The school's rules: its own rows over the defaults, by section."""
    rules = {
        section: Guidance(section, label, age, unused)
        for section, label, age, unused in DEFAULT_RULES
    }
    for row in WeedingRule.objects.filter(school=school):
        label = row.label or (rules[row.section].label if row.section in rules else row.section)
        rules[row.section] = Guidance(
            row.section, label, row.max_age_years, row.unused_years, own=True
        )
    return sorted(rules.values(), key=lambda g: (len(g.section), g.section))


def rule_for(section: str, rules: list[Guidance]) -> Guidance:
    """The longest rule whose section starts ``section``; ``FALLBACK`` if none does."""
    best = FALLBACK
    for rule in rules:
        if section.lower().startswith(rule.section.lower()) and len(rule.section) > len(
            best.section
        ):
            best = rule
    return best
