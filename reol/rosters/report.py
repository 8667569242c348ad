"""What a roster import reports: its counts, problems and previewed changes (``Report``), and
the counts in words (``summary_of``, also for a stored run's page in the viewer's language).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .roster import ERROR, WARNING, Problem

Progress = Callable[[str, int], None]  # (phase, percent of that phase)


@dataclass
class Report:
    dry_run: bool = True
    saved: bool = False
    refused: bool = False  # rows were rejected and the librarian did not choose the good rows
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)

    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == WARNING]

    @property
    def changed_anything(self) -> bool:
        """Something was (or, in a dry run, would be) created, changed or deactivated."""
        return any(
            n
            for key, n in self.counts.items()
            if key
            not in (
                "people",
                "patrons_unchanged",
                "rows_rejected",
                "usernames_made",
                "staff_left_alone",
            )
        )

    def summary(self) -> str:
        return summary_of(self.counts, dry_run=self.dry_run, refused=self.refused)


def summary_of(counts: dict[str, int], *, dry_run: bool, refused: bool) -> str:
    """The counts of a run in words, in the active language (a page renders it from the stored
    counts in the viewer's language; nothing translated is stored)."""
    c = counts

    def n(key: str) -> int:
        return int(c.get(key, 0))

    patrons = [
        ngettext("%(count)d new patron", "%(count)d new patrons", n("patrons_created")),
        ngettext("%(count)d changed", "%(count)d changed", n("patrons_updated")),
        ngettext("%(count)d unchanged", "%(count)d unchanged", n("patrons_unchanged")),
        ngettext("%(count)d deactivated", "%(count)d deactivated", n("patrons_deactivated")),
    ]
    groups = [
        ngettext("%(count)d new", "%(count)d new", n("groups_created")),
        ngettext("%(count)d changed", "%(count)d changed", n("groups_updated")),
        ngettext("%(count)d deactivated", "%(count)d deactivated", n("groups_deactivated")),
    ]
    keys = ["patrons_created", "patrons_updated", "patrons_unchanged", "patrons_deactivated"]
    group_keys = ["groups_created", "groups_updated", "groups_deactivated"]
    text = _("%(people)s: %(patrons)s; groups: %(groups)s; %(rejected)s.") % {
        "people": ngettext(
            "%(count)d person in the file", "%(count)d people in the file", n("people")
        )
        % {"count": n("people")},
        "patrons": ", ".join(t % {"count": n(k)} for t, k in zip(patrons, keys, strict=True)),
        "groups": ", ".join(t % {"count": n(k)} for t, k in zip(groups, group_keys, strict=True)),
        "rejected": ngettext(
            "%(count)d row rejected", "%(count)d rows rejected", n("rows_rejected")
        )
        % {"count": n("rows_rejected")},
    }
    if n("staff_left_alone"):
        text += " " + ngettext(
            "%(count)d person who works at a school was left as they are (groups at most).",
            "%(count)d people who work at a school were left as they are (groups at most).",
            n("staff_left_alone"),
        ) % {"count": n("staff_left_alone")}
    if dry_run:
        return text + " " + _("Dry run: nothing was saved.")
    if refused:
        return text + " " + _("Nothing was saved, because rows were rejected.")
    return text
