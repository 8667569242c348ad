"""What a MARC import tells: the report of what it created, updated and refused, with every
problem's position and reason (``ImportReport``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


@dataclass
class Problem:
    position: int
    where: str
    control_number: str
    reason: str

    def __str__(self) -> str:
        if self.control_number:
            return _("record %(n)d (001 %(control)s), %(where)s: %(reason)s") % {
                "n": self.position,
                "control": self.control_number,
                "where": self.where,
                "reason": self.reason,
            }
        return _("record %(n)d, %(where)s: %(reason)s") % {
            "n": self.position,
            "where": self.where,
            "reason": self.reason,
        }


@dataclass
class ImportReport:
    read: int = 0
    created: int = 0
    updated: int = 0
    rejected: int = 0
    # read but no title of its own (authority, holdings, a danMARC2 enrichment): each a warning
    skipped: int = 0
    copies_created: int = 0
    copies_rejected: int = 0
    # new records with the ISBN of another (their 001+003 differ): each also a warning
    possible_duplicates: int = 0
    # records with holdings in a field the import did not read, per tag
    unread_holdings: dict[str, int] = field(default_factory=dict)
    # copies per location code the school does not have (warned about once a code)
    unknown_locations: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False
    rolled_back: bool = False
    # Set when the file is not MARC at all (or holds no record): the reason, reported once.
    not_marc: str = ""
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """Nothing could be imported: the file is not MARC, or every record was rejected (or
        skipped: an authority file holds no title)."""
        return bool(self.not_marc) or (self.read > 0 and self.rejected + self.skipped == self.read)

    def summary(self, *, cli: bool = False) -> str:
        """One sentence in the active language, ending in a full stop (and one more for each
        holdings field that was not read, saying how to read it: ``cli`` names the option)."""
        if self.not_marc:
            return _("Nothing was imported: %(reason)s.") % {"reason": self.not_marc}

        def n(value: int) -> str:
            return formats.number_format(value, force_grouping=True)

        parts = [
            ngettext("%(n)s created", "%(n)s created", self.created) % {"n": n(self.created)},
            ngettext("%(n)s updated", "%(n)s updated", self.updated) % {"n": n(self.updated)},
            ngettext("%(n)s rejected", "%(n)s rejected", self.rejected) % {"n": n(self.rejected)},
        ]
        if self.skipped:
            parts.append(
                ngettext(
                    "%(n)s skipped (not a title: authority, holdings or enrichment)",
                    "%(n)s skipped (not titles: authority, holdings or enrichment)",
                    self.skipped,
                )
                % {"n": n(self.skipped)}
            )
        copies = [
            ngettext("%(n)s copy created", "%(n)s copies created", self.copies_created)
            % {"n": n(self.copies_created)}
        ]
        if self.copies_rejected:
            copies.append(
                ngettext("%(n)s copy rejected", "%(n)s copies rejected", self.copies_rejected)
                % {"n": n(self.copies_rejected)}
            )
        text = ngettext(
            "Read %(n)s record: %(records)s; %(copies)s",
            "Read %(n)s records: %(records)s; %(copies)s",
            self.read,
        ) % {"n": n(self.read), "records": ", ".join(parts), "copies": ", ".join(copies)}
        if self.possible_duplicates:
            text += "; " + ngettext(
                "%(n)s possible duplicate (same ISBN as another record)",
                "%(n)s possible duplicates (same ISBN as another record)",
                self.possible_duplicates,
            ) % {"n": n(self.possible_duplicates)}
        if self.dry_run:
            text = _("%(summary)s (dry run: nothing saved)") % {"summary": text}
        elif self.rolled_back:
            text = _("%(summary)s (all or nothing: rejections found, nothing saved)") % {
                "summary": text
            }
        return " ".join(
            [f"{text}.", *self._unread_holdings_sentences(n, cli), *self._unknown_locations(n)]
        )

    def _unknown_locations(self, n: Callable[[int], str]) -> list[str]:
        return [
            ngettext(
                "%(n)s copy had the location “%(code)s”, which the school does not have: it "
                "has no location (add the location and import again to place it).",
                "%(n)s copies had the location “%(code)s”, which the school does not have: they "
                "have no location (add the location and import again to place them).",
                count,
            )
            % {"n": n(count), "code": code}
            for code, count in sorted(self.unknown_locations.items())
        ]

    def _unread_holdings_sentences(self, n: Callable[[int], str], cli: bool) -> list[str]:
        sentences = []
        for tag, count in sorted(self.unread_holdings.items()):
            values = {"n": n(count), "tag": tag}
            if cli:
                text = ngettext(
                    "%(n)s record had %(tag)s holdings; choose --holdings %(tag)s to read them.",
                    "%(n)s records had %(tag)s holdings; choose --holdings %(tag)s to read them.",
                    count,
                )
            else:
                text = ngettext(
                    "%(n)s record had %(tag)s holdings, which were not read; import the file "
                    "again with copies in %(tag)s to read them.",
                    "%(n)s records had %(tag)s holdings, which were not read; import the file "
                    "again with copies in %(tag)s to read them.",
                    count,
                )
            sentences.append(text % values)
        return sentences
