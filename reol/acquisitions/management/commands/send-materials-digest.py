from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext_lazy, gettext_noop

from reol.acquisitions.actions import digest
from reol.core.management.commands._base import ReolCommand


class Command(ReolCommand):
    help = cast(
        str,
        gettext_lazy(
            "E-mail each subscriber the new materials of their subjects and grades. Run it "
            "daily or weekly; a subscription gets at most one mail a week."
        ),
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today", help=gettext_noop("the day to send for (YYYY-MM-DD); default: today")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as error:
                raise CommandError("--today takes a date: YYYY-MM-DD") from error
        sent = digest.send_digests(today)
        self.stdout.write(f"{sent}\n")
