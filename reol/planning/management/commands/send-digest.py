from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext_lazy, gettext_noop

from reol.core.management.commands._base import ReolCommand
from reol.core.models import School
from reol.planning import digest


class Command(ReolCommand):
    help = cast(
        str,
        gettext_lazy(
            "E-mail each school's learning-centre staff the coming week's heavy-use classes and "
            "bookings. Run it weekly (e.g. on Fridays); a week's digest is sent once."
        ),
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--school", help=gettext_noop("only this school (its code)"))
        parser.add_argument(
            "--week",
            help=gettext_noop("the week's Monday (YYYY-MM-DD); default: next week's Monday"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        schools = School.objects.select_related("municipality").order_by("code")
        if options["school"]:
            schools = schools.filter(code=options["school"])
            if not schools.exists():
                raise CommandError(f"There is no school {options['school']}.")
        if options["week"]:
            try:
                monday = dt.date.fromisoformat(options["week"])
            except ValueError as error:
                raise CommandError("--week takes a date: YYYY-MM-DD") from error
        else:
            monday = digest.coming_monday()
        for school in schools:
            result = digest.send_digest(school, monday)
            if result.skipped:
                self.stdout.write(f"{school.code}: week of {result.week} was sent already")
            else:
                self.stdout.write(f"{school.code}: week of {result.week} sent to {result.sent}")
