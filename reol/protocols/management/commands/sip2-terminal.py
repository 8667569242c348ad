from __future__ import annotations

import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from reol.core.management.commands._base import ReolCommand
from reol.core.models import Location, School
from reol.core.permissions import SYSTEM
from reol.protocols import services
from reol.protocols.models import SipTerminal


class Command(ReolCommand):
    help = gettext_noop(
        "Self-service terminals (SIP2): `reol sip2-terminal add kiosk1 --school CODE "
        "--password-stdin`, `reol sip2-terminal list`, `reol sip2-terminal disable kiosk1`."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help=_("add a terminal"))
        add.add_argument("login")
        add.add_argument("--school", required=True)
        add.add_argument("--location", default="", help=_("the location's name"))
        add.add_argument("--encoding", default="utf-8", choices=SipTerminal.Encoding.values)
        add.add_argument("--no-pin", action="store_true", help=_("patrons need no PIN"))
        add.add_argument("--password-stdin", action="store_true")
        sub.add_parser("list", help=_("list the terminals"))
        disable = sub.add_parser("disable", help=_("switch a terminal off"))
        disable.add_argument("login")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "list":
            for terminal in SipTerminal.objects.select_related("school"):
                state = _("on") if terminal.enabled else _("off")
                self.stdout.write(
                    f"{terminal.login}\t{terminal.school.code}\t{terminal.encoding}\t{state}"
                )
            return
        if action == "disable":
            found = SipTerminal.objects.filter(login=options["login"]).first()
            if found is None:
                raise CommandError(_("No terminal has the login %(l)r.") % {"l": options["login"]})
            services.disable_terminal(SYSTEM, found)
            self.stdout.write(_("%(login)s is switched off.") % {"login": found.login})
            return
        school = School.objects.filter(code=options["school"]).first()
        if school is None:
            raise CommandError(_("No school has the code %(code)r.") % {"code": options["school"]})
        location = None
        if options["location"]:
            location = Location.objects.filter(school=school, name=options["location"]).first()
            if location is None:
                raise CommandError(
                    _("%(school)s has no location %(name)r.")
                    % {"school": school.name, "name": options["location"]}
                )
        if not options["password_stdin"]:
            raise CommandError(
                _("Give the terminal's password on standard input (--password-stdin).")
            )
        password = sys.stdin.readline().rstrip("\n")
        terminal = services.add_terminal(
            SYSTEM,
            school,
            login=options["login"],
            password=password,
            location=location,
            encoding=options["encoding"],
            require_pin=not options["no_pin"],
        )
        self.stdout.write(
            _("Terminal %(login)s added at %(school)s.")
            % {"login": terminal.login, "school": school.name}
        )
