"""`reol jobs work` runs the task queue's worker; `reol jobs recover` marks interrupted jobs.

A worker first marks failed what its own restart interrupted (see ``reol.core.tasks``), then
takes queued tasks one at a time until it is stopped (SIGTERM finishes the task at hand).
"""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandParser
from django.utils.translation import gettext_noop

from reol.core import tasks

from ._base import ReolCommand


class Command(ReolCommand):
    help = gettext_noop(
        "The task queue: `work` runs a worker, `recover` marks interrupted jobs failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        work = sub.add_parser("work", help=gettext_noop("run a worker until stopped"))
        work.add_argument(
            "--batch", action="store_true", help=gettext_noop("stop when the queue is empty")
        )
        sub.add_parser("recover", help=gettext_noop("mark what a restart interrupted as failed"))

    def handle(self, *args: Any, **options: Any) -> None:
        marked = tasks.recover_interrupted()
        if marked:
            self.stdout.write(f"{marked} job(s) interrupted by a restart marked failed\n")
        if options["action"] == "work":
            call_command(
                "db_worker",
                worker_id=tasks.worker_id(),
                batch=options["batch"],
                reload=False,
                verbosity=options.get("verbosity", 1),
            )
