"""Bad MARC input: each problem is reported with its record's position and a specific reason,
the good records around it are imported, and what the catalogue had before is not damaged."""

from __future__ import annotations

import io
from pathlib import Path

import pymarc
import pytest
from django.core.management import call_command

from reol.catalog.models import Item, Record, RecordIsbn, SearchOutbox
from reol.core.models import AuditEvent
from reol.core.permissions import SYSTEM

from .helpers import ISBN_B, ISBN_BAD, book, iso, marcxml, read, run_import

pytestmark = pytest.mark.django_db

GOOD_1 = book("Den gode bog", control="g1", isbn=ISBN_B, holdings=[{"p": "G0001"}])
GOOD_2 = book("Den anden gode bog", control="g2", holdings=[{"p": "G0002"}])
VICTIM = book("Rejsen til Saturn", control="r1", author="Andersen, Hans")  # same 001 as `record`


def snapshot() -> list[tuple[object, ...]]:
    """Every record and copy, as the bad import must leave them."""
    records = [
        (r.pk, r.title, r.control_number, r.marc, sorted(r.isbns.values_list("isbn13", flat=True)))
        for r in Record.objects.order_by("pk")
    ]
    items = list(
        Item.objects.order_by("pk").values_list(
            "pk", "barcode", "record_id", "school_id", "location_id", "status"
        )
    )
    return [*records, *items]


def errors_of(report) -> list[tuple[int, str, str]]:
    return [(p.position, p.where, p.reason) for p in report.errors]


@pytest.fixture
def before(record):
    """The catalogue as it was, with `record` (001 r1) and its copies."""
    return snapshot()


def _assert_good_ones_imported(report, created: int = 2) -> None:
    assert report.created == created
    titles = set(Record.objects.values_list("title", flat=True))
    assert {"Den gode bog", "Den anden gode bog"} <= titles
    assert Item.objects.filter(barcode__in=["G0001", "G0002"]).count() == 2


def _assert_untouched(before) -> None:
    """Every record and copy there was before is still there, unchanged."""
    after = snapshot()
    assert [row for row in after if row in before] == before


# --- ISO 2709 ---------------------------------------------------------------------------------


def test_truncated_record_at_end_of_file(catalogue, before):
    head = iso(GOOD_1, GOOD_2)
    data = head + iso(VICTIM)[:60]  # the download stopped in the middle of record 3

    report = run_import(SYSTEM, catalogue.world.school_a, data)

    assert report.read == 3 and report.rejected == 1
    ((position, where, reason),) = errors_of(report)
    assert (position, where) == (3, f"byte {len(head)}")
    assert "truncated" in reason and "60" in reason
    _assert_good_ones_imported(report)
    _assert_untouched(before)


def test_truncated_record_in_the_middle_does_not_take_the_next_one_with_it(catalogue, before):
    """Two files put together, the first cut off: the record after the cut is still read."""
    head = iso(GOOD_1) + iso(VICTIM)[:60]
    data = head + iso(GOOD_2)

    report = run_import(SYSTEM, catalogue.world.school_a, data)

    reason = f"truncated record: 60 of the {len(iso(VICTIM))} bytes the leader gives"
    assert errors_of(report) == [(2, f"byte {len(iso(GOOD_1))}", reason)]
    assert report.read == 3
    _assert_good_ones_imported(report)
    assert read(data)[2].offset == f"byte {len(head)}"
    _assert_untouched(before)


def test_record_cut_short_before_its_terminator(catalogue, before):
    cut = iso(VICTIM)[:70] + b"\x1d"  # the end of the record lost, its terminator kept
    data = iso(GOOD_1) + cut + iso(GOOD_2)

    report = run_import(SYSTEM, catalogue.world.school_a, data)

    ((position, where, reason),) = errors_of(report)
    assert (position, where) == (2, f"byte {len(iso(GOOD_1))}")
    assert "directory is invalid" in reason
    _assert_good_ones_imported(report)
    _assert_untouched(before)


def test_leader_with_non_numeric_length_is_repaired_and_reported(catalogue, before):
    """Records are split on their terminators, so a garbled length loses nothing: the record
    is kept and the problem reported where it is."""
    broken = b"abcde" + iso(book("Ny", control="n1"))[5:]
    data = iso(GOOD_1) + broken + iso(GOOD_2)

    report = run_import(SYSTEM, catalogue.world.school_a, data)

    assert report.rejected == 0 and report.created == 3
    warning = next(p for p in report.warnings if p.position == 2)
    assert warning.where == f"byte {len(iso(GOOD_1))}"
    assert "leader gives length 'abcde'" in warning.reason
    _assert_untouched(before)


