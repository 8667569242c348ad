"""The look-up of a suggested or ordered ISBN through the catalogue's SRU targets (against the
project's local SRU server): a student's suggestion by ISBN alone gets its title, author,
publisher and stated price; a librarian's "Find by ISBN" fills the line, and the line links a
record copied into the catalogue; our own record is used without asking anyone; another
municipality's record and another school's target are not ours."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pymarc import Field, Indicators, Subfield

from reol.acquisitions import lookup
from reol.acquisitions.actions import orders, suggestions
from reol.acquisitions.models import OrderLine, Suggestion
from reol.catalog import services as catalog_services
from reol.catalog.models import Record, RecordIsbn, SruTarget
from reol.catalog.tests.helpers import ISBN_A, ISBN_C, book, signed_in
from reol.catalog.tests.sru_server import sru_server  # noqa: F401  (a fixture)
from reol.core import services as core_services
from reol.core.models import Municipality
from reol.core.permissions import SYSTEM

pytestmark = pytest.mark.django_db


def _theirs(price: str = "kr. 249,95"):
    """A record as a national catalogue sends it: publisher in 264, a price in 020 $c, and
    another library's numbers and copies."""
    record = book(
        "Drengen med de mange navne",
        isbn=ISBN_C,
        control="theirs-1",
        author="Aakeson, Kim Fupz",
        holdings=[{"p": "THEIRS-1", "o": "86 Aak"}],
    )
    record.get_fields("020")[0].add_subfield("c", price)
    record.add_field(
        Field(
            tag="264",
            indicators=Indicators(" ", "1"),
            subfields=[Subfield("a", "København"), Subfield("b", "Gyldendal")],
        )
    )
    return record


@pytest.fixture
def target(world, sru_server):  # noqa: F811
    sru_server.add(ISBN_C, _theirs())
    return SruTarget.objects.create(
        municipality=world.municipality, name="DBC", base_url=sru_server.url
    )


def test_prices_are_read_from_020c_and_365b():
    marc = _theirs("kr. 249,95")
    assert lookup.price_of(marc) == Decimal("249.95")
    assert lookup.price_of(_theirs("NOK 349,-")) == Decimal("349.00")
    assert lookup.price_of(_theirs("£7.5")) == Decimal("7.50")
    assert lookup.price_of(_theirs("hf.")) is None


def test_a_suggestion_by_isbn_alone_is_filled_in_from_sru(world, target, sru_server):  # noqa: F811
    suggestion = suggestions.suggest_looked_up(world.student_a1, world.school_a, isbn=ISBN_C)

    assert (suggestion.title, suggestion.author, suggestion.publisher) == (
        "Drengen med de mange navne",
        "Aakeson, Kim Fupz",
        "Gyldendal",
    )
    assert (suggestion.price_hint, suggestion.found_in) == (Decimal("249.95"), "DBC")
    assert suggestion.record is None  # not ours yet: nothing is catalogued by a suggestion
    assert not Record.objects.exists()
    assert sru_server.last["query"] == f'bath.isbn="{ISBN_C}"'


def test_what_the_suggester_wrote_is_kept(world, target):
    suggestion = suggestions.suggest_looked_up(
        world.student_a1, world.school_a, isbn=ISBN_C, title="Drengen", author="Kim"
    )
    assert (suggestion.title, suggestion.author) == ("Drengen", "Kim")
    assert suggestion.publisher == "Gyldendal"


def test_our_own_record_is_linked_and_nobody_is_asked(world, target, sru_server):  # noqa: F811
    ours = catalog_services.create_record(SYSTEM, world.municipality, book("Vores", isbn=ISBN_A))
    suggestion = suggestions.suggest_looked_up(world.student_a1, world.school_a, isbn=ISBN_A)
    assert (suggestion.record, suggestion.title, suggestion.found_in) == (ours, "Vores", "")
    assert sru_server.requests == []


def test_another_municipality_and_its_targets_are_not_ours(world, sru_server):  # noqa: F811
    far = Municipality.objects.get(code="fjordby")
    core_services.create_school(SYSTEM, municipality=far, code="fjord", name="Fjordskolen")
    catalog_services.create_record(SYSTEM, far, book("Fjernt", isbn=ISBN_C))
    sru_server.add(ISBN_C, _theirs())
    SruTarget.objects.create(municipality=far, name="Theirs", base_url=sru_server.url)

    suggestion = suggestions.suggest_looked_up(world.student_a1, world.school_a, isbn=ISBN_C)

    assert suggestion.record is None and suggestion.title == ISBN_C
    assert sru_server.requests == []


