"""Hand-written statements read into model instances (``core.rows``) give what the ORM gives:
every value converted as the ORM converts it (SQLite answers dates as text, booleans as
integers, decimals as floats), the fields not read deferred, a missing outer join None."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.forms.models import model_to_dict

from reol.catalog import services as catalog
from reol.catalog.models import Item, Record
from reol.catalog.tests.helpers import book
from reol.core.models import School
from reol.core.permissions import SYSTEM
from reol.core.rows import Shape, set_related

pytestmark = pytest.mark.django_db

COPY = Shape((Item, "i"), (Record, "r", ["title", "municipality"]), (School, "s"))


def _sql() -> str:
    return (  # the shape's own column names only; the value is a parameter
        f"SELECT {COPY.columns()} FROM catalog_item i JOIN catalog_record r"  # noqa: S608
        " ON r.id = i.record_id JOIN core_school s ON s.id = i.school_id WHERE i.barcode = %s"
    )


def _all_columns(obj: object) -> dict[str, object]:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}  # type: ignore[attr-defined]


@pytest.fixture
def copy(world):  # type: ignore[no-untyped-def]
    record = catalog.create_record(SYSTEM, world.municipality, book("Æbler og pærer"))
    [item] = catalog.add_items(SYSTEM, record, world.school_a, barcodes=["ROWS1"])
    Item.objects.filter(pk=item.pk).update(
        price=Decimal("129.50"), acquired_on=dt.date(2026, 8, 31), notes="Gave"
    )
    School.objects.filter(pk=world.school_a.pk).update(keep_loan_history=True)
    return item


def test_a_row_gives_the_instances_the_orm_gives(copy):
    [(item, record, school)] = COPY.fetch(_sql(), ["ROWS1"])
    orm = Item.objects.select_related("record", "school").get(pk=copy.pk)
    assert _all_columns(item) == _all_columns(orm)
    assert item.price == Decimal("129.50") and item.acquired_on == dt.date(2026, 8, 31)
    assert item.created_at.tzinfo is not None  # an aware datetime, as the ORM's
    assert _all_columns(school) == _all_columns(orm.school)
    assert school.keep_loan_history is True
    assert (record.pk, record.title, record.municipality_id) == (
        orm.record.pk,
        orm.record.title,
        orm.record.municipality_id,
    )
    assert not item._state.adding and item._state.db == "default"


def test_fields_not_read_are_deferred_and_related_ones_cached(copy, django_assert_num_queries):
    [(item, record, school)] = COPY.fetch(_sql(), ["ROWS1"])
    assert "marc" in record.get_deferred_fields() and "title" not in record.get_deferred_fields()
    set_related(item, "record", record)
    set_related(item, "school", school)
    with django_assert_num_queries(0):
        assert item.record.title == "Æbler og pærer" and item.school.name
    assert model_to_dict(item)["record"] == record.pk


def test_an_outer_join_that_finds_nothing_is_none(copy):
    shape = Shape((Item, "i"), (School, "s"))
    sql = (
        f"SELECT {shape.columns()} FROM catalog_item i LEFT JOIN core_school s"  # noqa: S608
        " ON s.id = i.school_id AND s.id < 0 WHERE i.barcode = %s"
    )
    [(item, school)] = shape.fetch(sql, ["ROWS1"])
    assert item.barcode == "ROWS1" and school is None
    assert shape.fetch(sql, ["NO-SUCH-COPY"]) == []


def test_the_select_list_names_each_column_with_its_alias():
    columns = Shape((Record, "r", ["title"])).columns()
    quote = connection.ops.quote_name
    assert columns == f"r.{quote('id')}, r.{quote('title')}"
