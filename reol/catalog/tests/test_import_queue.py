"""MARC imports on the task queue: the page queues the job, a real worker (``reol jobs work``)
runs it, and a job that a worker restart interrupted ends "failed", never "running" forever."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from reol.catalog import jobs
from reol.catalog.models import ImportJob, Record
from reol.core import tasks

from .helpers import book, iso, signed_in

# The worker closes and reopens connections between tasks, as in production: no test
# transaction around it.
pytestmark = pytest.mark.django_db(transaction=True)

GOOD = [book(f"Bog {n}", control=f"q{n}", holdings=[{"p": f"Q{n}", "c": "skon"}]) for n in (1, 2)]
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def queued(catalogue, settings, tmp_path, django_capture_on_commit_callbacks):
    """An import uploaded on the page and queued in the database (no worker has run yet)."""
    settings.VAR_DIR = tmp_path
    settings.TASKS = DATABASE_QUEUE
    client = signed_in(catalogue.world.librarian_a)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            reverse("catalog-import"),
            {"file": SimpleUploadedFile("k.mrc", iso(*GOOD)), "holdings": "952"},
        )
    return client, page["Location"], ImportJob.objects.get()


def test_the_page_queues_the_import_and_a_real_worker_runs_it(queued):
    client, location, job = queued
    assert job.state == ImportJob.State.QUEUED
    assert DBTaskResult.objects.ready().count() == 1  # a row in the database, not a thread
    assert not Record.objects.filter(title__startswith="Bog ").exists()

    call_command("jobs", "work", "--batch")

    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE and job.counts["created"] == 2
    assert DBTaskResult.objects.successful().count() == 1
    progress = client.get(location, HTTP_HX_REQUEST="true").content.decode()
    assert progress.lstrip().startswith('<div id="import-progress"') and "hx-get" not in progress


def test_a_job_killed_by_a_restart_is_marked_failed_when_the_worker_starts_again(queued):
    _client, _location, job = queued
    # The worker claimed the task and started the import, then the machine restarted.
    result = DBTaskResult.objects.get()
    result.claim(tasks.worker_id())
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.RUNNING)

    call_command("jobs", "work", "--batch")  # the worker after the restart

    job.refresh_from_db()
    result.refresh_from_db()
    assert job.state == ImportJob.State.FAILED and "restart" in job.summary
    assert job.finished_at is not None
    assert result.status == "FAILED"


def test_a_job_another_worker_still_runs_is_left_alone(queued):
    _client, _location, job = queued
    DBTaskResult.objects.get().claim("another-host-1")
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.RUNNING)
    orphan = ImportJob.objects.create(
        school=job.school, filename="old.mrc", path="", size=0, state=ImportJob.State.RUNNING
    )

    call_command("jobs", "recover")

    job.refresh_from_db()
    orphan.refresh_from_db()
    assert job.state == ImportJob.State.RUNNING  # its worker is alive elsewhere
    assert orphan.state == ImportJob.State.FAILED  # nothing runs it any more


def test_tests_run_tasks_as_they_are_queued(catalogue, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    job = ImportJob.objects.create(
        school=catalogue.world.school_a,
        started_by=catalogue.world.librarian_a,
        filename="k.mrc",
        path=str(tmp_path / "k.mrc"),
        size=0,
        counts={"holdings": "952"},
    )
    (tmp_path / "k.mrc").write_bytes(iso(*GOOD))
    result = jobs.import_task.enqueue(job.pk, "en")
    job.refresh_from_db()
    assert result.return_value == "done" and job.state == ImportJob.State.DONE
