"""Big label runs and search rebuilds on the task queue (``reol.core.tasks``), never in a web
worker: the page queues a run, ``reol jobs work`` makes it, writing its progress to the run's
row that the page polls, and the librarian fetches the PDF when it is done. A run that a worker
restart interrupted ends "failed", never "running" forever.

A small label run (up to ``LABELS_AT_ONCE``) is still made in the request: measured on this
machine, 100 barcode labels render in about 45 ms, 5,000 in about 1.7 s of a web worker's CPU
(and a PDF of 440 KB), which is where a queue and a progress bar earn their keep.

A rebuild needs the index's writer, which the indexer (``reol search run``) holds: while a
``ReindexRun`` is running the indexer lets go of it and applies nothing, and takes it back
when the run ends (see ``search.indexer.run``). Changes meanwhile wait in the outbox.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from reol.core import audit
from reol.core import tasks as queue
from reol.core.models import School, User
from reol.core.permissions import Actor, Perm, require

from . import labels, search
from .models import Item, LabelRun, Record, ReindexRun

# Runs up to this many labels are made in the request (and need no confirmation).
LABELS_AT_ONCE = 100
# A finished run's PDF is kept this long for the librarian to fetch (again).
KEEP_LABEL_RUNS = dt.timedelta(days=7)
# How long a rebuild waits for the indexer to let go of the writer (it looks twice a second).
WRITER_WAIT_SECONDS = 60.0


def labels_dir() -> Path:
    path = Path(settings.VAR_DIR) / "labels"
    path.mkdir(parents=True, exist_ok=True)
    return path


def label_rows(items: list[Item], school: School) -> list[labels.Label]:
    return [
        labels.Label(i.barcode, i.effective_shelf_mark, i.record.title, school.name) for i in items
    ]


@transaction.atomic
def start_label_run(
    actor: Actor,
    school: School,
    items: list[Item],
    sheet: labels.LabelLayout,
    *,
    kind: str,
    skip: int = 0,
) -> LabelRun:
    """Queue a PDF of these copies' labels (in this order); old runs' PDFs are cleared away."""
    require(actor, Perm.CATALOG_EDIT, school)
    _forget_old_label_runs(school)
    run = LabelRun.objects.create(
        school=school,
        started_by=actor if isinstance(actor, User) else None,
        kind=kind,
        sheet=dataclasses.asdict(sheet),
        skip=skip,
        item_ids=[i.pk for i in items],
        count=len(items),
    )
    audit.record(actor, "labels.run", run, school=school, details={"count": run.count})
    queue.enqueue_on_commit(label_task, run.pk, translation.get_language())
    return run


def _forget_old_label_runs(school: School) -> None:
    old = LabelRun.objects.filter(
        school=school, created_at__lt=timezone.now() - KEEP_LABEL_RUNS
    ).exclude(state__in=[LabelRun.State.QUEUED, LabelRun.State.RUNNING])
    for path in old.exclude(path="").values_list("path", flat=True):
        Path(path).unlink(missing_ok=True)
    old.delete()


@task()
def label_task(run_id: int, language: str | None = None) -> str:
    """The queue's task: make the run's PDF and say how it ended."""
    with translation.override(language or translation.get_language()):
        return str(make_labels(run_id).state)


def make_labels(run_id: int) -> LabelRun:
    run = LabelRun.objects.select_related("school").get(pk=run_id)
    run.state = LabelRun.State.RUNNING
    run.save(update_fields=["state"])
    try:
        found = Item.objects.filter(pk__in=run.item_ids, school=run.school).select_related("record")
        by_id = {i.pk: i for i in found}
        items = [by_id[pk] for pk in run.item_ids if pk in by_id]  # a copy deleted meanwhile
        pdf = labels.render(
            label_rows(items, run.school),
            labels.LabelLayout(**run.sheet),
            run.kind,
            run.skip,
            progress=lambda n: _label_progress(run_id, n),
        )
        path = labels_dir() / f"{uuid.uuid4().hex}.pdf"
        path.write_bytes(pdf)
        run.path, run.done, run.state = str(path), run.count, LabelRun.State.DONE
        missing = run.count - len(items)
        if missing:
            run.summary = _("%(n)s of the copies were deleted before their labels were made.") % {
                "n": missing
            }
    except Exception as error:
        run.state = LabelRun.State.FAILED
        run.summary = _("%(error)s (%(kind)s)") % {"error": error, "kind": type(error).__name__}
    run.finished_at = timezone.now()
    run.save(update_fields=["state", "path", "done", "summary", "finished_at"])
    return run


def _label_progress(run_id: int, done: int) -> None:
    LabelRun.objects.filter(pk=run_id).update(done=done)


def mark_labels_interrupted(alive: set[object]) -> int:
    """Mark failed the label runs left running by a restart (``alive``: still running)."""
    return (
        LabelRun.objects.filter(state=LabelRun.State.RUNNING)
        .exclude(pk__in=[pk for pk in alive if isinstance(pk, int)])
        .update(
            state=LabelRun.State.FAILED,
            summary=_("Interrupted by a restart of the server; make the labels again."),
            finished_at=timezone.now(),
        )
    )


# --- the search index ----------------------------------------------------------------------


def current_reindex() -> ReindexRun | None:
    """The rebuild waiting or running, else the latest one."""
    active = ReindexRun.objects.filter(
        state__in=[ReindexRun.State.QUEUED, ReindexRun.State.RUNNING]
    )
    return active.order_by("-pk").first() or ReindexRun.objects.order_by("-pk").first()


@transaction.atomic
def start_reindex(actor: Actor, school: School) -> ReindexRun:
    """Queue a rebuild of the whole search index; one waiting or running is not queued twice.

    The index serves every school of the installation, so it takes an administrator."""
    require(actor, Perm.STAFF_MANAGE, school)
    active = (
        ReindexRun.objects.select_for_update()
        .filter(state__in=[ReindexRun.State.QUEUED, ReindexRun.State.RUNNING])
        .first()
    )
    if active is not None:
        return active
    run = ReindexRun.objects.create(
        started_by=actor if isinstance(actor, User) else None,
        total=Record.objects.count(),
    )
    audit.record(actor, "search.reindex", run, school=school)
    queue.enqueue_on_commit(reindex_task, run.pk, translation.get_language())
    return run


@task()
def reindex_task(run_id: int, language: str | None = None) -> str:
    """The queue's task: rebuild the index and say how it ended."""
    with translation.override(language or translation.get_language()):
        return str(rebuild(run_id).state)


