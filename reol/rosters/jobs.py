"""Roster imports started from the staff page.

The upload is saved under ``var/imports/`` (the dry run and the real import read the same
file), and each run goes to the task queue's worker (``reol.core.tasks``), writing its phase
and percent to the ``RosterImport`` row the page polls. The file is deleted when the real
import has run, and any upload left over (a dry run never confirmed) after ``KEEP_UPLOADS``:
it holds children's names; for the same reason a report's lists of names are emptied after
``KEEP_REPORTS``. The command line runs the same importer in the foreground.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from reol.core import tasks as queue
from reol.core.models import School, User
from reol.core.permissions import Perm, require

from .importer import Report, import_roster
from .models import RosterImport
from .sources import Choices, detect_format, load

MAX_PROBLEMS_KEPT = 2000
KEEP_UPLOADS = dt.timedelta(days=1)
KEEP_REPORTS = dt.timedelta(days=30)
UPLOAD_PREFIX = "roster-"
SAVED_FIELDS = [
    "state",
    "phase",
    "percent",
    "counts",
    "facts",
    "problems",
    "changes",
    "summary",
    "saved",
    "finished_at",
    "path",
]


def upload_limit() -> int:
    """The largest file the page takes, in bytes (setting REOL_ROSTER_UPLOAD_MAX_BYTES).

    20 MB by default: a CSV of a whole municipality's 100,000 students is some 8 MB, its
    OneRoster zip 3 MB; a larger file is read in a web worker's memory (about 40 times its size
    at the peak), so the command line, which has no limit, is the place for it."""
    return int(getattr(settings, "REOL_ROSTER_UPLOAD_MAX_BYTES", 20 * 1024 * 1024))


def import_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def forget_old_uploads() -> int:
    """Delete uploads older than KEEP_UPLOADS (a dry run nobody confirmed), and the names in
    reports older than KEEP_REPORTS (the counts stay)."""
    now = timezone.now()
    old = RosterImport.objects.filter(created_at__lt=now - KEEP_UPLOADS).exclude(path="")
    removed = 0
    for job in old:
        Path(job.path).unlink(missing_ok=True)
        removed += 1
    old.update(path="")
    RosterImport.objects.filter(created_at__lt=now - KEEP_REPORTS).update(changes=[], problems=[])
    return removed


@transaction.atomic
def receive(actor: User, school: School, upload: UploadedFile, *, fmt: str = "") -> RosterImport:
    """Save the upload and make its (not yet started) import."""
    require(actor, Perm.PEOPLE_MANAGE, school)
    forget_old_uploads()
    suffix = Path(upload.name or "").suffix.lower()[:8] or ".csv"
    path = import_dir() / f"{UPLOAD_PREFIX}{uuid.uuid4().hex}{suffix}"
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return RosterImport.objects.create(
        school=school,
        started_by=actor,
        filename=(upload.name or "upload")[:255],
        path=str(path),
        size=path.stat().st_size,
        format=fmt or detect_format(path),
        options={"format": fmt or detect_format(path)},
    )


@transaction.atomic
def start(
    actor: User,
    job: RosterImport,
    *,
    dry_run: bool,
    options: dict[str, object],
    run_in_background: bool = True,
) -> RosterImport:
    """Queue a run over the job's file: the dry run itself, or a new row for the real import."""
    require(actor, Perm.PEOPLE_MANAGE, job.school)
    if dry_run:
        run_job = job
        run_job.options = {**job.options, **options}
        run_job.dry_run = True
    else:
        run_job = RosterImport.objects.create(
            school=job.school,
            started_by=actor,
            filename=job.filename,
            path=job.path,
            size=job.size,
            format=job.format,
            options={**job.options, **options},
            dry_run=False,
            checked_by=job,
        )
    run_job.state = RosterImport.State.QUEUED
    run_job.phase, run_job.percent = "", 0
    run_job.counts, run_job.problems, run_job.changes, run_job.summary = {}, [], [], ""
    run_job.save()
    if run_in_background:
        queue.enqueue_on_commit(import_task, run_job.pk)
    return run_job


@task()
def import_task(job_id: int) -> str:
    """The queue's task: run the check or import and say how it ended."""
    return str(run(job_id).state)


def mark_interrupted(alive: set[object]) -> int:
    """Mark failed the runs left running by a restart (``alive``: the ones still running)."""
    return (
        RosterImport.objects.filter(state=RosterImport.State.RUNNING)
        .exclude(pk__in=[pk for pk in alive if isinstance(pk, int)])
        .update(
            state=RosterImport.State.FAILED,
            phase="",
            summary=_("Interrupted by a restart of the server; start the import again."),
            finished_at=timezone.now(),
        )
    )


def _close_old_connections() -> None:
    if not connection.in_atomic_block:
        close_old_connections()


def _set(job_id: int, **values: object) -> None:
    RosterImport.objects.filter(pk=job_id).update(**values)


def run(job_id: int) -> RosterImport:
    """Read, check and (unless a dry run) import the job's file."""
    _close_old_connections()
    job = RosterImport.objects.select_related("school", "started_by").get(pk=job_id)
    _set(job_id, state=RosterImport.State.RUNNING, phase="reading", percent=5)
    report: Report | None = None
    try:
        actor = job.started_by
        if actor is None:
            raise PermissionError("the person who started the import no longer exists")
        path = Path(job.path)
        if not job.path or not path.exists():
            raise FileNotFoundError("the uploaded file is gone; upload it again")
        roster = load(path, job.school, Choices.from_options(job.options), filename=job.filename)
        # Saving is one transaction, so its progress could not be seen from outside it.
        _set(job_id, phase="checking" if job.dry_run else "saving", percent=40)
        report = import_roster(
            actor,
            job.school,
            roster,
            dry_run=job.dry_run,
            good_rows=bool(job.options.get("good_rows")),
            deactivate_missing=bool(job.options.get("deactivate_missing", True)),
            job=job,
        )
        job.counts = report.counts
        job.facts = {k: v for k, v in report.facts.items() if k != "mapping"}
        job.problems = [p.as_dict() for p in report.problems[:MAX_PROBLEMS_KEPT]]
        job.changes = report.changes
        job.summary = report.summary()
        job.saved = report.saved
        job.state = RosterImport.State.DONE
    except Exception as error:
        job.state = RosterImport.State.FAILED
        job.summary = f"{type(error).__name__}: {error}"
    finally:
        if not job.dry_run and job.path:
            Path(job.path).unlink(missing_ok=True)
            RosterImport.objects.filter(path=job.path).update(path="")
            job.path = ""
        job.phase, job.percent = "", 100
        job.finished_at = timezone.now()
        job.save(update_fields=SAVED_FIELDS)
        _close_old_connections()
    return job
