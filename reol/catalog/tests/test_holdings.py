"""Copies from the holdings fields of an import: Koha's 952, and MARC21's 852 with 876 items."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from reol.catalog.importer import HoldingsSpec
from reol.catalog.models import Item, Record
from reol.core.permissions import SYSTEM

from .helpers import ISBN_A, book, iso, marcxml, require_shared_data, run_import

pytestmark = pytest.mark.django_db


def test_952_makes_copies_with_barcode_shelf_mark_location_price_and_date(catalogue):
    record = book(
        "Dyr i skoven",
        control="h1",
        isbn=ISBN_A,
        holdings=[
            {
                "a": "NORD",
                "c": "skon",
                "o": "59.9 Lar",
                "p": "3001",
                "g": "129,95",
                "d": "2023-08-15",
            },
            {"c": "FAG", "o": "59.9 Lar", "p": "3002", "g": "kr 1.299,50", "d": "2024-01-02"},
            {"p": "3003", "g": "gratis", "d": "sidste år"},
        ],
    )

    report = run_import(SYSTEM, catalogue.world.school_a, iso(record))

    assert report.copies_created == 3 and not report.errors
    rec = Record.objects.get(control_number="h1")
    one, two, three = Item.objects.filter(record=rec).order_by("barcode")
    assert (one.barcode, one.shelf_mark, one.location, one.price, one.acquired_on) == (
        "3001",
        "59.9 Lar",
        catalogue.skon,
        Decimal("129.95"),
        dt.date(2023, 8, 15),
    )
    assert (two.location, two.price, two.acquired_on) == (
        catalogue.fag,  # location codes are matched without regard to case
        Decimal("1299.50"),
        dt.date(2024, 1, 2),
    )
    assert (three.location, three.price, three.acquired_on, three.shelf_mark) == (
        None,
        None,
        None,
        "",
    )
    assert {i.school for i in (one, two, three)} == {catalogue.world.school_a}
    assert {i.status for i in (one, two, three)} == {"available"}
    assert three.effective_shelf_mark == rec.shelf_mark


def test_copies_belong_to_the_importing_school(catalogue):
    run_import(SYSTEM, catalogue.world.school_b, iso(book("Syd", control="s1", holdings=[
        {"p": "S1", "c": "skon"}
    ])))  # fmt: skip
    item = Item.objects.get(barcode="S1")
    assert (item.school, item.location) == (catalogue.world.school_b, catalogue.skon_b)


def test_an_unknown_location_is_warned_about_once_and_counted(catalogue):
    records = [
        book(f"Jazz {n}", control=f"j{n}", holdings=[{"p": f"J{n}A", "c": "hunt-facul"},
                                                     {"p": f"J{n}B", "c": "hunt-facul"}])
        for n in range(5)
    ]  # fmt: skip

    report = run_import(SYSTEM, catalogue.world.school_a, iso(*records))

    assert report.copies_created == 10
    located = [p.reason for p in report.warnings if "hunt-facul" in p.reason]
    assert located == ["copy J0A: location “hunt-facul” is unknown at Nordskolen"]
    assert "10 copies had the location “hunt-facul”, which the school does not have" in (
        report.summary()
    )


def test_unknown_location_and_unusable_barcode_are_warnings(catalogue):
    record = book(
        "Advarsler",
        control="w1",
        holdings=[{"p": "W1", "c": "kaelder"}, {"p": "has space"}, {"o": "no barcode"}],
    )

    report = run_import(SYSTEM, catalogue.world.school_a, iso(record))

    assert report.copies_created == 1 and report.rejected == 0
    reasons = [p.reason for p in report.warnings]
    assert "copy W1: location “kaelder” is unknown at Nordskolen" in reasons
    assert any("“has space” is not a usable barcode" in r for r in reasons)
    assert Item.objects.get(barcode="W1").location is None


@pytest.mark.parametrize(
    ("typed", "price"),
    [
        ("129,95", Decimal("129.95")),
        ("129.95", Decimal("129.95")),
        ("DKK 1.299,95", Decimal("1299.95")),
        ("1,299.95 NOK", Decimal("1299.95")),
        ("kr. 89", Decimal("89")),
        ("", None),
        ("gratis", None),
    ],
)
def test_prices_as_libraries_write_them(catalogue, typed, price):
    holdings = [{"p": "P1", "g": typed}] if typed else [{"p": "P1"}]
    run_import(SYSTEM, catalogue.world.school_a, iso(book("Pris", control="p1", holdings=holdings)))
    assert Item.objects.get(barcode="P1").price == price


def _852(record, subfields):
    from pymarc import Field, Indicators, Subfield

    record.add_field(
        Field(
            tag=subfields.pop("tag", "852"),
            indicators=Indicators(" ", " "),
            subfields=[Subfield(code, value) for code, value in subfields.items()],
        )
    )


def test_852_with_barcodes_in_852(catalogue):
    record = book("Holdings 852", control="m1")
    _852(record, {"8": "1", "b": "skon", "h": "86 Jen", "p": "8521"})
    _852(record, {"8": "2", "b": "fag", "h": "59 Jen", "p": "8522"})

    report = run_import(SYSTEM, catalogue.world.school_a, marcxml(record))

    assert report.copies_created == 2
    a, b = Item.objects.order_by("barcode")
    assert (a.barcode, a.location, a.shelf_mark) == ("8521", catalogue.skon, "86 Jen")
    assert (b.barcode, b.location, b.shelf_mark) == ("8522", catalogue.fag, "59 Jen")


def test_852_with_876_items_takes_barcode_price_and_date_from_each_876(catalogue):
    """MARC21 holdings: an 852 per location, an 876 per copy linked to it by $8."""
    record = book("Holdings 876", control="m2")
    _852(record, {"8": "1", "b": "skon", "h": "86 Jen"})
    _852(record, {"8": "2", "b": "fag", "h": "59 Jen"})
    _852(record, {"tag": "876", "8": "1.1", "p": "8761", "c": "199,00", "d": "20230815"})
    _852(record, {"tag": "876", "8": "1.2", "p": "8762", "c": "DKK 149.50", "d": "2024-02-01"})
    _852(record, {"tag": "876", "8": "2.1", "p": "8763"})

    report = run_import(SYSTEM, catalogue.world.school_a, iso(record))

    assert report.copies_created == 3, report
    one, two, three = Item.objects.order_by("barcode")
    assert (one.location, one.shelf_mark, one.price, one.acquired_on) == (
        catalogue.skon,
        "86 Jen",
        Decimal("199.00"),
        dt.date(2023, 8, 15),
    )
    assert (two.location, two.price, two.acquired_on) == (
        catalogue.skon,
        Decimal("149.50"),
        dt.date(2024, 2, 1),
    )
    assert (three.location, three.shelf_mark, three.price) == (catalogue.fag, "59 Jen", None)


def test_852_holdings_from_the_command_line(catalogue, tmp_path):
    record = book("CLI 852", control="m3")
    _852(record, {"b": "skon", "h": "86 Jen", "p": "C852"})
    _852(record, {"tag": "952", "z": "a 952 without a barcode: not where the copies are"})
    path = tmp_path / "holdings.mrc"
    path.write_bytes(iso(record))
    out = io.StringIO()

    call_command("import-marc", str(path), "--school", "nord", "--holdings", "852", stdout=out)

    assert "1 copy created" in out.getvalue()
    assert Item.objects.get(barcode="C852").location == catalogue.skon


def test_holdings_spec_can_name_other_subfields(catalogue):
    record = book("Egen opsætning", control="o1", holdings=[{"i": "OWN1", "o": "Hylde 3"}])
    spec = HoldingsSpec(barcode="i")
    report = run_import(SYSTEM, catalogue.world.school_a, iso(record), holdings=spec)
    assert report.copies_created == 1
    assert Item.objects.get(barcode="OWN1").shelf_mark == "Hylde 3"


def test_reimport_keeps_copies_and_adds_new_ones(catalogue):
    first = book("Igen", control="r9", holdings=[{"p": "R91"}])
    run_import(SYSTEM, catalogue.world.school_a, iso(first))
    again = book("Igen", control="r9", holdings=[{"p": "R91"}, {"p": "R92"}])

    report = run_import(SYSTEM, catalogue.world.school_a, iso(again))

    assert (report.created, report.updated, report.copies_created) == (0, 1, 1)
    assert list(Item.objects.order_by("barcode").values_list("barcode", flat=True)) == [
        "R91",
        "R92",
    ]


def test_holdings_in_a_field_not_read_are_reported_not_silently_dropped(catalogue, tmp_path):
    """Evergreen's jazz file keeps its copies in 949 ($i barcode, $a call number, $l place)."""
    data = (require_shared_data() / "evergreen" / "jazz_1k.mrc").read_bytes()
    path = tmp_path / "jazz.mrc"
    path.write_bytes(data)
    out = io.StringIO()

    call_command("import-marc", str(path), "--school", "nord", "--dry-run", stdout=out)

    assert "983 records had 949 holdings; choose --holdings 949 to read them." in out.getvalue()
    report = run_import(SYSTEM, catalogue.world.school_a, data, dry_run=True)
    assert report.unread_holdings == {"949": 983}
    assert "983 records had 949 holdings, which were not read" in report.summary()


def test_949_holdings_are_read_as_vendors_write_them(catalogue):
    data = (require_shared_data() / "evergreen" / "jazz_1k.mrc").read_bytes()
    spec = HoldingsSpec.parse("949")

    report = run_import(SYSTEM, catalogue.world.school_a, data, holdings=spec)

    assert report.unread_holdings == {}
    assert report.copies_created > 800
    copy = Item.objects.get(barcode="30007007467409")
    assert copy.shelf_mark == "5490"


def test_a_holdings_mapping_names_the_subfields(catalogue, tmp_path):
    record = book("Leverandør", control="v1", holdings_tag="949", holdings=[{"x": "V1", "h": "sk"}])
    path = tmp_path / "vendor.mrc"
    path.write_bytes(iso(record))

    call_command(
        "import-marc",
        str(path),
        "--school",
        "nord",
        "--holdings",
        "949:barcode=x,shelf_mark=h",
        stdout=io.StringIO(),
    )

    assert Item.objects.get(barcode="V1").shelf_mark == "sk"
    with pytest.raises(CommandError, match="“size=q” is not a holdings mapping"):
        call_command("import-marc", str(path), "--school", "nord", "--holdings", "949:size=q")
