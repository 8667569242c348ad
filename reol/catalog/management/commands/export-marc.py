from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any, cast

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from reol.catalog.exporter import export_marc
from reol.catalog.models import Record
from reol.core.management.commands._base import ReolCommand
from reol.core.models import School


class Command(ReolCommand):
    help = cast(
        str,
        gettext_lazy(
            "Export MARC21 records (ISO 2709 or MARCXML), all or those with copies at a school."
        ),
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--format", default="iso2709", choices=["iso2709", "marcxml"])
        parser.add_argument(
            "--school", help=gettext_noop("only records with copies at this school")
        )
        parser.add_argument(
            "--out", type=Path, help=gettext_noop("file to write (default: standard output)")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        records = Record.objects.all()
        if options["school"]:
            school = School.objects.filter(code=options["school"]).first()
            if school is None:
                raise CommandError(
                    _("No school has the code “%(code)s”.") % {"code": options["school"]}
                )
            records = records.filter(items__school=school).distinct()
        skipped: list[tuple[int, str]] = []
        if options["out"]:
            with options["out"].open("wb") as out:
                count = export_marc(records, out, options["format"], skipped)
            self.stderr.write(
                _("%(n)d records written to %(path)s") % {"n": count, "path": options["out"]}
            )
        else:
            count = export_marc(records, sys.stdout.buffer, options["format"], skipped)
            sys.stdout.buffer.flush()
        for pk, reason in skipped:
            self.stderr.write(_("record %(n)d left out: %(reason)s") % {"n": pk, "reason": reason})
