from __future__ import annotations

from argparse import ArgumentParser
from typing import Any, cast

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from reol.catalog import sru_targets
from reol.catalog.models import SruTarget
from reol.core.management.commands._base import ReolCommand
from reol.core.models import Municipality
from reol.core.permissions import SYSTEM


class Command(ReolCommand):
    help = cast(
        str,
        gettext_lazy(
            "Catalogues to copy records from over SRU: `reol sru-target add NAME URL "
            "[--version 1.2] [--isbn-index bath.isbn]`, `reol sru-target list`, "
            "`reol sru-target remove NAME`."
        ),
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--municipality",
            help=gettext_noop("municipality code (optional when there is only one)"),
        )
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help=gettext_noop("add or change a target"))
        add.add_argument("name")
        add.add_argument(
            "url", help=gettext_noop("the SRU base URL, e.g. http://lx2.loc.gov:210/LCDB")
        )
        add.add_argument("--version", default="1.2", choices=["1.1", "1.2", "2.0"])
        add.add_argument(
            "--isbn-index", default="bath.isbn", help=gettext_noop("the CQL index for ISBN")
        )
        add.add_argument("--disabled", action="store_true")
        sub.add_parser("list", help=gettext_noop("list the targets"))
        remove = sub.add_parser("remove", help=gettext_noop("remove a target"))
        remove.add_argument("name")

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = self._municipality(options["municipality"])
        targets = SruTarget.objects.filter(municipality=municipality)
        if options["action"] == "list":
            for t in targets:
                state = "" if t.enabled else "\t" + _("(disabled)")
                self.stdout.write(f"{t.name}\t{t.base_url}\tSRU {t.version}\t{t.isbn_index}{state}")
        elif options["action"] == "add":
            target = sru_targets.save_sru_target(
                SYSTEM,
                municipality,
                name=options["name"],
                base_url=options["url"],
                version=options["version"],
                isbn_index=options["isbn_index"],
                enabled=not options["disabled"],
            )
            self.stdout.write(
                self.style.SUCCESS(
                    _("Saved SRU target %(name)s: %(url)s")
                    % {"name": target.name, "url": target.base_url}
                )
            )
        else:
            found = targets.filter(name=options["name"]).first()
            if found is None:
                raise CommandError(
                    _("No SRU target is named “%(name)s”.") % {"name": options["name"]}
                )
            sru_targets.remove_sru_target(SYSTEM, found)
            self.stdout.write(
                self.style.SUCCESS(_("Removed SRU target %(name)s") % {"name": options["name"]})
            )

    def _municipality(self, code: str | None) -> Municipality:
        if code:
            found = Municipality.objects.filter(code=code).first()
            if found is None:
                raise CommandError(_("No municipality has the code “%(code)s”.") % {"code": code})
            return found
        found_all = list(Municipality.objects.all()[:2])
        if len(found_all) != 1:
            raise CommandError(_("Name the municipality with --municipality."))
        return found_all[0]