def _beat(run_id: int, **fields: object) -> None:
    ReindexRun.objects.filter(pk=run_id).update(updated_at=timezone.now(), **fields)


def rebuild(run_id: int, *, wait: float = WRITER_WAIT_SECONDS) -> ReindexRun:
    """Run the rebuild (the indexer sees the run "running" and lets go of the writer)."""
    _beat(run_id, state=ReindexRun.State.RUNNING)
    fields: dict[str, object]
    try:
        count = search.reindex(progress=lambda n: _beat(run_id, done=n), wait=wait)
    except ValueError as error:  # the writer never came free
        fields = {
            "state": ReindexRun.State.FAILED,
            "summary": _(
                "The search indexer did not let go of the index (%(error)s). Stop it, or "
                "run `reol search reindex` on the server."
            )
            % {"error": error},
        }
    except Exception as error:
        fields = {
            "state": ReindexRun.State.FAILED,
            "summary": _("%(error)s (%(kind)s)") % {"error": error, "kind": type(error).__name__},
        }
    else:
        fields = {
            "state": ReindexRun.State.DONE,
            "done": count,
            "total": count,
            "summary": _("%(n)s records indexed.") % {"n": count},
        }
    _beat(run_id, finished_at=timezone.now(), **fields)
    return ReindexRun.objects.get(pk=run_id)


def mark_reindex_interrupted(alive: set[object]) -> int:
    """Mark failed a rebuild left running by a restart (the indexer then carries on)."""
    return (
        ReindexRun.objects.filter(state=ReindexRun.State.RUNNING)
        .exclude(pk__in=[pk for pk in alive if isinstance(pk, int)])
        .update(
            state=ReindexRun.State.FAILED,
            summary=_("Interrupted by a restart of the server; start the rebuild again."),
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
    )
