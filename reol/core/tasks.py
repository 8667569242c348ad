"""Background work on a task queue, never in threads of a web worker.

The queue is Django's task framework (``django-tasks``, the backport of ``django.tasks`` from
Django 6.0) with its database backend (``django-tasks-db``): jobs are rows in the same SQLite
file or PostgreSQL database as everything else, so one school's laptop and a municipality's
servers need no extra server. ``reol jobs work`` runs a worker; ``make run`` starts one beside
the indexer. Tests use the immediate backend (a task runs when it is enqueued).

Apps define their tasks with ``django_tasks.task`` in their own ``tasks.py`` and keep the
progress a page polls in their own job rows (``ImportJob``, ``RosterImport``). What a worker
restart interrupts is never left "running": when a worker starts, it marks failed the queue's
results it had claimed under its (stable) worker id, and every app's job row still "running"
without a running task behind it, through the handlers apps register here (core cannot import
them). A person then sees "interrupted by a restart; start it again" instead of a bar that
never moves.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django_tasks_db.models import DBTaskResult

INTERRUPTED = "RestartInterrupted"

# task path → handler: the handler gets the ids of the app's jobs that a running task still
# works on and marks the other "running" ones failed, returning how many it marked.
_interrupted: dict[str, Callable[[set[Any]], int]] = {}


def worker_id() -> str:
    """A worker's name that survives its restart: the host and REOL_WORKER_SLOT (default 1)."""
    return f"{socket.gethostname()}-{os.environ.get('REOL_WORKER_SLOT', '1')}"[:64]


def register_interrupted(task_path: str, handler: Callable[[set[Any]], int]) -> None:
    """``handler(alive)`` marks failed the app's running jobs whose id is not in ``alive``."""
    _interrupted[task_path] = handler


def enqueue_on_commit(task: Any, *args: Any) -> None:
    """Queue ``task(*args)`` once the caller's transaction commits (the row it reads exists)."""
    transaction.on_commit(lambda: task.enqueue(*args))


def _claimed_by(result: DBTaskResult, worker: str) -> bool:
    ids: Iterable[str] = result.worker_ids or []
    return bool(ids) and list(ids)[-1] == worker


def recover_interrupted(worker: str | None = None) -> int:
    """Mark failed what a restart of ``worker`` interrupted; the number of rows marked."""
    worker = worker or worker_id()
    marked = 0
    for result in DBTaskResult.objects.running():
        if _claimed_by(result, worker):
            result.set_failed(RuntimeError(f"{INTERRUPTED}: the worker {worker} restarted"))
            marked += 1
    running = list(DBTaskResult.objects.running().values_list("task_path", "args_kwargs"))
    for task_path, handler in _interrupted.items():
        alive = {
            (args.get("args") or [None])[0]
            for path, args in running
            if path == task_path and isinstance(args, dict)
        }
        marked += handler(alive)
    return marked