def test_leader_without_base_address_is_rejected(catalogue, before):
    victim = iso(VICTIM)
    broken = victim[:12] + b"xxxxx" + victim[17:]
    data = iso(GOOD_1) + broken + iso(GOOD_2)

    report = run_import(SYSTEM, catalogue.world.school_a, data)

    assert errors_of(report) == [
        (2, f"byte {len(iso(GOOD_1))}", "leader has no base address of data (12-16)")
    ]
    _assert_good_ones_imported(report)
    _assert_untouched(before)


def test_directory_that_cannot_be_read_is_rejected(catalogue, before):
    victim = bytearray(iso(VICTIM))
    base = int(victim[12:17])
    # one byte more in the directory: its entries are no longer 12 bytes each
    broken = bytes(victim[: base - 1]) + b"0" + bytes(victim[base - 1 :])
    broken = broken[:12] + f"{base + 1:05d}".encode() + broken[17:]
    data = iso(GOOD_1) + broken + iso(GOOD_2)

    report = run_import(SYSTEM, catalogue.world.school_a, data)

    ((position, where, reason),) = errors_of(report)
    assert (position, where) == (2, f"byte {len(iso(GOOD_1))}")
    assert "directory" in reason
    _assert_good_ones_imported(report)
    _assert_untouched(before)


def test_directory_with_wrong_field_length_is_read_by_the_field_terminators(catalogue, before):
    record = book("Ukendt længde", control="d1", holdings=[{"p": "D0001"}])
    data = bytearray(iso(record))
    base = int(data[12:17])
    entries = [bytes(data[i : i + 12]) for i in range(24, base - 1, 12)]
    n = next(i for i, e in enumerate(entries) if e.startswith(b"245"))
    at = 24 + 12 * n + 3
    data[at : at + 4] = b"0999"  # 245's length: far more than it has

    report = run_import(SYSTEM, catalogue.world.school_a, iso(GOOD_1) + bytes(data))

    assert report.rejected == 0
    assert any(p.position == 2 and "directory" in p.reason for p in report.warnings)
    stored = Record.objects.get(control_number="d1")
    assert stored.title == "Ukendt længde"
    assert Item.objects.get(barcode="D0001").record == stored
    _assert_untouched(before)


def test_bad_encoding_bytes_are_rejected_with_position(catalogue, before):
    victim = iso(book("Ødelagt tegnsæt", control="e1"))
    broken = victim.replace("Ødelagt".encode(), b"\xff\xfelagt")  # same length, not UTF-8
    data = iso(GOOD_1) + broken + iso(GOOD_2)

    report = run_import(SYSTEM, catalogue.world.school_a, data)

    ((position, where, reason),) = errors_of(report)
    assert (position, where) == (2, f"byte {len(iso(GOOD_1))}")
    assert "bad character encoding" in reason
    assert not Record.objects.filter(control_number="e1").exists()
    _assert_good_ones_imported(report)
    _assert_untouched(before)


def test_isbn_with_wrong_check_digit_is_a_warning_and_not_indexed(catalogue, before):
    data = iso(book("Forkert ISBN", control="i1", isbn=[ISBN_BAD, ISBN_B]))

    report = run_import(SYSTEM, catalogue.world.school_a, data)

    assert report.rejected == 0 and report.created == 1
    (warning,) = [p for p in report.warnings if "ISBN" in p.reason]
    assert (warning.position, warning.where) == (1, "byte 0")
    assert ISBN_BAD in warning.reason and "not valid" in warning.reason
    stored = Record.objects.get(control_number="i1")
    assert list(stored.isbns.values_list("isbn13", flat=True)) == [ISBN_B]
    assert not RecordIsbn.objects.filter(isbn13=ISBN_BAD).exists()
    assert ISBN_BAD in str(stored.marc)  # kept in the MARC as catalogued
    _assert_untouched(before)


def test_duplicate_barcode_within_the_file(catalogue, before):
    first = book("Første", control="b1", holdings=[{"p": "DUP1"}, {"p": "OK1"}])
    second = book("Anden", control="b2", holdings=[{"p": "DUP1"}, {"p": "OK2"}])

    report = run_import(SYSTEM, catalogue.world.school_a, iso(first, second))

    assert report.created == 2 and report.copies_created == 3 and report.copies_rejected == 1
    ((position, _where, reason),) = errors_of(report)
    assert position == 2 and "DUP1" in reason and "already" in reason
    assert Item.objects.get(barcode="DUP1").record.control_number == "b1"
    assert Item.objects.get(barcode="OK2").record.control_number == "b2"
    _assert_untouched(before)


