"""Big label runs and the search index's rebuild on the task queue: the page queues a row in the
database, a real worker (``reol jobs work``) makes it, the page shows how far it got and hands
over the PDF; a run a worker restart interrupted ends "failed", never "running" forever."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from reol.catalog import runs, search, services
from reol.catalog.models import LabelRun, Record, ReindexRun
from reol.core import tasks
from reol.core.permissions import SYSTEM

from .helpers import signed_in
from .test_labels import pages

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
BIG = {"selection": "today", "kind": "barcode", "layout": "a4-3x7", "skip": "0", "confirm": "152"}


@pytest.fixture
def queued(catalogue, record, settings, tmp_path, django_capture_on_commit_callbacks):
    """A confirmed run of 152 labels, queued in the database (no worker has run yet)."""
    settings.VAR_DIR = tmp_path
    settings.TASKS = DATABASE_QUEUE
    services.add_items(SYSTEM, record, catalogue.world.school_a, count=150)  # and A100, A101
    client = signed_in(catalogue.world.librarian_a)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("catalog-labels"), BIG)
    return client, answer, LabelRun.objects.get()


@pytest.mark.django_db(transaction=True)  # the worker opens and closes its own connections
def test_a_big_run_is_queued_and_a_real_worker_makes_the_pdf(queued):
    client, answer, run = queued
    assert answer.status_code == 302 and answer["Location"].endswith(f"/labels/{run.pk}/")
    assert run.state == LabelRun.State.QUEUED and run.count == 152
    assert DBTaskResult.objects.ready().count() == 1  # a row in the database, not a thread
    waiting = client.get(answer["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert "hx-get" in waiting and "0 of 152 labels" in waiting
    assert client.get(reverse("catalog-label-run-pdf", args=[run.pk])).status_code == 404

    call_command("jobs", "work", "--batch")

    run.refresh_from_db()
    assert (run.state, run.done) == (LabelRun.State.DONE, 152)
    done = client.get(answer["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert "hx-get" not in done and "152 of 152 labels" in done
    pdf = client.get(reverse("catalog-label-run-pdf", args=[run.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pages(b"".join(pdf.streaming_content)) == 8  # 152 labels, 21 a sheet


@pytest.mark.django_db(transaction=True)
def test_a_run_killed_by_a_restart_is_marked_failed_when_the_worker_starts_again(queued):
    _client, _answer, run = queued
    DBTaskResult.objects.get().claim(tasks.worker_id())
    LabelRun.objects.filter(pk=run.pk).update(state=LabelRun.State.RUNNING, done=42)

    call_command("jobs", "work", "--batch")  # the worker after the restart

    run.refresh_from_db()
    assert run.state == LabelRun.State.FAILED and "restart" in run.summary
    assert run.finished_at is not None and not run.path


@pytest.mark.django_db(transaction=True)
def test_another_schools_librarian_sees_neither_the_run_nor_its_pdf(queued, catalogue):
    call_command("jobs", "work", "--batch")
    _client, answer, run = queued
    other = signed_in(catalogue.world.librarian_b)
    assert other.get(answer["Location"]).status_code == 404
    assert other.get(reverse("catalog-label-run-pdf", args=[run.pk])).status_code == 404


@pytest.mark.django_db
def test_a_small_run_answers_at_once_and_queues_nothing(catalogue, record):
    client = signed_in(catalogue.world.librarian_a)
    services.add_items(SYSTEM, record, catalogue.world.school_a, count=runs.LABELS_AT_ONCE - 2)

    answer = client.post(reverse("catalog-labels"), {**BIG, "confirm": ""})

    assert answer["Content-Type"] == "application/pdf"
    assert not LabelRun.objects.exists()


# --- the search index ------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_administrator_rebuilds_the_index_from_the_page(
    catalogue, django_capture_on_commit_callbacks
):
    # A record written past the outbox (as a restore or a bug would): search cannot find it.
    Record.objects.create(
        municipality=catalogue.world.municipality, title="Vulkanernes hemmelighed", marc={}
    )
    query = search.SearchQuery(text="vulkanernes", municipality_id=catalogue.world.municipality.pk)
    assert search.search(query).total == 0
    client = signed_in(catalogue.world.admin_a)

    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("catalog-search-reindex"))
        again = client.post(reverse("catalog-search-reindex"))  # a second click
    assert answer.status_code == again.status_code == 302

    run = ReindexRun.objects.get()
    assert run.state == ReindexRun.State.DONE and run.done == run.total >= 1
    assert search.search(query).total == 1
    page = client.get(reverse("catalog-search-index")).content.decode()
    assert "records indexed" in page and "hx-get" not in page


@pytest.mark.django_db
def test_a_second_rebuild_waits_for_the_first(catalogue, settings):
    settings.TASKS = DATABASE_QUEUE
    first = runs.start_reindex(catalogue.world.admin_a, catalogue.world.school_a)
    assert runs.start_reindex(catalogue.world.admin_a, catalogue.world.school_a) == first
    assert ReindexRun.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["librarian_a", "teacher_a"])
def test_only_an_administrator_rebuilds_the_index(catalogue, who):
    client = signed_in(getattr(catalogue.world, who))
    assert client.post(reverse("catalog-search-reindex")).status_code == 403
    assert client.get(reverse("catalog-search-index")).status_code == 403
    assert not ReindexRun.objects.exists()


@pytest.mark.django_db
def test_a_rebuild_killed_by_a_restart_is_marked_failed_and_frees_the_indexer(catalogue):
    from reol.catalog.search import indexer

    run = ReindexRun.objects.create(state=ReindexRun.State.RUNNING, total=10, done=4)
    assert indexer.reindex_wants_writer()  # the indexer waits for it

    marked = tasks.recover_interrupted()

    run.refresh_from_db()
    assert marked >= 1 and run.state == ReindexRun.State.FAILED and "restart" in run.summary
    assert not indexer.reindex_wants_writer()
