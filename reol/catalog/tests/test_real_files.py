"""Every MARC file other library systems wrote (../shared/data/marc) imports without an
exception, reports each rejected record with its position and reason, creates the good ones,
updates rather than duplicates on a second import, and exports every field unchanged."""

from __future__ import annotations

import io
import re
from collections import Counter
from pathlib import Path

import pymarc
import pytest

from reol.catalog import exporter
from reol.catalog.models import Item, Record, RecordIsbn
from reol.core.permissions import SYSTEM

from .helpers import MARC_DATA, book, comparable, read, run_import, shared_marc_files

pytestmark = [
    pytest.mark.django_db,
    # pymarc warns about odd subfield codes in some of these files; the records still import
    pytest.mark.filterwarnings("ignore::pymarc.exceptions.BadSubfieldCodeWarning"),
]

FILES = shared_marc_files()
# Files in the shared data that are not MARC at all (reported once as such, nothing read);
# every other file must never be taken for "not MARC".
NOT_MARC = {"modsoutput.xml"}  # MODS, which marc4j writes from MARC
WHERE = re.compile(r"^(byte \d+|near line \d+)$")


def _params() -> list[object]:
    if not FILES:
        reason = f"the shared MARC test data is not at {MARC_DATA} (../shared/data/marc)"
        return [pytest.param(None, marks=pytest.mark.skip(reason=reason), id="no-shared-data")]
    return [pytest.param(p, id=str(p.relative_to(MARC_DATA))) for p in FILES]


def _check_problems(report, read_count: int) -> None:
    for problem in [*report.errors, *report.warnings]:
        assert 1 <= problem.position <= max(read_count, 1), problem
        assert WHERE.match(problem.where), problem
        assert problem.reason.strip(), problem
        assert str(problem).startswith(f"record {problem.position}")


def _stored_positions(results, report) -> list[int]:
    """Positions of the records the importer kept (read well, and storable)."""
    refused = {
        p.position for p in report.errors if not p.reason.startswith("copy ")
    }  # rejected by the reader or when storing; copy problems do not reject the record
    return [r.position for r in results if r.record is not None and r.position not in refused]


def _check_round_trip(results, report, kept: list[int]) -> None:
    """Export what was imported, in both formats; read back, every field is as it was read."""
    by_position = {r.position: r.record for r in results}
    for fmt in ("iso2709", "marcxml"):
        xml = fmt == "marcxml"
        originals = Counter(comparable(by_position[p], xml=xml) for p in kept)
        out = io.BytesIO()

        written = exporter.export_marc(Record.objects.all(), out, fmt)

        assert written == Record.objects.count()
        if not written:
            assert out.getvalue() in (b"", exporter.XML_HEAD + exporter.XML_TAIL)
            continue
        exported_results = read(out.getvalue())
        assert [r.error for r in exported_results if r.record is None] == [], fmt
        assert len(exported_results) == written
        exported = Counter(comparable(r.record, xml=xml) for r in exported_results)
        if report.updated == 0:
            assert exported == originals, fmt
        else:  # the file repeats records: the one stored is one of them, unchanged
            assert not exported - originals, fmt


@pytest.mark.parametrize("path", _params())
def test_real_file_imports_round_trips_and_reimports_without_duplicates(catalogue, path: Path):
    """One import per file serves three checks (the set is ~4,000 records): what was reported,
    the export round trip, and a second import that updates and creates nothing."""
    school = catalogue.world.school_a
    data = path.read_bytes()
    results = read(data)  # what the reader makes of the file, as the importer sees it
    refused_by_reader = {r.position: r.error for r in results if r.record is None and not r.skipped}
    not_titles = {r.position: r.error for r in results if r.skipped}  # authority, holdings

    report = run_import(SYSTEM, school, data)

    assert bool(report.not_marc) == (path.name in NOT_MARC), report.not_marc
    assert report.read == len([r for r in results if not r.not_marc])
    _check_problems(report, len(results))
    errors = {p.position: p.reason for p in report.errors if not p.reason.startswith("copy ")}
    for position, reason in refused_by_reader.items():
        assert errors.get(position) == reason  # each reader rejection reported as such
    assert report.rejected + bool(report.not_marc) == len(errors)
    assert report.skipped == len(not_titles)
    said = {p.position: p.reason for p in report.warnings if p.position in not_titles}
    assert said == not_titles  # each one said, as a warning, with its kind
    kept = _stored_positions(results, report)
    assert report.created + report.updated == len(kept)
    assert Record.objects.count() == report.created
    assert not Record.objects.filter(title="").exists()

    _check_round_trip(results, report, kept)

    counts = (Record.objects.count(), Item.objects.count(), RecordIsbn.objects.count())
    again = run_import(SYSTEM, school, data)

    assert again.created == 0
    assert again.updated == len(kept)
    assert (again.rejected, again.skipped) == (report.rejected, report.skipped)
    assert again.copies_created == 0
    assert (Record.objects.count(), Item.objects.count(), RecordIsbn.objects.count()) == counts


@pytest.mark.parametrize("name", ["auth-subset100.mrc", "auth-1066.mrc"])
def test_an_authority_file_makes_no_blank_titles(world, name):
    path = MARC_DATA / "evergreen" / name
    if not path.is_file():
        pytest.skip(f"{path} is absent (../shared/data/marc)")
    report = run_import(SYSTEM, world.school_a, path.read_bytes())
    assert report.read > 0 and report.created == 0 and report.rejected == 0
    assert report.skipped == report.read and report.failed  # nothing to import in it
    assert all("authority record (leader/06 z)" in p.reason for p in report.warnings[:50])
    assert not Record.objects.exists()


def test_holdings_and_authority_records_are_refused_with_their_kind(world):
    out = io.BytesIO()
    writer = pymarc.MARCWriter(out)
    for kind, control in (("z", "a1"), ("y", "h1"), ("a", "b1")):
        record = book(f"Post {control}", control=control, leader=f"00000n{kind}m a2200000 a 4500")
        writer.write(record)
    report = run_import(SYSTEM, world.school_a, out.getvalue())
    assert (report.read, report.created, report.rejected, report.skipped) == (3, 1, 0, 2)
    reasons = {p.control_number: p.reason for p in report.warnings}
    assert "authority record" in reasons["a1"] and "holdings record" in reasons["h1"]


def test_pymarcs_own_complaints_become_the_records_warnings(world, capfd):
    path = MARC_DATA / "marc4j" / "test" / "resources" / "chinese_mangled_multibyte.mrc"
    if not path.is_file():
        pytest.skip(f"{path} is absent (../shared/data/marc)")
    report = run_import(SYSTEM, world.school_a, path.read_bytes())
    assert report.read == 4 and report.rejected == 0
    assert any("multi-byte character is cut off" in p.reason for p in report.warnings)
    assert "Multi-byte position" not in capfd.readouterr().err  # nothing raw, in English
