"""The synthetic catalogue (reol.catalog.sample), and the importer's fast paths doing exactly
what the Django calls they replace would: _insert as bulk_create, _update as bulk_update,
_plainly_valid never passing what full_clean rejects, look-ups that stay on an index.

(Speed itself is measured in bench/marc_import.py, never asserted here.)"""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
from decimal import Decimal

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.utils import timezone
from stdnum import isbn as stdisbn

from reol.catalog import importer, sample
from reol.catalog import marc as marcio
from reol.catalog.importer import import_marc
from reol.catalog.models import Item, Record, RecordIsbn, SearchOutbox
from reol.catalog.services import apply_marc
from reol.core.permissions import SYSTEM

# --- The synthetic catalogue -------------------------------------------------------------------


def test_sample_is_the_same_every_time_and_record_k_does_not_depend_on_n():
    first = [r.as_marc21() for r in sample.records(40, seed=5)]
    assert first == [r.as_marc21() for r in sample.records(40, seed=5)]
    assert [r.as_marc21() for r in sample.records(10, seed=5, start=31)] == first[30:]
    assert first != [r.as_marc21() for r in sample.records(40, seed=6)]


def test_sample_records_are_realistic_and_their_keys_unique():
    records = list(sample.records(1500))
    barcodes = [f["p"] for r in records for f in r.get_fields("952")]
    isbns = [stdisbn.to_isbn13(f["a"].split()[0]) for r in records for f in r.get_fields("020")]
    assert len(barcodes) == len(set(barcodes)) and len(isbns) == len(set(isbns))
    assert len({(r["003"].data, r["001"].data) for r in records}) == len(records)
    kinds = {str(r.leader)[6] for r in records}
    assert kinds == {"a", "g", "i", "r"}  # books, films, audiobooks, games and devices
    for r in records:
        assert 15 <= len(r.fields) <= 30
        assert 1 <= len(r.get_fields("952")) <= 3
        assert len(r["008"].data) == 40 and r["008"].data[35:38] in ("dan", "nob", "eng")
        assert r.get_fields("245") and r.get_fields("041") and r.get_fields("082")
        for f in r.get_fields("020"):
            assert stdisbn.is_valid(f["a"].split()[0])
    assert any("LIX" in f.value() for r in records for f in r.get_fields("521"))
    assert any(r.get_fields("856") for r in records)


def test_sample_files_read_back_without_a_problem(tmp_path):
    sample.write_iso2709(tmp_path / "c.mrc", 60)
    sample.write_marcxml(tmp_path / "c.xml", 60)
    with (tmp_path / "c.mrc").open("rb") as iso, (tmp_path / "c.xml").open("rb") as xml:
        from_iso, from_xml = list(marcio.read_records(iso)), list(marcio.read_records(xml))
    assert len(from_iso) == len(from_xml) == 60
    for a, b in zip(from_iso, from_xml, strict=True):
        assert a.record is not None and not a.error and not a.warnings
        assert b.record is not None and not b.error and not b.warnings
        assert marcio.to_json(a.record)["fields"] == marcio.to_json(b.record)["fields"]


def test_sample_needs_no_django_settings():
    code = "from reol.catalog import sample; print(len(list(sample.records(3))))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, env={}
    )
    assert done.returncode == 0 and done.stdout.strip() == "3", done.stderr


def test_to_json_is_pymarcs_as_dict():
    for r in sample.records(200):
        assert marcio.to_json(r) == r.as_dict()


# --- The importer's fast paths -----------------------------------------------------------------


def _records(municipality, n=30, start=1):
    out = []
    for marc_record in sample.records(n, start=start):
        record = Record(municipality=municipality)
        apply_marc(record, marc_record)
        out.append(record)
    return out


def _comparable(obj, *drop):
    skip = {"id", "created_at", "updated_at", *drop}
    return {k: v for k, v in model_to_dict(obj).items() if k not in skip}


@pytest.mark.django_db
def test_insert_stores_what_bulk_create_stores(catalogue):
    world = catalogue.world
    fast, slow = _records(world.municipality), _records(catalogue.far_municipality)
    importer._insert(fast)
    Record.objects.bulk_create(slow)
    assert all(r.pk for r in fast) and len({r.pk for r in fast}) == len(fast)
    for a, b in zip(fast, slow, strict=True):
        stored_a, stored_b = Record.objects.get(pk=a.pk), Record.objects.get(pk=b.pk)
        assert _comparable(stored_a, "municipality") == _comparable(stored_b, "municipality")
        assert stored_a.created_at is not None and stored_a.updated_at is not None

    def copies(prefix):
        return [
            Item(record_id=fast[0].pk, school=world.school_a, barcode=f"{prefix}1",
                 location=catalogue.skon, shelf_mark="sk Ols", price=Decimal("99.95"),
                 acquired_on=dt.date(2024, 1, 2)),
            Item(record_id=fast[0].pk, school=world.school_a, barcode=f"{prefix}2"),
        ]  # fmt: skip

    items, twins = copies("F"), copies("S")
    importer._insert(items)
    Item.objects.bulk_create(twins)
    for a, b in zip(items, twins, strict=True):
        assert _comparable(Item.objects.get(pk=a.pk), "barcode") == _comparable(
            Item.objects.get(pk=b.pk), "barcode"
        )
    importer._insert([RecordIsbn(record_id=fast[0].pk, isbn13="9788702284294")])
    assert RecordIsbn.objects.filter(record_id=fast[0].pk, isbn13="9788702284294").exists()


