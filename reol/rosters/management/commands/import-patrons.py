"""``reol import-patrons FILE --school CODE``: students, teachers and classes from a roster."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any, cast

from django.core.management.base import CommandError
from django.utils.translation import gettext_lazy

from reol.core.management.commands._base import ReolCommand
from reol.core.models import School
from reol.core.permissions import SYSTEM
from reol.rosters.csvsource import FIELDS
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
        parser.add_argument("--school", required=True, help="the school's code")
        parser.add_argument("--format", choices=["csv", "oneroster"], help="default: from the file")
        parser.add_argument("--dry-run", action="store_true", help="report what would change")
        parser.add_argument("--mapping", help="a column mapping saved on the page (its name)")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="FIELD=COLUMN",
            help=f"CSV: the column of a field ({', '.join(FIELDS)}); repeat it",
        )
        parser.add_argument("--category", default="student", choices=["student", "teacher"])
        parser.add_argument("--school-year", default="", help='e.g. "2026/27" (default: today\'s)')
        parser.add_argument("--org", default="", help="OneRoster: the org's sourcedId/identifier")
        parser.add_argument("--card-from", default="", choices=CARD_SOURCES)
        parser.add_argument(
            "--good-rows", action="store_true", help="import the good rows when some are rejected"
        )
        parser.add_argument(
            "--no-deactivate",
            action="store_true",
            help="keep patrons who are not in the file active",
        )
        parser.add_argument("--max-problems", type=int, default=200)

    def handle(self, *args: Any, **options: Any) -> None:
        school = School.objects.filter(code=options["school"]).first()
        if school is None:
            raise CommandError(f"No school has the code {options['school']!r}.")
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"{path} does not exist.")
        mapping: dict[str, str] = {}
        if options["mapping"]:
            preset = MappingPreset.objects.filter(school=school, name=options["mapping"]).first()
            if preset is None:
                names = ", ".join(
                    MappingPreset.objects.filter(school=school).values_list("name", flat=True)
                )
                raise CommandError(
                    f"{school.code} has no mapping named {options['mapping']!r}"
                    + (f" (it has: {names})." if names else ".")
                )
            mapping = dict(preset.mapping)
        for item in options["map"]:
            field, sep, column = item.partition("=")
            if not sep or field not in FIELDS:
                raise CommandError(
                    f"--map {item!r}: write FIELD=COLUMN, FIELD one of {', '.join(FIELDS)}."
                )
            mapping[field] = column
        choices = Choices(
            format=options["format"] or "",
            mapping=mapping,
            default_category=options["category"],
            school_year=options["school_year"],
            org=options["org"],
            card_from=options["card_from"],
        )

        def progress(phase: str, percent: int) -> None:
            if sys.stderr.isatty():
                sys.stderr.write(f"\rsaving: {phase} ({percent} %)   ")

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
        facts = ", ".join(f"{k}: {v}" for k, v in report.facts.items() if k != "orgs")
        if facts:
            self.stdout.write(facts)
        limit = options["max_problems"]
        for problem in report.errors[:limit]:
            self.stdout.write(f"REJECTED {problem}")
        for problem in report.warnings[:limit]:
            self.stdout.write(f"warning  {problem}")
        hidden = max(0, len(report.errors) - limit) + max(0, len(report.warnings) - limit)
        if hidden:
            self.stdout.write(f"… and {hidden} more problems (raise --max-problems to see them)")
        for change in report.changes[:limit]:
            fields = f" ({', '.join(change['fields'])})" if change["fields"] else ""
            self.stdout.write(f"{change['action']:<17}{change['name']}{fields}")
        counts = " ".join(f"{k}={v}" for k, v in sorted(report.counts.items()))
        self.stdout.write(counts)
        self.stdout.write(report.summary())
        if roster.fatal or (not options["dry_run"] and not report.saved):
            raise CommandError("Nothing was imported.")
        if report.counts.get("people", 0) == 0 and not report.changed_anything:
            raise CommandError("Nothing in the file could be imported.")
