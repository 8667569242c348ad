from __future__ import annotations

from argparse import ArgumentParser
from typing import Any, cast

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from reol.core import services
from reol.core.models import Municipality, School
from reol.core.permissions import SYSTEM

from ._base import ReolCommand


class Command(ReolCommand):
    help = cast(
        str,
        gettext_lazy(
            "Manage schools: `reol school add --code CODE --name NAME`, `reol school list`."
        ),
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help=gettext_noop("add a school"))
        add.add_argument("--code", required=True, help=gettext_noop("short code, e.g. nordskolen"))
        add.add_argument("--name", required=True)
        add.add_argument(
            "--municipality",
            help=gettext_noop(
                "municipality code (created if new; optional when there is only one)"
            ),
        )
        add.add_argument("--municipality-name", help=gettext_noop("name of a new municipality"))
        add.add_argument("--language", default="da", choices=["da", "nb", "en"])
        sub.add_parser("list", help=gettext_noop("list the schools"))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for school in School.objects.select_related("municipality"):
                self.stdout.write(f"{school.code}\t{school.name}\t{school.municipality.code}")
            return
        municipality = self._municipality(options["municipality"], options["municipality_name"])
        school = services.create_school(
            SYSTEM,
            municipality=municipality,
            code=options["code"],
            name=options["name"],
            default_language=options["language"],
        )
        self.stdout.write(
            self.style.SUCCESS(
                _("Added school %(code)s: %(name)s.") % {"code": school.code, "name": school.name}
            )
        )

    def _municipality(self, code: str | None, name: str | None) -> Municipality:
        if code:
            found = Municipality.objects.filter(code=code).first()
            return found or services.create_municipality(SYSTEM, code=code, name=name or code)
        existing = list(Municipality.objects.all()[:2])
        if len(existing) == 1:
            return existing[0]
        if existing:
            raise CommandError(_("There are several municipalities: name one with --municipality."))
        return services.create_municipality(
            SYSTEM, code="municipality", name=name or "Municipality"
        )
