from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any, cast

from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from reol.core.backup import BackupError, inspect, restore

from ._base import ReolCommand


class Command(ReolCommand):
    help = cast(
        str,
        gettext_lazy(
            "Replace the whole database with the backup in FILE, after checking that FILE is a "
            "whole Reol backup of a schema this version knows, and after writing a safety copy "
            "of the current database under var/backups/. Stop the server first."
        ),
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--yes", action="store_true", help=gettext_noop("do not ask for confirmation")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            inspect(path)  # a missing, foreign or cut-short file is refused before the question
        except BackupError as error:
            raise CommandError(str(error)) from error
        if not options["yes"]:
            self._confirm()
        try:
            info, safety = restore(path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(_("The database as it was is kept in %(path)s.") % {"path": safety})
        if info.behind:
            self.stdout.write(_("The backup is of an older version of Reol; migrating it forward."))
            call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(self.style.SUCCESS(_("Restored from %(path)s.") % {"path": path}))

    def _confirm(self) -> None:
        refusal = _("Nothing was restored. To replace the database, run again with --yes.")
        if not sys.stdin or not sys.stdin.isatty():
            raise CommandError(_("There is no terminal to ask on.") + " " + refusal)
        try:
            answer = input(_("This replaces everything in the database. Type 'yes' to go on: "))
        except EOFError:
            raise CommandError(refusal) from None
        if answer.strip().lower() not in ("yes", _("yes")):
            raise CommandError(refusal)
