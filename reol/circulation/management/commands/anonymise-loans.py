"""``reol anonymise-loans``: forget the borrowers of returned student loans past each school's
period (run daily from a timer; see docs/patrons.md)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any, cast

from django.core.management.base import CommandError
from django.utils.translation import gettext_lazy, gettext_noop

from reol.circulation.actions.privacy import anonymise_loans
from reol.core.management.commands._base import ReolCommand
from reol.core.models import School
from reol.core.permissions import SYSTEM


class Command(ReolCommand):
    help = cast(
        str,
        gettext_lazy(
            "Forget the borrower of every returned student loan past its school's period "
            "(students who keep their history are left). Run daily."
        ),
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--school", help=gettext_noop("only this school (its code)"))

    def handle(self, *args: Any, **options: Any) -> None:
        school = None
        if options.get("school"):
            school = School.objects.filter(code=options["school"]).first()
            if school is None:
                raise CommandError(f"No school has the code {options['school']!r}.")
        count = anonymise_loans(SYSTEM, school=school)
        self.stdout.write(self.style.SUCCESS(f"{count} returned loans anonymised."))
