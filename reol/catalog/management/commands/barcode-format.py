from __future__ import annotations

from argparse import ArgumentParser
from typing import Any, cast

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from reol.catalog import selectors, services
from reol.core.management.commands._base import ReolCommand
from reol.core.models import School
from reol.core.permissions import SYSTEM


class Command(ReolCommand):
    help = cast(
        str,
        gettext_lazy(
            "How a school's generated barcodes look: `reol barcode-format --school nord` shows it, "
            "`reol barcode-format --school nord --prefix NORD --digits 6` sets it (NORD000123). "
            "The default is R and 8 digits; barcodes already made keep theirs."
        ),
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--school", required=True, help=gettext_noop("school code"))
        parser.add_argument(
            "--prefix", help=gettext_noop("letters A-Z and digits, at most 12 (may be empty)")
        )
        parser.add_argument(
            "--digits", type=int, help=gettext_noop("digits after the prefix, 4-12 (8)")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        school = School.objects.filter(code=options["school"]).first()
        if school is None:
            raise CommandError(
                _("No school has the code “%(code)s”.") % {"code": options["school"]}
            )
        fmt = selectors.barcode_format(school)
        if options["prefix"] is not None or options["digits"] is not None:
            fmt = services.set_barcode_format(
                SYSTEM,
                school,
                prefix=fmt.prefix if options["prefix"] is None else options["prefix"],
                digits=fmt.digits if options["digits"] is None else options["digits"],
            )
        self.stdout.write(
            _("Generated barcodes at %(school)s look like %(example)s.")
            % {"school": school.name, "example": fmt.example()}
        )
