"""The import pages: upload → choices → dry run → import, for CSV and OneRoster; the upload
limit; who may use them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from reol.core.models import AuditEvent
from reol.patrons.models import Group, Patron
from reol.rosters.models import MappingPreset, RosterImport

from .helpers import csv_bytes, oneroster_11

pytestmark = pytest.mark.django_db

HEADER = ["Elev nr.", "Fornavn", "Efternavn", "Klasse", "Kortnummer"]
ROWS = [["1", "Æble", "Ørsted", "5.B", "K1"], ["2", "Åse", "Ås", "5.A", "K2"]]


@pytest.fixture
def in_request(settings, tmp_path):
    """Imports run in the request, and their uploads go to a temporary folder."""
    settings.REOL_IMPORT_IN_BACKGROUND = False
    settings.VAR_DIR = tmp_path
    return tmp_path


def signed_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _upload(client, data: bytes, name: str = "elever.csv", **extra):
    file = SimpleUploadedFile(name, data, content_type="text/csv")
    return client.post(reverse("rosters-upload"), {"file": file, **extra})


def _mapping_form(**fields: str) -> dict[str, str]:
    form = {f"map_{k}": v for k, v in fields.items()}
    form.update(school_year="2026/27", default_category="student", deactivate_missing="on")
    return form


def test_csv_upload_mapping_dry_run_and_import(world, in_request):
    client = signed_in(world.librarian_a)
    data = csv_bytes([HEADER, *ROWS], delimiter=";", encoding="cp1252", bom=True)

    response = _upload(client, data)

    job = RosterImport.objects.get()
    assert response["Location"] == reverse("rosters-options", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert "read as Windows-1252 with semicolon (;) between the columns" in page
    assert "Æble" in page  # the first rows are shown
    assert '<option value="Fornavn" selected>' in page  # guessed from the column's name

    form = _mapping_form(
        source_id="Elev nr.",
        first_name="Fornavn",
        last_name="Efternavn",
        groups="Klasse",
        card_barcode="Kortnummer",
    )
    form["preset_name"] = "Skolens system"
    response = client.post(reverse("rosters-options", args=[job.pk]), form)

    assert response["Location"] == reverse("rosters-job", args=[job.pk])
    job.refresh_from_db()
    assert job.state == "done" and job.dry_run and not job.saved
    assert job.counts["patrons_created"] == 2
    assert not Patron.objects.exists()
    assert MappingPreset.objects.get(school=world.school_a).mapping["source_id"] == "Elev nr."
    page = client.get(response["Location"]).content.decode()
    assert "Dry run: nothing has been saved yet." in page
    assert "Æble Ørsted" in page and "New patrons (2)" in page

    response = client.post(reverse("rosters-confirm", args=[job.pk]))

    real = RosterImport.objects.exclude(pk=job.pk).get()
    assert response["Location"] == reverse("rosters-job", args=[real.pk])
    assert real.saved and real.checked_by == job
    assert Patron.objects.filter(school=world.school_a).count() == 2
    assert Group.objects.filter(school=world.school_a, name="5.B").exists()
    assert "The import is saved." in client.get(response["Location"]).content.decode()
    assert not list((in_request / "imports").iterdir())  # the upload is not kept
    assert AuditEvent.objects.filter(action="roster.import", via="web").count() == 1


def test_rejected_rows_are_shown_and_only_the_good_rows_on_request(world, in_request):
    client = signed_in(world.librarian_a)
    rows = [*ROWS, ["3", "", "", "5.B", "K3"], ["4", "Dato", "Dobbelt", "5.B", "K1"]]
    _upload(client, csv_bytes([HEADER, *rows], delimiter=","))
    job = RosterImport.objects.get()
    client.post(
        reverse("rosters-options", args=[job.pk]),
        _mapping_form(
            source_id="Elev nr.",
            first_name="Fornavn",
            last_name="Efternavn",
            card_barcode="Kortnummer",
        ),
    )
    page = client.get(reverse("rosters-job", args=[job.pk])).content.decode()
    assert "Rejected rows" in page
    assert "<td>elever.csv</td><td>4</td><td>The row has no name.</td>" in page
    assert "Import the 1 good row and leave out the rejected" in page

    client.post(reverse("rosters-confirm", args=[job.pk]), {"good_rows": "on"})

    assert list(Patron.objects.values_list("source_id", flat=True)) == ["2"]


def test_a_bad_mapping_is_explained_on_the_page(world, in_request):
    client = signed_in(world.librarian_a)
    _upload(client, csv_bytes([HEADER, *ROWS]))
    job = RosterImport.objects.get()
    response = client.post(reverse("rosters-options", args=[job.pk]), _mapping_form())
    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose the column with the first name, last name or full name." in page
    assert "could not recognise anyone" in page


def test_a_oneroster_zip_on_the_page(world, in_request):
    client = signed_in(world.librarian_a)
    _upload(client, oneroster_11(), name="oneroster.zip")
    job = RosterImport.objects.get()
    assert job.format == "oneroster"
    page = client.get(reverse("rosters-options", args=[job.pk])).content.decode()
    assert '<option value="nord-org" selected>Nordskolen (nord-org)</option>' in page
    client.post(
        reverse("rosters-options", args=[job.pk]),
        {
            "org": "nord-org",
            "card_from": "identifier",
            "school_year": "2026/27",
            "deactivate_missing": "on",
        },
    )
    job.refresh_from_db()
    assert job.counts["patrons_created"] == 3, job.problems
    client.post(reverse("rosters-confirm", args=[job.pk]))
    assert Patron.objects.get(source_id="u1").user.card_barcode == "C-1001"


def test_the_upload_limit_has_a_clear_message(world, in_request, settings):
    settings.REOL_ROSTER_UPLOAD_MAX_BYTES = 1024
    client = signed_in(world.librarian_a)
    response = _upload(client, b"a;b\n" + b"x;y\n" * 600)
    assert "The file is 1 MB; the page takes at most 0 MB." in response.content.decode()
    del settings.REOL_ROSTER_UPLOAD_MAX_BYTES
    big = b"Id;Fornavn;Efternavn\n" + b"123456;Fornavn;Efternavn\n" * (50 * 2**20 // 25)
    response = _upload(client, big)  # refused from its declared length, before it is read
    assert "The file is 51 MB; the page takes at most 20 MB." in response.content.decode()
    assert "reol import-patrons" in response.content.decode()
    assert not RosterImport.objects.exists()


def test_teachers_may_not_and_other_schools_runs_are_not_found(world, in_request):
    assert signed_in(world.teacher_a).get(reverse("rosters-upload")).status_code == 403
    client = signed_in(world.librarian_a)
    _upload(client, csv_bytes([HEADER, *ROWS]))
    job = RosterImport.objects.get()
    other = signed_in(world.librarian_b)
    assert other.get(reverse("rosters-options", args=[job.pk])).status_code == 404
    assert other.get(reverse("rosters-job", args=[job.pk])).status_code == 404
    assert other.post(reverse("rosters-confirm", args=[job.pk])).status_code == 404


def test_the_menu_has_the_page(world):
    page = signed_in(world.librarian_a).get(reverse("staff-dashboard")).content.decode()
    assert reverse("rosters-upload") in page


def test_a_second_click_on_import_does_not_import_twice(world, in_request):
    client = signed_in(world.librarian_a)
    _upload(client, csv_bytes([HEADER, *ROWS]))
    job = RosterImport.objects.get()
    client.post(
        reverse("rosters-options", args=[job.pk]),
        _mapping_form(source_id="Elev nr.", first_name="Fornavn", last_name="Efternavn"),
    )
    first = client.post(reverse("rosters-confirm", args=[job.pk]))
    second = client.post(reverse("rosters-confirm", args=[job.pk]))
    assert first["Location"] == second["Location"]
    assert RosterImport.objects.filter(dry_run=False).count() == 1


def test_old_uploads_and_the_names_in_old_reports_are_forgotten(world, in_request):
    import datetime as dt

    from django.utils import timezone

    from reol.rosters import jobs

    client = signed_in(world.librarian_a)
    _upload(client, csv_bytes([HEADER, *ROWS]))
    job = RosterImport.objects.get()
    client.post(
        reverse("rosters-options", args=[job.pk]),
        _mapping_form(source_id="Elev nr.", first_name="Fornavn", last_name="Efternavn"),
    )
    job.refresh_from_db()
    assert job.changes and job.path
    RosterImport.objects.update(created_at=timezone.now() - dt.timedelta(days=31))
    assert jobs.forget_old_uploads() == 1
    job.refresh_from_db()
    assert (job.path, job.changes, job.problems) == ("", [], [])
    assert job.counts["patrons_created"] == 2
    assert not list((in_request / "imports").iterdir())
