"""Every message of the catalogue reaches gettext: the MARC editor's errors, import rejections and
warnings, the import summary, in the language of who started it. Checked in a pseudo language
(``pseudo_language``: every message reads ⟪message⟫), so a string that bypasses gettext shows
without the brackets, whatever the catalogues hold today."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.urls import reverse

from reol.catalog import marc as marcio
from reol.catalog.importer import ImportReport
from reol.core.permissions import SYSTEM

from .helpers import book, iso, run_import, signed_in

pytestmark = pytest.mark.django_db

WRAPPED = re.compile(r"^⟪.*⟫$", re.S)


@pytest.mark.parametrize(
    "text",
    [
        "245  10$aNo equals sign",
        "=LDR  00000nam a2200000 a 4500\n=24%  10$aBad tag",
        "=LDR  00000nam a2200000 a 4500\n=245  1",
        "=LDR  00000nam a2200000 a 4500\n=245  10$$a",
        "=LDR  00000nam a2200000 a 4500\n=100  1\\$aNo title field",
    ],
)
def test_marc_editor_errors_are_translated(pseudo_language, text):
    with pytest.raises(marcio.MnemonicError) as caught:
        marcio.from_mnemonic(text)
    assert WRAPPED.match(str(caught.value)), caught.value


def test_marc_editor_error_is_shown_translated_on_the_page(catalogue, record, pseudo_language):
    client = signed_in(catalogue.world.librarian_a)
    response = client.post(
        reverse("catalog-record-marc", args=[record.pk]),
        {"marc": "=LDR  00000nam a2200000 a 4500\n=24%  10$aBad tag"},
    )
    (error,) = response.context["form"].errors["marc"]
    assert error == pseudo_language(
        "line %(n)d: “%(tag)s” is not a MARC tag (three letters or digits)"
    ) % {"n": 2, "tag": "24%"}


def test_import_rejections_and_their_places_are_translated(catalogue, pseudo_language):
    good = iso(book("God", control="g1"))
    truncated = iso(book("Kort", control="k1"))[:-40]
    bad_encoding = iso(book("Ødelagt", control="x1")).replace("Ødelagt".encode(), b"\xff\xfelagt")
    xml_broken = b"<collection><record><leader>00000nam a2200000 a 4500</leader><datafield"
    report = run_import(SYSTEM, catalogue.world.school_a, good + bad_encoding + truncated)
    xml_report = run_import(SYSTEM, catalogue.world.school_a, xml_broken)

    problems = [*report.errors, *report.warnings, *xml_report.errors]
    assert len(report.errors) == 2 and xml_report.errors
    for problem in problems:
        assert WRAPPED.match(problem.reason), problem.reason
        assert WRAPPED.match(problem.where), problem.where
        assert WRAPPED.match(str(problem)), str(problem)
    assert WRAPPED.match(report.summary()[:-1]), report.summary()


def test_import_warnings_about_copies_and_isbns_are_translated(catalogue, pseudo_language):
    data = iso(
        book(
            "Hylder",
            control="h1",
            isbn="9788702284299",  # a wrong check digit
            holdings=[{"p": "W1", "c": "kaelder"}, {"p": "has space"}],
        )
    )
    report = run_import(SYSTEM, catalogue.world.school_a, data)
    assert len(report.warnings) == 3
    assert all(WRAPPED.match(p.reason) for p in report.warnings), report.warnings


def test_import_summary_is_one_sentence_with_counted_words():
    report = ImportReport(read=1000, created=997, updated=1, rejected=2, copies_created=1)
    assert report.summary() == (
        "Read 1,000 records: 997 created, 1 updated, 2 rejected; 1 copy created."
    )
    one = ImportReport(read=1, created=1, copies_created=2, copies_rejected=1, dry_run=True)
    assert one.summary() == (
        "Read 1 record: 1 created, 0 updated, 0 rejected; 2 copies created, "
        "1 copy rejected (dry run: nothing saved)."
    )


def test_import_summary_follows_the_language(pseudo_language):
    summary = ImportReport(read=3, created=3, copies_created=1).summary()
    assert summary.endswith(".")
    for message, n in (("%(n)s created", 3), ("%(n)s copy created", 1), ("%(n)s rejected", 0)):
        assert pseudo_language(message) % {"n": n} in summary
    assert summary.startswith(pseudo_language("Read %(n)s records: %(records)s; %(copies)s")[:6])


def test_the_import_page_reports_in_the_language_of_who_started_it(
    catalogue, settings, tmp_path, pseudo_language
):
    settings.VAR_DIR = tmp_path
    settings.REOL_IMPORT_IN_BACKGROUND = False
    client = signed_in(catalogue.world.librarian_a)
    upload = io.BytesIO(iso(book("God", control="g1")) + b"00000garbage\x1d")
    upload.name = "katalog.mrc"
    response = client.post(
        reverse("catalog-import"), {"file": upload, "holdings": "952"}, follow=True
    )
    job = response.context["job"]
    assert WRAPPED.match(job.summary[:-1]), job.summary
    assert all(WRAPPED.match(p["reason"]) for p in job.problems), job.problems


# What Python, pymarc and expat say in English when a record cannot be read: none of it may
# reach a rejection reason (the reader's language has its own words for each).
PYTHON_WORDS = re.compile(
    r"invalid (start|continuation) byte|ordinal not in range|unexpected end of data|"
    r"mismatched tag|unclosed token|no element found|invalid token|\w+(Error|Forbidden)\b|"
    r"Traceback|exceeds length"
)


def test_rejection_reasons_never_carry_python_text(catalogue, pseudo_language):
    bad_utf8 = iso(book("Ødelagt", control="x1")).replace("Ødelagt".encode(), b"\xff\xfelagt")
    xml_broken = b"<collection><record><leader>00000nam a2200000 a 4500</leader></recrd>"
    xml_entity = b'<!DOCTYPE x [<!ENTITY a "b">]><collection/>'

    reasons = [
        p.reason
        for data in (bad_utf8, xml_broken, xml_entity)
        for p in run_import(SYSTEM, catalogue.world.school_a, data).errors
    ]

    assert len(reasons) == 3
    for reason in reasons:
        assert WRAPPED.match(reason), reason
        assert not PYTHON_WORDS.search(reason), reason


def test_no_real_file_gives_a_rejection_in_python_words(pseudo_language):
    """marc4j's deliberately malformed files, and the others: every reason is our own."""
    data_dir = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "marc"
    if not data_dir.is_dir():
        pytest.skip(f"the shared MARC test data is not at {data_dir}")
    reasons = []
    for path in sorted(data_dir.rglob("*.mrc")):
        with path.open("rb") as stream:
            reasons += [r.error for r in marcio.read_records(stream) if r.error]
    assert len(reasons) > 50
    assert [r for r in reasons if PYTHON_WORDS.search(r)] == []
