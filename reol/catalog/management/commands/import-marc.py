from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any, cast

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from reol.catalog.importer import HoldingsSpec, ImportReport, import_marc
from reol.core.management.commands._base import ReolCommand
from reol.core.models import School
from reol.core.permissions import SYSTEM


class Command(ReolCommand):
    help = cast(
        str,
        gettext_lazy(
            "Import MARC21 records (ISO 2709 or MARCXML) with their copies into a school. Exits "
            "with status 1 when the file is not MARC or every record was rejected."
        ),
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--school", required=True, help=gettext_noop("school code that owns the copies")
        )
        parser.add_argument("--format", default="auto", choices=["auto", "iso2709", "marcxml"])
        parser.add_argument(
            "--dry-run", action="store_true", help=gettext_noop("report, save nothing")
        )
        parser.add_argument(
            "--all-or-nothing",
            action="store_true",
            help=gettext_noop("save nothing on any rejection"),
        )
        parser.add_argument(
            "--holdings",
            default="952",
            help=_(
                "holdings field: 952 (Koha), 852, 949 (vendors: $i barcode, $a shelf mark, "
                "$l location, $p price), or a tag with a mapping such as "
                "949:barcode=i,shelf_mark=a,location=l,price=p"
            ),
        )
        parser.add_argument(
            "--barcode-subfield", help=gettext_noop("subfield of the barcode (952: p)")
        )
        parser.add_argument(
            "--shelfmark-subfield", help=gettext_noop("subfield of the shelf mark (952: o)")
        )
        parser.add_argument(
            "--max-problems", type=int, default=200, help=gettext_noop("problems to print")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        school = School.objects.filter(code=options["school"]).first()
        if school is None:
            raise CommandError(
                _("No school has the code “%(code)s”.") % {"code": options["school"]}
            )
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("%(path)s is not a file.") % {"path": path})
        try:
            spec = HoldingsSpec.parse(options["holdings"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        if options["barcode_subfield"]:
            spec = HoldingsSpec(**{**spec.__dict__, "barcode": options["barcode_subfield"]})
        if options["shelfmark_subfield"]:
            spec = HoldingsSpec(**{**spec.__dict__, "shelf_mark": options["shelfmark_subfield"]})

        def progress(report: ImportReport) -> None:
            if sys.stderr.isatty():
                sys.stderr.write("\r" + _("%(n)d records read…") % {"n": report.read})

        with path.open("rb") as stream:
            report = import_marc(
                SYSTEM,
                school,
                stream,
                fmt=options["format"],
                dry_run=options["dry_run"],
                all_or_nothing=options["all_or_nothing"],
                holdings=spec,
                progress=progress,
            )
        limit = options["max_problems"]
        if not report.not_marc:  # else the summary says it, once
            for problem in report.errors[:limit]:
                self.stdout.write(_("REJECTED %(problem)s") % {"problem": problem})
        for problem in report.warnings[:limit]:
            self.stdout.write(_("warning  %(problem)s") % {"problem": problem})
        hidden = max(0, len(report.errors) - limit) + max(0, len(report.warnings) - limit)
        if hidden:
            self.stdout.write(
                _("… and %(n)d more problems (raise --max-problems to see them)") % {"n": hidden}
            )
        if report.failed:  # a script or cron job must see that nothing came in
            raise CommandError(report.summary(cli=True))
        self.stdout.write(self.style.SUCCESS(report.summary(cli=True)))
