from __future__ import annotations

from argparse import ArgumentParser, BooleanOptionalAction
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from reol.core.management.commands._base import ReolCommand
from reol.core.models import School
from reol.core.permissions import SYSTEM
from reol.protocols import selectors, services


class Command(ReolCommand):
    help = gettext_noop(
        "Choose whether a school's holdings are shared over SRU and OAI-PMH: "
        "`reol publish --school CODE --no-oai` (without --sru/--oai: show the setting)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--school", required=True, help=gettext_noop("the school's code"))
        parser.add_argument("--sru", action=BooleanOptionalAction, default=None)
        parser.add_argument("--oai", action=BooleanOptionalAction, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        school = School.objects.filter(code=options["school"]).first()
        if school is None:
            raise CommandError(_("No school has the code %(code)r.") % {"code": options["school"]})
        current = selectors.publication(school)
        sru = current.sru if options["sru"] is None else options["sru"]
        oai = current.oai if options["oai"] is None else options["oai"]
        if options["sru"] is not None or options["oai"] is not None:
            current = services.set_publication(SYSTEM, school, sru=sru, oai=oai)
        yes, no = _("yes"), _("no")
        self.stdout.write(
            _("%(school)s: SRU %(sru)s, OAI-PMH %(oai)s")
            % {
                "school": school.name,
                "sru": yes if current.sru else no,
                "oai": yes if current.oai else no,
            }
        )
