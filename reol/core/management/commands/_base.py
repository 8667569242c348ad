"""Shared bits of Reol's commands: they act as SYSTEM, audit as coming from the CLI, and speak
one language: ``REOL_LANGUAGE``, else the locale's (``reol.cli`` reads it), else Danish."""

from __future__ import annotations

from argparse import Action, ArgumentParser, _SubParsersAction
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    DjangoHelpFormatter,
)
from django.utils import translation
from django.utils.translation import gettext

from reol.core import audit


class TranslatedHelpFormatter(DjangoHelpFormatter):
    """Each option's help in the command's language: Reol's commands mark them with
    ``gettext_noop`` (argparse wants text, not lazy strings), and they are translated here."""

    def _get_help_string(self, action: Action) -> str | None:
        return gettext(action.help) if action.help else action.help


class ReolCommand(BaseCommand):
    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # ``help`` is lazy (or marked with ``gettext_noop``); argparse wants text, in the
        # command's one language.
        with translation.override(settings.LANGUAGE_CODE):
            self.help = gettext(str(self.help))
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        _translated(parser)
        return parser

    def execute(self, *args: Any, **options: Any) -> str | None:
        with audit.origin("cli"), translation.override(settings.LANGUAGE_CODE):
            try:
                return super().execute(*args, **options)
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from error


def _translated(parser: ArgumentParser) -> None:
    """The formatter above for the parser and each of its subcommands' (``reol user add -h``)."""
    parser.formatter_class = TranslatedHelpFormatter
    for action in parser._actions:
        if isinstance(action, _SubParsersAction):
            for sub in action.choices.values():
                _translated(sub)
