from __future__ import annotations

from typing import Any, cast

from django.utils.translation import gettext_lazy

from reol.core.management.commands._base import ReolCommand
from reol.core.tasks import enqueue_on_commit
from reol.external.jobs import warn_licences_task


class Command(ReolCommand):
    help = cast(
        str,
        gettext_lazy(
            "Queue the warning of licences that end within a month (each school's library is "
            "told once per end date). Run it daily."
        ),
    )

    def handle(self, *args: Any, **options: Any) -> None:
        enqueue_on_commit(warn_licences_task)
        self.stdout.write("queued")
