"""The task queue's jobs: the daily warning of licences that end within a month
(queued by ``reol warn-licences``, which a daily timer runs)."""

from __future__ import annotations

from django_tasks import task

from . import licences


@task()
def warn_licences_task() -> int:
    return licences.warn_expiring()
