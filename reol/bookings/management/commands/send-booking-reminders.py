from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from typing import Any, cast

from django.core.management.base import CommandError
from django.utils.translation import gettext_lazy, gettext_noop

from reol.bookings import services
from reol.core.management.commands._base import ReolCommand
from reol.core.permissions import SYSTEM


class Command(ReolCommand):
    help = cast(
        str,
        gettext_lazy(
            "E-mail each teacher whose booking starts tomorrow (run it daily; it never sends the "
            "same reminder twice)."
        ),
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--today", help=gettext_noop("act as if today were this date (YYYY-MM-DD)")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options.get("today"):
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as error:
                raise CommandError("--today must be a date like 2026-11-30") from error
        sent = services.send_reminders(SYSTEM, today)
        self.stdout.write(self.style.SUCCESS(f"{sent} booking reminder(s) sent."))
