"""``reol import-patrons FILE --school CODE``: students, teachers and classes from a roster."""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any, cast

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

from reol.core.management.commands._base import ReolCommand
from reol.core.models import School
from reol.core.permissions import SYSTEM
from reol.rosters.csvsource import FIELDS
from reol.rosters.importer import Report as RosterReport
from reol.rosters.importer import import_roster
from reol.rosters.models import MappingPreset
from reol.rosters.oneroster import CARD_SOURCES
from reol.rosters.sources import Choices, load


class Command(ReolCommand):
    help = cast(
        str,
        gettext_lazy(
            "Import students, teachers and classes from a CSV file or a OneRoster 1.1/1.2 bundle "
            "(zip or folder). Nothing is saved when a row is rejected, unless --good-rows."
        ),
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--school", required=True, help=gettext_noop("the school's code"))
        parser.add_argument(
            "--format", choices=["csv", "oneroster"], help=gettext_noop("default: from the file")
        )
        parser.add_argument(
            "--dry-run", action="store_true", help=gettext_noop("report what would change")
        )
        parser.add_argument(
            "--mapping", help=gettext_noop("a column mapping saved on the page (its name)")
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="FIELD=COLUMN",
            help=_("CSV: the column of a field (%(fields)s); repeat it")
            % {"fields": ", ".join(FIELDS)},
        )
        parser.add_argument("--category", default="student", choices=["student", "teacher"])
        parser.add_argument(
            "--school-year", default="", help=gettext_noop('e.g. "2026/27" (default: today\'s)')
        )
        parser.add_argument(
            "--org", default="", help=gettext_noop("OneRoster: the org's sourcedId/identifier")
        )
        parser.add_argument("--card-from", default="", choices=CARD_SOURCES)
        parser.add_argument(
            "--good-rows",
            action="store_true",
            help=gettext_noop("import the good rows when some are rejected"),
        )
        parser.add_argument(
            "--no-deactivate",
            action="store_true",
            help=gettext_noop("keep patrons who are not in the file active"),
        )
        parser.add_argument("--max-problems", type=int, default=200)
        parser.add_argument(
            "--json", action="store_true", help=_("print the report as JSON, for scripts")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        school = School.objects.filter(code=options["school"]).first()
        if school is None:
            raise CommandError(
                _("No school has the code “%(code)s”.") % {"code": options["school"]}
            )
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(_("%(path)s does not exist.") % {"path": path})
        choices = Choices(
            format=options["format"] or "",
            mapping=_mapping(school, options["mapping"], options["map"]),
            default_category=options["category"],
            school_year=options["school_year"],
            org=options["org"],
            card_from=options["card_from"],
        )

        def progress(phase: str, percent: int) -> None:
            if sys.stderr.isatty() and not options["json"]:
                sys.stderr.write(
                    "\r" + _("saving: %(phase)s (%(n)d %%)   ") % {"phase": phase, "n": percent}
                )

        roster = load(path, school, choices)
        report = import_roster(
            SYSTEM,
            school,
            roster,
            dry_run=options["dry_run"],
            good_rows=options["good_rows"],
            deactivate_missing=not options["no_deactivate"],
            progress=progress,
        )
        if options["json"]:
            self.stdout.write(json.dumps(_as_json(report), ensure_ascii=False, default=str))
        else:
            self._report(report, options["max_problems"])
        if roster.fatal or (not options["dry_run"] and not report.saved):
            raise CommandError(_("Nothing was imported."))
        if report.counts.get("people", 0) == 0 and not report.changed_anything:
            raise CommandError(_("Nothing in the file could be imported."))

    def _report(self, report: RosterReport, limit: int) -> None:
        """What happened, in sentences of the reader's language (--json gives the data)."""
        for line in _fact_lines(report.facts):
            self.stdout.write(line)
        for problem in report.errors[:limit]:
            self.stdout.write(_("REJECTED %(problem)s") % {"problem": problem})
        for problem in report.warnings[:limit]:
            self.stdout.write(_("warning  %(problem)s") % {"problem": problem})
        orgs = report.facts.get("orgs") or []
        if orgs:
            self.stdout.write(_("The bundle has these orgs; choose one with --org ID:"))
            for org in orgs:
                self.stdout.write(
                    f"  --org {org['source_id']:<20} {org['name']}"
                    + (f" ({org['type']})" if org.get("type") else "")
                )
        hidden = max(0, len(report.errors) - limit) + max(0, len(report.warnings) - limit)
        if hidden:
            self.stdout.write(
                _("… and %(n)d more problems (raise --max-problems to see them)") % {"n": hidden}
            )
        labels = _action_labels()
        for change in report.changes[:limit]:
            fields = f" ({', '.join(change['fields'])})" if change["fields"] else ""
            label = labels.get(change["action"], change["action"])
            self.stdout.write(f"{label:<17}{change['name']}{fields}")
        self.stdout.write(report.summary())


def _action_labels() -> dict[str, str]:
    return {
        "create": _("new"),
        "update": _("changed"),
        "reactivate": _("back"),
        "deactivate": _("left"),
        "group_create": _("new group"),
        "group_deactivate": _("group gone"),
    }


def _fact_lines(facts: dict[str, Any]) -> list[str]:
    """What the reader found about the file, as sentences: its encoding, the org chosen."""
    lines = []
    if facts.get("encoding"):
        lines.append(
            _("Read %(rows)d rows in %(encoding)s, columns separated by “%(delimiter)s”.")
            % {
                "rows": facts.get("rows", 0),
                "encoding": facts["encoding"],
                "delimiter": facts.get("delimiter", ""),
            }
        )
    if facts.get("org"):
        lines.append(_("School in the bundle: %(org)s.") % {"org": facts["org"]})
    skipped = int(facts.get("skipped_other_schools") or 0)
    if skipped:
        lines.append(
            ngettext(
                "%(n)d person of another school in the bundle was left out.",
                "%(n)d people of other schools in the bundle were left out.",
                skipped,
            )
            % {"n": skipped}
        )
    return lines


def _as_json(report: RosterReport) -> dict[str, Any]:
    return {
        "facts": report.facts,
        "counts": report.counts,
        "errors": [p.as_dict() for p in report.errors],
        "warnings": [p.as_dict() for p in report.warnings],
        "changes": report.changes,
        "summary": report.summary(),
    }


def _mapping(school: School, preset_name: str | None, pairs: list[str]) -> dict[str, str]:
    """The CSV column mapping: a saved preset's (``--mapping``), then each ``--map FIELD=COLUMN``
    over it."""
    mapping: dict[str, str] = {}
    if preset_name:
        preset = MappingPreset.objects.filter(school=school, name=preset_name).first()
        if preset is None:
            names = ", ".join(
                MappingPreset.objects.filter(school=school).values_list("name", flat=True)
            )
            message = _("%(school)s has no mapping named “%(name)s”.") % {
                "school": school.code,
                "name": preset_name,
            }
            if names:
                message += " " + _("It has: %(names)s.") % {"names": names}
            raise CommandError(message)
        mapping = dict(preset.mapping)
    for item in pairs:
        field, sep, column = item.partition("=")
        if not sep or field not in FIELDS:
            raise CommandError(
                _("--map “%(item)s”: write FIELD=COLUMN, FIELD one of %(fields)s.")
                % {"item": item, "fields": ", ".join(FIELDS)}
            )
        mapping[field] = column
    return mapping
