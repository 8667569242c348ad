"""Add by ISBN: our own record if the municipality has it, else candidates from the SRU
targets, copied without the other library's copies and numbers; copies added after."""

from __future__ import annotations

import socket

import pymarc
import pytest
from django.urls import reverse
from pymarc import Field, Indicators, Subfield

from reol.catalog import marc as marcio
from reol.catalog import services
from reol.catalog.models import Item, Record, RecordIsbn, SruTarget
from reol.core.models import AuditEvent
from reol.core.permissions import SYSTEM

from .helpers import ISBN_A, ISBN_B, ISBN_B10, ISBN_BAD, ISBN_C, book, signed_in

pytestmark = pytest.mark.django_db

ADD = reverse("catalog-add-isbn")


def _target(municipality, sru_server, name="Nationalbibliografien", **options) -> SruTarget:
    return SruTarget.objects.create(
        municipality=municipality, name=name, base_url=sru_server.url, **options
    )


def _theirs():
    """A record as another library's catalogue sends it: its own numbers and copies."""
    record = book(
        "Drengen med de mange navne",
        isbn=ISBN_C,
        control="theirs-1",
        source="DK-870970",
        author="Aakeson, Kim Fupz",
        holdings=[{"p": "THEIRS-1", "o": "86 Aak"}],
    )
    for tag, subfields in (("852", [("b", "HB"), ("p", "THEIRS-2")]), ("876", [("p", "T3")])):
        record.add_field(
            Field(
                tag=tag,
                indicators=Indicators(" ", " "),
                subfields=[Subfield(c, v) for c, v in subfields],
            )
        )
    return record


def test_an_isbn_we_have_shows_our_record(catalogue, record, sru_server):
    _target(catalogue.world.municipality, sru_server)
    client = signed_in(catalogue.world.librarian_a)

    response = client.get(ADD, {"isbn": "978-87-02-28429-4"})

    assert list(response.context["ours"]) == [record]
    page = response.content.decode()
    assert "Already in the catalogue" in page and "Rejsen til Saturn" in page
    assert reverse("catalog-record", args=[record.pk]) + "#add-copies" in page
    assert sru_server.requests == []  # nobody else is asked


def test_an_isbn10_finds_the_record_catalogued_with_isbn13(catalogue, sru_server):
    rec = services.create_record(SYSTEM, catalogue.world.municipality, book("B", isbn=ISBN_B))
    response = signed_in(catalogue.world.librarian_a).get(ADD, {"isbn": ISBN_B10})
    assert list(response.context["ours"]) == [rec]


def test_another_municipalitys_record_is_not_ours(catalogue, sru_server):
    services.create_record(SYSTEM, catalogue.far_municipality, book("Fjernt", isbn=ISBN_C))
    response = signed_in(catalogue.world.librarian_a).get(ADD, {"isbn": ISBN_C})
    assert not response.context["ours"]
    assert "Fjernt" not in response.content.decode()


def test_unknown_isbn_is_copied_from_the_sru_target_then_copies_are_added(catalogue, sru_server):
    sru_server.add(ISBN_C, _theirs())
    _target(catalogue.world.municipality, sru_server, version="2.0")
    client = signed_in(catalogue.world.librarian_a)

    response = client.get(ADD, {"isbn": "978 87 11 43946 3"})

    assert [c.title for c in response.context["candidates"]] == ["Drengen med de mange navne"]
    page = response.content.decode()
    assert "from Nationalbibliografien" in page and "Use this record" in page
    asked = sru_server.last
    assert (asked["operation"], asked["version"], asked["recordSchema"]) == (
        "searchRetrieve",
        "2.0",
        "marcxml",
    )
    assert asked["query"] == f'bath.isbn="{ISBN_C}"'

    response = client.post(reverse("catalog-copy-candidate"), {"candidate": "0"})

    copied = Record.objects.get(title="Drengen med de mange navne")
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog-record", args=[copied.pk]) + "#add-copies"
    marc = marcio.from_json(copied.marc)
    for tag in ("952", "852", "876", "001", "003", "005"):
        assert marc.get_fields(tag) == [], tag
    assert marc["100"]["a"] == "Aakeson, Kim Fupz"
    assert (copied.control_number, copied.municipality) == ("", catalogue.world.municipality)
    assert list(RecordIsbn.objects.filter(record=copied).values_list("isbn13", flat=True)) == [
        ISBN_C
    ]
    assert not Item.objects.exists()
    assert AuditEvent.objects.filter(action="record.create", object_id=str(copied.pk)).exists()

    response = client.post(
        reverse("catalog-items-add", args=[copied.pk]),
        {"count": "2", "barcodes": "", "circulation_type": "normal", "location": catalogue.skon.pk},
    )

    assert response.status_code == 302
    items = list(Item.objects.filter(record=copied).order_by("barcode"))
    assert [i.barcode for i in items] == ["R00000001", "R00000002"]
    assert {(i.school, i.location) for i in items} == {(catalogue.world.school_a, catalogue.skon)}
    page = client.get(response["Location"]).content.decode()
    assert "Copies added: R00000001, R00000002" in page