def test_duplicate_barcode_against_an_existing_copy(catalogue, record, before):
    thief = book("Tyven", control="t1", holdings=[{"p": "A100"}, {"p": "T0001"}])

    report = run_import(SYSTEM, catalogue.world.school_b, iso(GOOD_1, thief))

    assert report.copies_rejected == 1
    ((position, where, reason),) = errors_of(report)
    assert (position, where) == (2, f"byte {len(iso(GOOD_1))}")
    assert "A100" in reason and str(record.pk) in reason
    a100 = Item.objects.get(barcode="A100")
    assert (a100.record_id, a100.school_id) == (record.pk, catalogue.world.school_a.pk)
    assert Item.objects.get(barcode="T0001").record.title == "Tyven"
    _assert_untouched(before)


def test_rejected_record_does_not_overwrite_the_one_it_matches(catalogue, record, before):
    broken = iso(VICTIM).replace(b"Rejsen", b"\xff\xfe\xfd\xfc\xfb\xfa")  # 001 r1, bad bytes

    report = run_import(SYSTEM, catalogue.world.school_a, broken)

    assert report.rejected == 1 and report.updated == 0
    _assert_untouched(before)


def test_ten_megabyte_line_without_record_terminator(catalogue, before):
    head = iso(GOOD_1, GOOD_2)
    data = head + b"x" * (10 * 1024 * 1024) + b"\n"

    report = run_import(SYSTEM, catalogue.world.school_a, data)

    ((position, where, reason),) = errors_of(report)
    assert (position, where) == (3, f"byte {len(head)}")
    assert "no record terminator" in reason
    _assert_good_ones_imported(report)
    _assert_untouched(before)


def test_ten_megabyte_line_between_records(catalogue, before):
    data = iso(GOOD_1) + b"x" * (10 * 1024 * 1024) + b"\n" + iso(GOOD_2)

    report = run_import(SYSTEM, catalogue.world.school_a, data)

    ((position, where, reason),) = errors_of(report)
    assert (position, where) == (2, f"byte {len(iso(GOOD_1))}")
    assert "no record terminator" in reason
    assert report.read == 3
    _assert_good_ones_imported(report)
    _assert_untouched(before)


def test_record_longer_than_iso2709_allows_is_rejected(catalogue, before):
    big = book("Kæmpe", control="k1")
    # a note field of 110,000 bytes: the record cannot state its own length
    data = iso(big)[:-1] + b"  \x1fa" + b"n" * 110_000 + b"\x1e\x1d"
    report = run_import(SYSTEM, catalogue.world.school_a, iso(GOOD_1) + data + iso(GOOD_2))

    ((position, _where, reason),) = errors_of(report)
    assert position == 2 and "99999" in reason
    _assert_good_ones_imported(report)
    _assert_untouched(before)


# --- MARCXML ----------------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE collection [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<collection xmlns="http://www.loc.gov/MARC21/slim"><record>
<leader>00000nam a2200000 a 4500</leader><controlfield tag="001">bomb</controlfield>
<datafield tag="245" ind1="0" ind2="0"><subfield code="a">&lol9;</subfield></datafield>
</record></collection>
"""


def external_entity(target: Path) -> bytes:
    return f"""<?xml version="1.0"?>
