"""Notices on the task queue (``reol.core.tasks``): "send the notices now" on the notices page
queues ``send_notices_task`` for the school instead of sending from the web worker.

A restart that kills the worker mid-run loses nothing and repeats nothing: the queue marks the
interrupted task failed when the worker starts again (``core.tasks.recover_interrupted``), and
a run is idempotent (``Notice``'s unique constraints: one reminder per loan, level and day; one
hold-ready mail per hold), so the next run — queued again, or the daily ``reol send-notices`` —
sends exactly what the interrupted one had not.
"""

from __future__ import annotations

from typing import Any

from django_tasks import task

from reol.core import tasks as queue
from reol.core.models import School, User
from reol.core.permissions import SYSTEM, Actor, Perm, require

from . import notices


def queue_notices(actor: Actor, school: School) -> None:
    """Queue a run of the school's notices (after the caller's transaction commits)."""
    require(actor, Perm.SCHOOL_MANAGE, school)
    queue.enqueue_on_commit(send_notices_task, school.pk, getattr(actor, "pk", None))


@task()
def send_notices_task(school_id: int, actor_id: int | None = None) -> dict[str, Any]:
    """The queue's task: expire holds, mail hold-ready notices and reminders for one school."""
    school = School.objects.get(pk=school_id)
    person = User.objects.filter(pk=actor_id, is_active=True).first() if actor_id else None
    actor: Actor = person or SYSTEM
    report = notices.run(actor, schools=[school])
    return {
        "expired": report.expired,
        "hold_emails": report.hold_emails,
        "reminders": report.reminders,
        "emails": report.emails,
        "failures": report.failures[:20],
    }
