"""The staff catalogue's search box ("Title, author, ISBN or barcode") finds authors too: the
record's contributors (100/700), not only 245 $c, which many records lack — on both databases,
with letters beyond ASCII."""

from __future__ import annotations

import pymarc
import pytest
from pymarc import Field, Indicators, Subfield

from conftest import PASSWORD
from reol.catalog import services as catalog
from reol.core.permissions import SYSTEM

from .helpers import book

pytestmark = pytest.mark.django_db


def _titles(client, query: str) -> list[str]:  # type: ignore[no-untyped-def]
    page = client.get("/staff/catalogue/", {"q": query})
    assert page.status_code == 200
    return sorted(record.title for record in page.context["page"].object_list)


def _without_statement(title: str, tag: str, name: str) -> pymarc.Record:
    """A record whose author is only in 100/700: its 245 has no $c."""
    record = book(title, author="")
    record.remove_fields("245")
    record.add_field(Field("245", Indicators("1", "0"), [Subfield("a", title)]))
    record.add_field(Field(tag, Indicators("1", " "), [Subfield("a", name)]))
    return record


def test_the_staff_search_finds_a_record_by_its_author(world, client):
    jazz = _without_statement("Madame Jazz", "100", "Gourse, Leslie")
    danish = _without_statement("Elektromagnetismen", "700", "Ørsted, Hans Christian")
    other = book("Rejsen til Saturn", author="Jensen, Carsten")
    for record in (jazz, danish, other):
        catalog.create_record(SYSTEM, world.municipality, record)
    client.login(username="bib-a", password=PASSWORD)

    assert _titles(client, "Gourse") == ["Madame Jazz"]
    assert _titles(client, "gourse leslie") == ["Madame Jazz"]
    assert _titles(client, "Ørsted") == ["Elektromagnetismen"]
    assert _titles(client, "jazz") == ["Madame Jazz"]  # titles as before
    assert _titles(client, "Gourse Saturn") == []  # every word must match