def test_a_candidate_is_taken_from_the_session_once(catalogue, sru_server):
    sru_server.add(ISBN_C, _theirs())
    _target(catalogue.world.municipality, sru_server)
    client = signed_in(catalogue.world.librarian_a)
    client.get(ADD, {"isbn": ISBN_C})
    client.post(reverse("catalog-copy-candidate"), {"candidate": "0"})

    again = client.post(reverse("catalog-copy-candidate"), {"candidate": "0"}, follow=True)
    forged = client.post(reverse("catalog-copy-candidate"), {"candidate": "x"}, follow=True)

    assert Record.objects.count() == 1
    for response in (again, forged):
        assert "That search result has expired" in response.content.decode()


def test_an_invalid_check_digit_is_a_clear_error(catalogue, sru_server):
    _target(catalogue.world.municipality, sru_server)
    response = signed_in(catalogue.world.librarian_a).get(ADD, {"isbn": ISBN_BAD})
    errors = " ".join(response.context["form"].errors["isbn"])
    assert f"“{ISBN_BAD}” is not a valid ISBN" in errors and "check digit" in errors
    assert sru_server.requests == []


def test_without_targets_the_blank_form_is_offered(catalogue, sru_server):
    _target(catalogue.far_municipality, sru_server)  # another municipality's: not ours to use
    _target(catalogue.world.municipality, sru_server, name="Slukket", enabled=False)
    response = signed_in(catalogue.world.librarian_a).get(ADD, {"isbn": ISBN_C})
    page = response.content.decode()
    assert "No catalogues to copy from are set up" in page
    assert f"{reverse('catalog-record-new')}?isbn={ISBN_C}" in page
    assert sru_server.requests == []


def test_a_diagnostic_is_shown_with_the_blank_form(catalogue, sru_server):
    _target(catalogue.world.municipality, sru_server, isbn_index="dc.nonsense")
    response = signed_in(catalogue.world.librarian_a).get(ADD, {"isbn": ISBN_C})
    page = response.content.decode()
    assert "Nationalbibliografien answered with an error: Unsupported index" in page
    assert "Not found" not in page  # it answered, but not with a yes or no
    assert f"{reverse('catalog-record-new')}?isbn={ISBN_C}" in page


def test_no_hits_say_so_and_offer_the_blank_form(catalogue, sru_server):
    _target(catalogue.world.municipality, sru_server)
    page = signed_in(catalogue.world.librarian_a).get(ADD, {"isbn": ISBN_C}).content.decode()
    assert "Not found: Nationalbibliografien answered, without a record for this ISBN." in page
    assert f"{reverse('catalog-record-new')}?isbn={ISBN_C}" in page


def test_one_failing_target_does_not_hide_the_others(catalogue, sru_server):
    sru_server.add(ISBN_C, _theirs())
    _target(catalogue.world.municipality, sru_server, name="Nede", isbn_index="bath.nonsense")
    _target(catalogue.world.municipality, sru_server, name="Oppe")
    response = signed_in(catalogue.world.librarian_a).get(ADD, {"isbn": ISBN_C})
    assert [c.target for c in response.context["candidates"]] == ["Oppe"]
    assert response.context["failures"] == ["Nede answered with an error: Unsupported index"]


def test_a_broken_server_is_a_message_not_an_error_page(catalogue, sru_server):
    sru_server.behaviour = "garbage"
    _target(catalogue.world.municipality, sru_server)
    response = signed_in(catalogue.world.librarian_a).get(ADD, {"isbn": ISBN_C})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Could not reach Nationalbibliografien." in page
    assert "Not found" not in page and "No catalogue could be asked" in page