def test_an_unreachable_target_still_takes_the_suggestion(world, target, sru_server):  # noqa: F811
    sru_server.behaviour = "http-error"
    suggestion = suggestions.suggest_looked_up(world.student_a1, world.school_a, isbn=ISBN_C)
    assert suggestion.title == ISBN_C and suggestion.found_in == ""


def test_the_student_page_finds_the_title_before_sending(world, target):
    client = signed_in(world.student_a1)

    page = client.post("/library/suggest/", {"isbn": "978-87-11-43946-3", "find": "1"})

    assert page.status_code == 200
    text = page.content.decode()
    assert "Found in DBC" in text and 'value="Drengen med de mange navne"' in text
    assert not Suggestion.objects.exists()  # finding is not sending


def test_ordering_a_suggestion_copies_the_found_record_and_links_it(shop, world, target):
    suggestion = suggestions.suggest_looked_up(world.student_a1, world.school_a, isbn=ISBN_C)
    order = orders.create_order(world.librarian_a, world.school_a, shop.vendor)
    client = signed_in(world.librarian_a)
    url = f"/staff/acquisitions/orders/{order.pk}/"

    form = client.get(url, {"suggestion": suggestion.pk}).context["form"]
    assert form.initial["unit_price"] == Decimal("249.95")
    answer = client.post(
        url,
        {
            "isbn": ISBN_C,
            "title": suggestion.title,
            "quantity": "2",
            "unit_price": "249.95",
            "vat_included": "on",
            "fund": shop.books.pk,
            "circulation_type": "normal",
            "suggestion": suggestion.pk,
        },
    )

    assert answer.status_code == 302
    line = OrderLine.objects.get(order=order)
    assert line.record is not None and line.record.title == "Drengen med de mange navne"
    assert line.record.municipality == world.municipality
    assert not line.record.items.exists()  # the other library's 952 copy is not copied
    assert list(RecordIsbn.objects.filter(record=line.record).values_list("isbn13", flat=True)) == [
        ISBN_C
    ]
    page = client.get(url).content.decode()
    assert f"/staff/catalog/records/{line.record.pk}/" in page or str(line.record.pk) in page


def test_find_by_isbn_fills_the_line_and_remembers_the_record(shop, world, target, sru_server):  # noqa: F811
    order = orders.create_order(world.librarian_a, world.school_a, shop.vendor)
    client = signed_in(world.librarian_a)
    url = f"/staff/acquisitions/orders/{order.pk}/"

    page = client.post(url, {"isbn": "9788711439463", "find": "1", "quantity": "3"})

    form = page.context["form"]
    assert (form.initial["title"], form.initial["unit_price"], form.initial["quantity"]) == (
        "Drengen med de mange navne",
        Decimal("249.95"),
        "3",
    )
    assert "Found in DBC" in page.content.decode() and not OrderLine.objects.exists()
    asked = len(sru_server.requests)

    client.post(
        url,
        {
            "isbn": ISBN_C,
            "title": "Drengen med de mange navne",
            "quantity": "3",
            "unit_price": "249.95",
            "fund": shop.books.pk,
            "circulation_type": "normal",
        },
    )

    line = OrderLine.objects.get(order=order)
    assert line.record is not None and line.record.title == "Drengen med de mange navne"
    assert len(sru_server.requests) == asked  # the found record came from the session


def test_a_line_for_an_isbn_we_have_links_our_record(shop, world, target, sru_server):  # noqa: F811
    ours = catalog_services.create_record(SYSTEM, world.municipality, book("Vores", isbn=ISBN_A))
    order = orders.create_order(world.librarian_a, world.school_a, shop.vendor)
    signed_in(world.librarian_a).post(
        f"/staff/acquisitions/orders/{order.pk}/",
        {
            "isbn": ISBN_A,
            "title": "Vores",
            "quantity": "1",
            "unit_price": "100",
            "fund": shop.books.pk,
            "circulation_type": "normal",
        },
    )
    assert OrderLine.objects.get(order=order).record == ours
    assert Record.objects.count() == 1 and sru_server.requests == []
