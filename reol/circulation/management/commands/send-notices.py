"""``reol send-notices``: expire uncollected holds, e-mail "your hold is ready", and send
overdue reminders at the school's levels. Idempotent: run it daily (or hourly) from a timer."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from typing import Any, cast

from django.core.management.base import CommandError
from django.utils.translation import gettext_lazy, gettext_noop

from reol.circulation import notices
from reol.core.management.commands._base import ReolCommand
from reol.core.models import School
from reol.core.permissions import SYSTEM


class Command(ReolCommand):
    help = cast(
        str,
        gettext_lazy(
            "Expire ready holds not collected in time, e-mail patrons whose holds are ready, and "
            "send overdue reminders (1, 7 and 14 days after the due date unless the school says "
            "otherwise). Safe to run again: nothing is sent twice."
        ),
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--school", help=gettext_noop("only this school (its code)"))
        parser.add_argument(
            "--date", help=gettext_noop("run as if today were this day (YYYY-MM-DD)")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        schools = None
        if options.get("school"):
            school = School.objects.filter(code=options["school"]).first()
            if school is None:
                raise CommandError(f"No school has the code {options['school']!r}.")
            schools = [school]
        today = None
        if options.get("date"):
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError(f"Not a date: {options['date']!r}") from error
        report = notices.run(SYSTEM, today=today, schools=schools)
        self.stdout.write(
            f"{report.expired} holds expired, {report.hold_emails} hold-ready e-mails, "
            f"{report.reminders} loans reminded about in {report.emails} e-mails, "
            f"{report.letters} patrons to write to on paper."
        )
        for failure in report.failures:
            self.stderr.write(f"not sent: {failure}")
        if report.failures:
            raise CommandError(f"{len(report.failures)} notices could not be sent; run again.")