def _closed_port() -> int:
    """A local port nobody listens on (bound, then closed at once)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_unreachable_target_is_named_and_does_not_count_as_not_found(catalogue, sru_server):
    """The trial found a raw English "urlopen error" and a false "no catalogue has this ISBN"
    when the target was down: now each target that failed is named, and "not found" is said
    only for the targets that answered."""
    m = catalogue.world.municipality
    SruTarget.objects.create(
        municipality=m, name="Nede", base_url=f"http://127.0.0.1:{_closed_port()}/sru", position=0
    )
    client = signed_in(catalogue.world.librarian_a)

    page = client.get(ADD, {"isbn": ISBN_C}).content.decode()

    assert "Could not reach Nede." in page
    assert "urlopen" not in page and "Errno" not in page and "refused" not in page
    assert "Not found" not in page
    assert "No catalogue could be asked, so we do not know whether one has this ISBN." in page

    _target(m, sru_server, name="Oppe")  # one answers (without the ISBN), one is down
    page = client.get(ADD, {"isbn": ISBN_C}).content.decode()
    assert "Could not reach Nede." in page
    assert "Not found: Oppe answered, without a record for this ISBN." in page
    assert "No catalogue could be asked" not in page


def test_an_unreachable_target_is_reported_in_the_users_language(catalogue, pseudo_language):
    SruTarget.objects.create(
        municipality=catalogue.world.municipality,
        name="Nede",
        base_url=f"http://127.0.0.1:{_closed_port()}/sru",
    )
    response = signed_in(catalogue.world.librarian_a).get(ADD, {"isbn": ISBN_C})
    assert response.context["failures"] == [
        pseudo_language("Could not reach %(target)s.") % {"target": "Nede"}
    ]


def test_the_blank_form_creates_a_record(catalogue):
    client = signed_in(catalogue.world.librarian_a)
    response = client.post(
        reverse("catalog-record-new"),
        {"isbn": ISBN_A, "title": "Håndlavet", "author": "Ny, Forfatter", "material_type": "book"},
    )
    rec = Record.objects.get(title="Håndlavet")
    assert response.status_code == 302
    assert list(rec.isbns.values_list("isbn13", flat=True)) == [ISBN_A]
    assert marcio.from_json(rec.marc)["100"]["a"] == "Ny, Forfatter"


def test_the_blank_form_refuses_an_invalid_isbn(catalogue):
    client = signed_in(catalogue.world.librarian_a)
    response = client.post(
        reverse("catalog-record-new"), {"isbn": ISBN_BAD, "title": "X", "material_type": "book"}
    )
    assert "isbn" in response.context["form"].errors
    assert not Record.objects.exists()


def test_teachers_do_not_catalogue(catalogue, sru_server):
    client = signed_in(catalogue.world.teacher_a)
    assert client.get(ADD, {"isbn": ISBN_C}).status_code == 403
    assert client.post(reverse("catalog-copy-candidate"), {"candidate": "0"}).status_code == 403
    assert sru_server.requests == []


def _blueberry_girl() -> pymarc.Record:
    """As the Library of Congress catalogues it: ISBD punctuation at the end of each part."""
    record = pymarc.Record(to_unicode=True, force_utf8=True)
    record.leader = pymarc.Leader("00000cam a2200000 a 4500")
    for tag, ind, subfields in (
        ("020", "  ", [("a", "0060838086 (trade bdg.)")]),
        ("100", "1 ", [("a", "Gaiman, Neil.")]),
        ("245", "10", [("a", "Blueberry girl /"), ("c", "Neil Gaiman ; illustrated by Vess.")]),
        ("260", "  ", [("a", "New York :"), ("b", "HarperCollins,"), ("c", "c2009.")]),
    ):
        record.add_field(
            Field(
                tag=tag,
                indicators=Indicators(*ind),
                subfields=[Subfield(c, v) for c, v in subfields],
            )
        )
    return record


def test_a_target_that_has_only_the_isbn10_is_asked_for_it_too(catalogue, sru_server):
    """The target files "0060838086" and finds nothing for 9780060838089; we ask for both."""
    sru_server.converts_isbns = False
    sru_server.add("0060838086", _blueberry_girl())
    _target(catalogue.world.municipality, sru_server)

    response = signed_in(catalogue.world.librarian_a).get(ADD, {"isbn": "978-0-06-083808-9"})

    assert [r["query"] for r in sru_server.requests] == [
        'bath.isbn="9780060838089"',
        'bath.isbn="0060838086"',
    ]
    (candidate,) = response.context["candidates"]
    assert (candidate.title, candidate.author, candidate.year) == (
        "Blueberry girl",
        "Gaiman, Neil",
        2009,
    )
    page = response.content.decode()
    assert "<strong>Blueberry girl</strong> – Gaiman, Neil (2009)" in page
    assert "Blueberry girl /" not in page and "c2009." not in page


def test_an_isbn13_found_at_once_is_not_asked_again(catalogue, sru_server):
    sru_server.add(ISBN_C, _theirs())
    _target(catalogue.world.municipality, sru_server)

    signed_in(catalogue.world.librarian_a).get(ADD, {"isbn": ISBN_C})

    assert [r["query"] for r in sru_server.requests] == [f'bath.isbn="{ISBN_C}"']


def test_a_periodicals_issn_is_looked_up_in_the_issn_index(catalogue, sru_server):
    sru_server.add("0317-8471", book("Tidsskrift for børn", leader="00000cas a2200000 a 4500"))
    _target(catalogue.world.municipality, sru_server)

    response = signed_in(catalogue.world.librarian_a).get(ADD, {"isbn": "ISSN 0317-8471"})

    assert sru_server.last["query"] == 'bath.issn="0317-8471"'
    assert [c.title for c in response.context["candidates"]] == ["Tidsskrift for børn"]
