from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any, cast

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reol.core.backup import BackupError, restore

from ._base import ReolCommand


class Command(ReolCommand):
    help = cast(
        str,
        gettext_lazy("Replace the whole database with the backup in FILE. Stop the server first."),
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["yes"]:
            word = _("yes")
            answer = input(
                _("This replaces everything in the database. Type “%(yes)s” to go on: ")
                % {"yes": word}
            )
            if answer.strip().lower() != word:
                raise CommandError(_("Nothing was restored."))
        try:
            restore(options["file"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(_("Restored from %(file)s.") % {"file": options["file"]})
        )
