"""A file that is not MARC (a PDF, a CSV, other XML) is one clear problem, not hundreds of bad
records, on the page and on the command line."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from reol.core.permissions import SYSTEM

from .helpers import book, iso, run_import, signed_in

pytestmark = pytest.mark.django_db


PDF = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    + b"1 0 obj << /Length 5 >> stream\x1dxx\x1d\nendstream\n" * 200
)
CSV = b"barcode;title;author\n12345;Pippi;Astrid Lindgren\n" + b"1\x1d2;x;y\n" * 196


@pytest.mark.parametrize("data", [PDF, CSV], ids=["pdf", "csv-with-terminators"])
def test_a_file_that_is_not_marc_is_one_problem_not_hundreds(catalogue, data):
    assert data.count(b"\x1d") >= 196  # what made ~196 "records" of it

    report = run_import(SYSTEM, catalogue.world.school_a, data)

    assert report.not_marc and report.failed
    assert (report.read, report.rejected, report.created) == (0, 0, 0)
    ((problem),) = report.errors
    assert (problem.position, problem.where) == (1, "byte 0")
    assert "this is not a MARC file" in problem.reason
    assert report.summary().startswith("Nothing was imported: this is not a MARC file")


def test_xml_of_another_kind_is_not_marc(catalogue):
    data = b"<?xml version='1.0'?><list>" + b"<record><name>Pippi</name></record>" * 50 + b"</list>"
    report = run_import(SYSTEM, catalogue.world.school_a, data)
    assert report.not_marc and len(report.errors) == 1 and report.read == 0


def test_a_marc_file_with_a_bad_first_record_is_still_marc(catalogue):
    data = b"garbage before the first record" + iso(book("God", control="g1"))
    report = run_import(SYSTEM, catalogue.world.school_a, data)
    assert not report.not_marc and report.created == 1


def _command(path: Path) -> str:
    out = io.StringIO()
    call_command("import-marc", str(path), "--school", "nord", stdout=out)
    return out.getvalue()


def test_the_command_fails_for_a_file_that_is_not_marc(catalogue, tmp_path):
    path = tmp_path / "katalog.pdf"
    path.write_bytes(PDF)
    with pytest.raises(CommandError, match="this is not a MARC file") as caught:
        _command(path)
    assert caught.value.returncode == 1


def test_the_command_fails_when_every_record_is_rejected(catalogue, tmp_path):
    bad = iso(book("Ødelagt", control="x1")).replace("Ødelagt".encode(), b"\xff\xfelagt")
    path = tmp_path / "bad.mrc"
    path.write_bytes(bad + bad)
    with pytest.raises(CommandError, match="2 rejected"):
        _command(path)
    path.write_bytes(bad + iso(book("God", control="g1")))
    assert "1 created" in _command(path)  # one good record: not a failure


def test_the_import_page_says_not_marc_once(catalogue, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.REOL_IMPORT_IN_BACKGROUND = False
    upload = io.BytesIO(PDF)
    upload.name = "katalog.pdf"
    response = signed_in(catalogue.world.librarian_a).post(
        reverse("catalog-import"), {"file": upload, "holdings": "952"}, follow=True
    )
    page = response.content.decode()
    assert page.count("this is not a MARC file") == 1
    assert "Rejected records" not in page