<!DOCTYPE collection [<!ENTITY secret SYSTEM "file://{target}">]>
<collection xmlns="http://www.loc.gov/MARC21/slim"><record>
<leader>00000nam a2200000 a 4500</leader><controlfield tag="001">xxe</controlfield>
<datafield tag="245" ind1="0" ind2="0"><subfield code="a">&secret;</subfield></datafield>
</record></collection>
""".encode()


def test_xml_bomb_is_refused(catalogue, before):
    report = run_import(SYSTEM, catalogue.world.school_a, BILLION_LAUGHS)

    ((position, where, reason),) = errors_of(report)
    assert position == 1 and where.startswith("near line ")
    assert "refused unsafe XML" in reason
    assert report.created == 0
    _assert_untouched(before)


def test_external_entity_is_refused_and_not_read(catalogue, before, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")

    report = run_import(SYSTEM, catalogue.world.school_a, external_entity(secret))

    ((position, _where, reason),) = errors_of(report)
    assert position == 1 and "refused unsafe XML" in reason
    assert not Record.objects.filter(control_number="xxe").exists()
    assert not any("TOP-SECRET" in str(r.marc) for r in Record.objects.all())
    _assert_untouched(before)


def test_xml_broken_half_way_keeps_the_records_before(catalogue, before):
    data = marcxml(GOOD_1, GOOD_2)
    broken = data.replace(b"</collection>", b"<record><leader>oops</record></collection>")

    report = run_import(SYSTEM, catalogue.world.school_a, broken)

    ((position, where, reason),) = errors_of(report)
    assert position == 3 and where.startswith("near line ")
    assert "not well-formed" in reason
    _assert_good_ones_imported(report)
    _assert_untouched(before)


def test_xml_records_without_a_collection_are_all_read(catalogue):
    """Some systems write MARCXML records one after another with no <collection> around."""
    body = b"\n".join(pymarc.record_to_xml(r, namespace=True) for r in (GOOD_1, GOOD_2))

    report = run_import(SYSTEM, catalogue.world.school_a, body)

    assert (report.read, report.rejected) == (2, 0)
    _assert_good_ones_imported(report)


# --- Not MARC at all --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"  \r\n\n", id="blank-lines"),
        pytest.param(b"title;author\nPippi;Astrid Lindgren\n", id="csv"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, id="png"),
        pytest.param(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\n", id="pdf"),
        pytest.param(b"<html><body><p>Hej</p></body></html>", id="html"),
        pytest.param(b"<?xml version='1.0'?><mods><titleInfo/></mods>", id="other-xml"),
    ],
)
def test_file_that_is_not_marc_is_refused_with_a_reason(catalogue, before, data):
    report = run_import(SYSTEM, catalogue.world.school_a, data)

    assert report.created == report.updated == 0
    assert report.errors, report
    first = report.errors[0]
    assert first.position == 1 and first.where in ("byte 0", "near line 1")
    assert first.reason
    if data.strip() == b"" or data.startswith(b"<"):
        assert "no MARC records" in first.reason
    _assert_untouched(before)


# --- The command line: dry run and all-or-nothing ---------------------------------------------


def _command(path: Path, *options: str) -> str:
    out = io.StringIO()
    call_command("import-marc", str(path), "--school", "nord", *options, stdout=out)
    return out.getvalue()


def test_dry_run_saves_nothing(catalogue, before, tmp_path):
    path = tmp_path / "books.mrc"
    path.write_bytes(iso(GOOD_1, GOOD_2))
    outbox, events = SearchOutbox.objects.count(), AuditEvent.objects.count()

    output = _command(path, "--dry-run")

    assert "Read 2 records: 2 created, 0 updated, 0 rejected; 2 copies created" in output
    assert "(dry run: nothing saved)." in output
    assert snapshot() == before
    assert (SearchOutbox.objects.count(), AuditEvent.objects.count()) == (outbox, events)


def test_all_or_nothing_saves_nothing_when_one_record_is_rejected(catalogue, before, tmp_path):
    path = tmp_path / "books.mrc"
    bad = iso(book("Ødelagt", control="x1")).replace("Ødelagt".encode(), b"\xff\xfelagt")
    path.write_bytes(iso(GOOD_1) + bad + iso(GOOD_2))

    output = _command(path, "--all-or-nothing")

    assert f"REJECTED record 2 (001 x1), byte {len(iso(GOOD_1))}: bad character encoding" in output
    assert "1 rejected" in output and "(all or nothing: rejections found, nothing saved)." in output
    assert snapshot() == before


def test_all_or_nothing_saves_nothing_when_a_copy_is_rejected(catalogue, before, tmp_path):
    path = tmp_path / "books.mrc"
    path.write_bytes(iso(GOOD_1, book("Tyv", control="t1", holdings=[{"p": "A100"}])))

    output = _command(path, "--all-or-nothing")

    assert "REJECTED record 2 (001 t1)" in output and "A100" in output
    assert "nothing saved" in output
    assert snapshot() == before


def test_all_or_nothing_saves_everything_when_all_is_well(catalogue, before, tmp_path):
    path = tmp_path / "books.mrc"
    path.write_bytes(iso(GOOD_1, GOOD_2))

    output = _command(path, "--all-or-nothing")

    assert "2 created" in output and "nothing saved" not in output
    assert Record.objects.filter(control_number__in=["g1", "g2"]).count() == 2
    _assert_untouched(before)


def test_reader_positions_count_every_record(catalogue):
    results = read(iso(GOOD_1, GOOD_2) + b"\n\n" + iso(GOOD_1))
    assert [(r.position, r.error) for r in results] == [(1, ""), (2, ""), (3, "")]
    assert results[2].offset == f"byte {len(iso(GOOD_1, GOOD_2))}"


def test_a_rejected_record_is_named_by_its_001_as_the_readme_promises(catalogue, tmp_path):
    victim = iso(book("Ødelagt tegnsæt", control="e1-rejected"))
    broken = victim.replace("Ødelagt".encode(), b"\xff\xfelagt")
    path = tmp_path / "bad.mrc"
    path.write_bytes(iso(GOOD_1) + broken)
    out = io.StringIO()

    call_command("import-marc", str(path), "--school", "nord", stdout=out)

    (problem,) = run_import(SYSTEM, catalogue.world.school_a, broken).errors
    assert problem.control_number == "e1-rejected"
    assert f"REJECTED record 2 (001 e1-rejected), byte {len(iso(GOOD_1))}: " in out.getvalue()
