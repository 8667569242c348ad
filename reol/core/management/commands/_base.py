"""Shared bits of Reol's commands: they act as SYSTEM and audit as coming from the CLI."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from reol.core import audit


class ReolCommand(BaseCommand):
    def execute(self, *args: Any, **options: Any) -> str | None:
        with audit.origin("cli"):
            try:
                return super().execute(*args, **options)
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from error
