from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any, cast

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reol.core.backup import BackupError, backup

from ._base import ReolCommand


class Command(ReolCommand):
    help = cast(
        str,
        gettext_lazy(
            "Write a consistent backup of the whole database to FILE (safe while serving)."
        ),
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            backup(options["file"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(_("Backup written to %(file)s.") % {"file": options["file"]})
        )
