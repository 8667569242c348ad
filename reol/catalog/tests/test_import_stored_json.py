"""The import writes its JSON columns with orjson rather than json.dumps (bulk.py): the same
JSON values, but the text is compact and keeps characters beyond ASCII as themselves
("æ", not "\\u00e6"). Whatever reads them back gets what was imported, and the database's own
JSON checks accept the text."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from pymarc import Field, Indicators, Subfield

from reol.catalog import marc as marcio
from reol.catalog.models import Record
from reol.core.permissions import SYSTEM
from reol.protocols.records import is_clean
from reol.protocols.selectors import marc_and_holdings

from .helpers import book, iso, read, run_import

pytestmark = pytest.mark.django_db

# Danish letters, a quotation mark and a backslash, an emoji (beyond the BMP), a tab, a
# control character that JSON must escape and XML cannot carry, and U+FFFE
ODD = 'Æbler & "æg" \\ på 🍎-øen\tdel\x0b2 \ufffe'


def _imported(catalogue, title: str) -> Record:
    extra = [Field(tag="500", indicators=Indicators(" ", " "), subfields=[Subfield("a", ODD)])]
    data = iso(book(title, control="odd-1", extra=extra))
    report = run_import(SYSTEM, catalogue.world.school_a, data)
    assert report.rejected == 0 and report.created == 1
    return Record.objects.get(control_number="odd-1")


def test_the_stored_json_reads_back_as_imported(catalogue):
    [result] = read(iso(book("Æblerne på øen", control="odd-1")))
    record = _imported(catalogue, "Æblerne på øen")
    assert record.title == "Æblerne på øen"
    notes = [f["500"]["subfields"] for f in record.marc["fields"] if "500" in f]
    assert notes == [[{"a": ODD}]]
    expected = marcio.to_json(result.record)
    assert [f for f in record.marc["fields"] if "500" not in f] == expected["fields"]
    assert record.contributors == [{"name": "Jensen, Carsten", "role": "", "relator": "aut"}]


def test_the_stored_text_is_json_the_database_accepts(catalogue):
    record = _imported(catalogue, "Æblerne på øen")
    text = marc_and_holdings([record.pk], [])[0][record.pk]
    assert json.loads(text) == record.marc
    # the protocols' writer takes the record's text as needing XML escaping (the control
    # character and U+FFFE), whichever way the JSON was written
    assert not is_clean(text)
    table = connection.ops.quote_name(Record._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            sql = f"SELECT json_valid(marc), marc FROM {table} WHERE id = %s"  # noqa: S608
            cursor.execute(sql, [record.pk])
            valid, stored = cursor.fetchone()
            assert valid == 1
            # orjson's text: "æ" as itself (json.dumps wrote "\u00e6"), no blanks after ":"
            assert "Æblerne på øen" in stored and '"ind1":' in stored
        else:
            sql = f"SELECT jsonb_typeof(marc), marc->>'leader' FROM {table} WHERE id = %s"  # noqa: S608
            cursor.execute(sql, [record.pk])
            assert cursor.fetchone() == ("object", record.marc["leader"])
