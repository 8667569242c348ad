from __future__ import annotations

from argparse import ArgumentParser
from typing import Any, cast

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from reol.core import accounts
from reol.core.permissions import SYSTEM
from reol.core.selectors import person_by_identifier

from ._base import ReolCommand


class Command(ReolCommand):
    help = cast(
        str,
        gettext_lazy(
            "Reset a person's two-step sign-in (a lost phone and lost recovery codes): "
            "`reol reset-two-step USERNAME`. They set it up again at their next sign-in."
        ),
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username", help=gettext_noop("username or card number, in any case"))

    def handle(self, *args: Any, **options: Any) -> None:
        person = person_by_identifier(options["username"])
        if person is None:
            raise CommandError(
                _("No person has the username or card number “%(name)s”.")
                % {"name": options["username"]}
            )
        accounts.reset_second_factor(SYSTEM, person)
        self.stdout.write(
            self.style.SUCCESS(
                _("%(user)s's two-step sign-in is reset; they are signed out everywhere.")
                % {"user": person.username}
            )
        )
