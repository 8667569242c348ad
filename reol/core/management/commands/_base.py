"""Shared bits of Reol's commands: they act as SYSTEM, audit as coming from the CLI, and speak
one language: ``REOL_LANGUAGE``, else the locale's (``reol.cli`` reads it), else Danish."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from reol.core import audit


class ReolCommand(BaseCommand):
    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # ``help`` is translated lazily; argparse wants text, in the command's one language.
        with translation.override(settings.LANGUAGE_CODE):
            self.help = str(self.help)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def execute(self, *args: Any, **options: Any) -> str | None:
        with audit.origin("cli"), translation.override(settings.LANGUAGE_CODE):
            try:
                return super().execute(*args, **options)
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from error