@pytest.mark.django_db
def test_update_stores_what_bulk_update_stores(catalogue):
    world = catalogue.world
    fast, slow = _records(world.municipality, 12), _records(catalogue.far_municipality, 12)
    Record.objects.bulk_create(fast + slow)
    newer = _records(world.municipality, 12, start=500)
    names = [f.name for f in Record._meta.concrete_fields
             if f.name not in ("id", "municipality", "created_at", "merged_into")]  # fmt: skip
    for targets in (fast, slow):
        for target, source in zip(targets, newer, strict=True):
            for name in names:
                setattr(target, name, getattr(source, name))
            target.updated_at = timezone.now()
    importer._update(fast, names)
    Record.objects.bulk_update(slow, names)
    for a, b, source in zip(fast, slow, newer, strict=True):
        stored_a, stored_b = Record.objects.get(pk=a.pk), Record.objects.get(pk=b.pk)
        assert _comparable(stored_a, "municipality") == _comparable(stored_b, "municipality")
        assert stored_a.title == source.title and stored_a.marc == source.marc


@pytest.mark.django_db
def test_plainly_valid_never_passes_what_full_clean_rejects(catalogue):
    municipality = catalogue.world.municipality
    good = _records(municipality, 60)
    assert all(importer.plainly_valid(r) for r in good if not r.url)
    bad = {
        "title": "",
        "url": "https://exa mple.org/x",
        "year": -5,
        "age_min": 12,
        "material_type": "scroll",
        "ddc": "x" * 65,
        "languages": [{1, 2}],
        "reading_level": -1,
    }
    for name, value in bad.items():
        record = _records(municipality, 1)[0]
        record.age_max = 10 if name == "age_min" else record.age_max
        setattr(record, name, value)
        assert not importer.plainly_valid(record), name
        with pytest.raises(Exception):  # noqa: B017 - whatever full_clean raises
            record.full_clean(exclude=list(importer.UNCHECKED))
    for record in good:
        if importer.plainly_valid(record):
            record.full_clean(exclude=list(importer.UNCHECKED))


@pytest.mark.django_db
def test_import_of_the_sample_then_again_changes_nothing(catalogue, tmp_path):
    school = catalogue.world.school_a
    path = tmp_path / "c.mrc"
    sample.write_iso2709(path, 120)
    with path.open("rb") as stream:
        first = import_marc(SYSTEM, school, stream)
    copies = sum(len(r.get_fields("952")) for r in sample.records(120))
    assert (first.created, first.rejected, first.copies_created) == (120, 0, copies)
    stored = {r.control_number: _comparable(r) for r in Record.objects.all()}
    with path.open("rb") as stream:
        again = import_marc(SYSTEM, school, stream)
    assert (again.created, again.updated, again.copies_created) == (0, 120, 0)
    assert {r.control_number: _comparable(r) for r in Record.objects.all()} == stored
    assert Item.objects.count() == copies
    assert SearchOutbox.objects.count() == 240


@pytest.mark.django_db
def test_look_ups_stay_on_an_index_on_sqlite(catalogue):
    if connection.vendor != "sqlite":
        pytest.skip("the plan of SQLite's planner")
    school = catalogue.world.school_a
    data = b"".join(r.as_marc21() for r in sample.records(50))
    import_marc(SYSTEM, school, io.BytesIO(data))
    job = importer._Import(SYSTEM, school, importer.HoldingsSpec(), importer.ImportReport())
    plans: list[str] = []

    def explain(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        if sql.startswith("SELECT") and not many:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
                plans.append(" ".join(str(row[-1]) for row in cursor.fetchall()))
        return execute(sql, params, many, context)

    parsed = []
    for marc_record in sample.records(20):
        record = Record(municipality=school.municipality)
        isbn13s = apply_marc(record, marc_record)
        parsed.append(importer._Parsed(None, record, isbn13s, []))  # type: ignore[arg-type]
    with connection.execute_wrapper(explain):
        job._existing_by_control(parsed)
        job._existing_by_isbn(parsed)
    assert plans and all("SCAN" not in plan for plan in plans), plans
    assert any("record_control_number_unique" in plan for plan in plans), plans
