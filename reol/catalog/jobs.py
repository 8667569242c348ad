"""MARC imports started from the staff page: the upload is saved under ``var/imports/`` and
imported by the task queue's worker (``reol jobs work``, see ``reol.core.tasks``), which writes
its progress to the ImportJob row that the page polls. The command line runs the same importer
in the foreground. A job a worker restart interrupted is marked failed, never left running.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import close_old_connections, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from reol.core import tasks as queue
from reol.core.models import School, User
from reol.core.permissions import Perm, require

from .importer import HoldingsSpec, ImportReport, import_marc
from .models import ImportJob

MAX_PROBLEMS_KEPT = 1000


def import_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


@transaction.atomic
def start(
    actor: User,
    school: School,
    upload: UploadedFile,
    *,
    holdings: str,
    dry_run: bool,
    run_in_background: bool = True,
) -> ImportJob:
    """Save the upload and queue its import; the caller polls ``ImportJob`` for progress."""
    require(actor, Perm.CATALOG_EDIT, school)
    path = import_dir() / f"{uuid.uuid4().hex}.marc"
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    job = ImportJob.objects.create(
        school=school,
        started_by=actor,
        filename=(upload.name or "upload")[:255],
        path=str(path),
        size=path.stat().st_size,
        dry_run=dry_run,
        counts={"holdings": holdings},
    )
    if run_in_background:
        # the worker reports in the language of the person who started the import
        queue.enqueue_on_commit(import_task, job.pk, translation.get_language())
    return job


@task()
def import_task(job_id: int, language: str | None = None) -> str:
    """The queue's task: run the import and say how it ended."""
    return str(run(job_id, language).state)


def mark_interrupted(alive: set[object]) -> int:
    """Mark failed the imports left running by a restart (``alive``: the ones still running)."""
    return (
        ImportJob.objects.filter(state=ImportJob.State.RUNNING)
        .exclude(pk__in=[pk for pk in alive if isinstance(pk, int)])
        .update(
            state=ImportJob.State.FAILED,
            summary=_("Interrupted by a restart of the server; start the import again."),
            finished_at=timezone.now(),
        )
    )


def _counts(report: ImportReport, stream: IO[bytes], size: int, holdings: str) -> dict[str, object]:
    position = stream.tell() if not stream.closed else size
    return {
        "holdings": holdings,
        "read": report.read,
        "created": report.created,
        "updated": report.updated,
        "rejected": report.rejected,
        "skipped": report.skipped,
        "copies_created": report.copies_created,
        "copies_rejected": report.copies_rejected,
        "possible_duplicates": report.possible_duplicates,
        "not_marc": bool(report.not_marc),
        "percent": min(100, int(100 * position / size)) if size else 100,
        # what the summary says besides the counts, so it is said again in the reader's language
        "rolled_back": report.rolled_back,
        "unread_holdings": report.unread_holdings,
        "unknown_locations": report.unknown_locations,
    }


def summary_of(job: ImportJob) -> str:
    """The finished import's summary in the active language (a page's reader, not the language
    the import ran in), from its figures; as stored when those are not all kept (an older
    job, a failed one, a file that was not MARC)."""
    counts = job.counts
    if job.state != ImportJob.State.DONE or counts.get("not_marc") or "rolled_back" not in counts:
        return job.summary

    def figure(name: str) -> int:
        return int(counts.get(name) or 0)

    return ImportReport(
        read=figure("read"),
        created=figure("created"),
        updated=figure("updated"),
        rejected=figure("rejected"),
        skipped=figure("skipped"),
        copies_created=figure("copies_created"),
        copies_rejected=figure("copies_rejected"),
        possible_duplicates=figure("possible_duplicates"),
        unread_holdings=dict(counts.get("unread_holdings") or {}),
        unknown_locations=dict(counts.get("unknown_locations") or {}),
        dry_run=job.dry_run,
        rolled_back=bool(counts["rolled_back"]),
    ).summary()


def _close_old_connections() -> None:
    """A thread of its own starts and ends with fresh connections; called inside a transaction
    (an import run in the request, a test) it must leave the connection alone."""
    if not connection.in_atomic_block:
        close_old_connections()


def run(job_id: int, language: str | None = None) -> ImportJob:
    """Import the job's file; every batch updates the job's counts so the page can show them.
    Problems and the summary are written in ``language`` (else the active one)."""
    with translation.override(language or translation.get_language()):
        return _run(job_id)


def _run(job_id: int) -> ImportJob:
    _close_old_connections()
    job = ImportJob.objects.select_related("school", "started_by").get(pk=job_id)
    holdings = str(job.counts.get("holdings", "952"))
    job.state = ImportJob.State.RUNNING
    job.save(update_fields=["state"])
    path = Path(job.path)
    try:
        with path.open("rb") as stream:

            def progress(report: ImportReport) -> None:
                ImportJob.objects.filter(pk=job_id).update(
                    counts=_counts(report, stream, job.size, holdings)
                )

            actor = job.started_by
            if actor is None:
                raise PermissionError(_("the person who started the import no longer exists"))
            report = import_marc(
                actor,
                job.school,
                stream,
                dry_run=job.dry_run,
                holdings=HoldingsSpec.for_tag(holdings),
                progress=progress,
            )
            job.counts = {**_counts(report, stream, job.size, holdings), "percent": 100}
        job.problems = [
            {
                "level": level,
                "position": p.position,
                "where": p.where,
                "control_number": p.control_number,
                "reason": p.reason,
            }
            for level, problems in (("error", report.errors), ("warning", report.warnings))
            for p in problems[:MAX_PROBLEMS_KEPT]
        ]
        job.summary = report.summary()
        # A file that is not MARC (or holds no record) imported nothing: it failed, not finished.
        job.state = ImportJob.State.FAILED if report.not_marc else ImportJob.State.DONE
    except Exception as error:
        job.state = ImportJob.State.FAILED
        job.summary = _("%(error)s (%(kind)s)") % {"error": error, "kind": type(error).__name__}
    finally:
        path.unlink(missing_ok=True)
        job.finished_at = timezone.now()
        job.save(update_fields=["state", "counts", "problems", "summary", "finished_at"])
        _close_old_connections()
    return job
