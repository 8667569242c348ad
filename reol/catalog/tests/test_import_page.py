"""The import page: a MARC file uploaded, imported as a job, and the job's page showing what
was read, created and rejected (and why, and where)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reol.catalog import jobs
from reol.catalog.models import ImportJob, Item, Record

from .helpers import ISBN_A, MARC_DATA, book, iso, signed_in

pytestmark = pytest.mark.django_db

GOOD = [book(f"Bog {n}", control=f"p{n}", holdings=[{"p": f"P{n}", "c": "skon"}]) for n in (1, 2)]
BAD = iso(book("Ødelagt", control="px")).replace("Ødelagt".encode(), b"\xff\xfelagt")


@pytest.fixture
def in_request(settings, tmp_path):
    """Imports run in the request, and their uploads go to a temporary folder."""
    settings.REOL_IMPORT_IN_BACKGROUND = False
    settings.VAR_DIR = tmp_path
    return tmp_path


def _upload(data: bytes, name: str = "katalog.mrc") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_uploaded_file_is_imported_and_the_job_page_shows_what_happened(catalogue, in_request):
    client = signed_in(catalogue.world.librarian_a)
    data = iso(GOOD[0]) + BAD + iso(GOOD[1])

    response = client.post(reverse("catalog-import"), {"file": _upload(data), "holdings": "952"})

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog-import-job", args=[job.pk])
    assert job.state == ImportJob.State.DONE and job.filename == "katalog.mrc"
    assert {k: job.counts[k] for k in ("read", "created", "rejected", "copies_created")} == {
        "read": 3,
        "created": 2,
        "rejected": 1,
        "copies_created": 2,
    }
    assert job.counts["percent"] == 100
    assert Record.objects.filter(control_number__in=["p1", "p2"]).count() == 2
    assert Item.objects.get(barcode="P1").location == catalogue.skon
    assert not list((in_request / "imports").iterdir())  # the upload is not kept

    page = client.get(response["Location"]).content.decode()
    assert "Rejected records" in page
    assert f"<td>2</td><td>px</td><td>byte {len(iso(GOOD[0]))}</td>" in page  # its 001
    assert "bad character encoding" in page
    assert "<strong>2</strong> created" in page and "<strong>1</strong> rejected" in page
    assert job.summary == "Read 3 records: 2 created, 0 updated, 1 rejected; 2 copies created."
    assert job.summary in page


def test_a_real_file_from_another_system(catalogue, in_request):
    path = MARC_DATA / "marc4j" / "test" / "resources" / "sample1.mrc"
    if not path.is_file():
        pytest.skip(f"the shared MARC test data is not at {path}")
    client = signed_in(catalogue.world.librarian_a)

    client.post(
        reverse("catalog-import"),
        {"file": _upload(path.read_bytes(), path.name), "holdings": "952"},
    )

    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.DONE
    # three titles, each followed by its MARC holdings record (leader/06 x): no blank titles
    assert (job.counts["read"], job.counts["rejected"], job.counts["skipped"]) == (8, 1, 4)
    assert job.counts["created"] + job.counts["updated"] == 3
    (error,) = [p for p in job.problems if p["level"] == "error"]
    assert error["position"] == 7 and error["where"].startswith("byte ")
    assert "bad character encoding" in error["reason"]
    holdings = "holdings record (leader/06 x)"
    assert {p["position"] for p in job.problems if holdings in p["reason"]} == {2, 4, 6, 8}


def test_dry_run_from_the_page_saves_nothing(catalogue, in_request):
    client = signed_in(catalogue.world.librarian_a)
    response = client.post(
        reverse("catalog-import"),
        {"file": _upload(iso(*GOOD)), "holdings": "952", "dry_run": "on"},
    )
    job = ImportJob.objects.get()
    assert job.dry_run and job.counts["created"] == 2
    assert not Record.objects.exists()
    assert "dry run" in client.get(response["Location"]).content.decode()


def test_in_the_background_the_job_waits_for_the_commit(
    catalogue, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.VAR_DIR = tmp_path
    client = signed_in(catalogue.world.librarian_a)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("catalog-import"), {"file": _upload(iso(*GOOD)), "holdings": "952"}
        )
    job = ImportJob.objects.get()
    assert len(callbacks) == 1 and job.state == ImportJob.State.QUEUED
    assert "Waiting" in client.get(response["Location"]).content.decode()

    jobs.run(job.pk)  # what the queue's worker does once the commit has queued it

    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE and job.counts["created"] == 2
    progress = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert progress.lstrip().startswith('<div id="import-progress"') and "hx-get" not in progress


def test_an_oversized_upload_is_refused_clearly(catalogue, in_request, settings):
    settings.REOL_MARC_UPLOAD_MAX_BYTES = 2**20
    client = signed_in(catalogue.world.librarian_a)

    response = client.post(
        reverse("catalog-import"), {"file": _upload(b"0" * (2**20 + 1)), "holdings": "952"}
    )

    assert response.status_code == 200
    (error,) = response.context["form"].errors["file"]
    assert "The file is 2 MB; the page takes at most 1 MB." in error
    assert "reol import-marc" in error
    assert not ImportJob.objects.exists()


def test_a_file_that_is_not_marc_is_reported_not_crashed(catalogue, in_request):
    client = signed_in(catalogue.world.librarian_a)
    client.post(
        reverse("catalog-import"),
        {"file": _upload(b"<html><p>hej</p></html>", "side.html"), "holdings": "852"},
    )
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.FAILED  # nothing imported: not "done"
    assert [p["reason"] for p in job.problems] == [
        "no MARC records found: the file is empty or not MARC21 (ISO 2709 or MARCXML)"
    ]
    page = client.get(reverse("catalog-import-job", args=[job.pk])).content.decode()
    assert "The import stopped:" in page and "not MARC21" in page


def test_another_schools_job_is_not_found(catalogue, in_request):
    signed_in(catalogue.world.librarian_a).post(
        reverse("catalog-import"), {"file": _upload(iso(*GOOD)), "holdings": "952"}
    )
    job = ImportJob.objects.get()
    client = signed_in(catalogue.world.librarian_b)
    assert client.get(reverse("catalog-import-job", args=[job.pk])).status_code == 404
    assert (
        signed_in(catalogue.far_librarian)
        .get(reverse("catalog-import-job", args=[job.pk]))
        .status_code
        == 404
    )


def test_only_cataloguers_import(catalogue, in_request):
    client = signed_in(catalogue.world.teacher_a)
    assert client.get(reverse("catalog-import")).status_code == 403
    response = client.post(
        reverse("catalog-import"), {"file": _upload(iso(*GOOD)), "holdings": "952"}
    )
    assert response.status_code == 403 and not ImportJob.objects.exists()


def test_possible_duplicates_are_listed_and_can_be_merged_from_their_page(catalogue, in_request):
    client = signed_in(catalogue.world.librarian_a)
    same_isbn = [
        book("The super-duper seed surprise", control="d1", isbn=ISBN_A),
        book("Cooks, cakes, and chocolate shakes", control="d2", isbn=ISBN_A),
    ]

    response = client.post(
        reverse("catalog-import"), {"file": _upload(iso(*same_isbn)), "holdings": "952"}
    )

    job_page = client.get(response["Location"]).content.decode()
    assert "1 new record has the ISBN of another record" in job_page
    assert reverse("catalog-duplicates") in job_page
    first, second = Record.objects.order_by("pk")
    page = client.get(reverse("catalog-duplicates")).content.decode()
    assert f"ISBN {ISBN_A}" in page
    assert "The super-duper seed surprise" in page and "Cooks, cakes, and chocolate shakes" in page
    assert reverse("catalog-record-merge", args=[first.pk]) in page

    merge = reverse("catalog-record-merge", args=[first.pk])
    client.post(merge, {"duplicate": second.pk, "confirm": "yes"})

    second.refresh_from_db()
    assert second.merged_into_id == first.pk
    page = client.get(reverse("catalog-duplicates")).content.decode()
    assert "No two records share an ISBN." in page


def test_the_duplicates_page_is_for_cataloguers(catalogue):
    response = signed_in(catalogue.world.teacher_a).get(reverse("catalog-duplicates"))
    assert response.status_code == 403


def test_an_imports_summary_is_shown_in_the_readers_language(catalogue, in_request):
    from django.utils import translation

    from reol.catalog import jobs

    client = signed_in(catalogue.world.librarian_a)
    client.post(reverse("catalog-import"), {"file": _upload(iso(*GOOD)), "holdings": "952"})
    job = ImportJob.objects.get()
    with translation.override("nb"):  # as a run in Norwegian stored it
        job.summary = jobs.summary_of(job)
    assert job.summary.startswith("Lest 2 poster")
    job.save(update_fields=["summary"])
    with translation.override("en"):
        assert jobs.summary_of(job).startswith("Read 2 records: 2 created, 0 updated")
    with translation.override("da"):
        assert jobs.summary_of(job).startswith("Læst 2 poster")
    page = client.get(reverse("catalog-import"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Read 2 records" in page and "Lest 2 poster" not in page
