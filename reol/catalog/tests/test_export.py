"""Exporting: the command line writes what the catalogue holds, per municipality or school, and
leaves out (and names) a record that ISO 2709 cannot hold."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from pymarc import Field, Indicators, Subfield

from reol.catalog import exporter, services
from reol.catalog import marc as marcio
from reol.catalog.models import Record
from reol.core.permissions import SYSTEM

from .helpers import ISBN_A, book, comparable, read

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf(catalogue, record):
    """Three records: `record` (copies at A and B), one with a copy at B only, one with none."""
    at_b = services.create_record(SYSTEM, catalogue.world.municipality, book("Kun på Syd"))
    services.add_items(SYSTEM, at_b, catalogue.world.school_b, barcodes=["SYD1"])
    services.create_record(SYSTEM, catalogue.world.municipality, book("Uden eksemplarer"))
    services.create_record(SYSTEM, catalogue.far_municipality, book("Fjordby", isbn=ISBN_A))
    return catalogue


@pytest.mark.parametrize("fmt", ["iso2709", "marcxml"])
def test_export_command_writes_a_schools_records(shelf, tmp_path, fmt):
    out = tmp_path / f"nord.{fmt}"
    err = io.StringIO()

    call_command("export-marc", "--school", "nord", "--format", fmt, "--out", str(out), stderr=err)

    titles = [r.record.title for r in read(out.read_bytes())]
    assert titles == ["Rejsen til Saturn"]
    assert f"1 records written to {out}" in err.getvalue()


def test_export_of_everything_is_in_id_order_and_skips_merged_records(shelf):
    keep, duplicate = Record.objects.filter(municipality=shelf.world.municipality)[:2]
    services.merge_records(SYSTEM, keep, duplicate)
    out = io.BytesIO()

    count = exporter.export_marc(Record.objects.filter(municipality=shelf.world.municipality), out)

    results = read(out.getvalue())
    assert count == len(results) == 2
    stored = Record.objects.filter(municipality=shelf.world.municipality, merged_into=None)
    expected = [marcio.from_json(r.marc) for r in stored.order_by("id")]
    assert [comparable(r.record) for r in results] == [comparable(m) for m in expected]


def test_a_record_too_long_for_iso2709_is_left_out_and_named(catalogue, tmp_path):
    long = book("Lang")
    long.add_field(
        Field(tag="505", indicators=Indicators("0", " "), subfields=[Subfield("a", "x" * 10_000)])
    )
    too_long = services.create_record(SYSTEM, catalogue.world.municipality, long)
    services.create_record(SYSTEM, catalogue.world.municipality, book("Kort"))
    out, err = tmp_path / "all.mrc", io.StringIO()

    call_command("export-marc", "--out", str(out), stderr=err)

    assert [r.record.title for r in read(out.read_bytes())] == ["Kort"]
    assert f"record {too_long.pk} left out: " in err.getvalue()
    assert "too long for ISO 2709" in err.getvalue()
    xml = tmp_path / "all.xml"
    call_command("export-marc", "--format", "marcxml", "--out", str(xml), stderr=io.StringIO())
    assert sorted(r.record.title for r in read(xml.read_bytes())) == ["Kort", "Lang"]
