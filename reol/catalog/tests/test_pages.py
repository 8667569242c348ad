"""The catalogue's pages through the test client: who sees what, and attempts to cross from one
municipality or school into another (they get 404 or 403, and nothing changes)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reol.catalog import services
from reol.catalog.models import Item, Record
from reol.core.permissions import SYSTEM

from .helpers import ISBN_A, book, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def far_record(catalogue):
    rec = services.create_record(
        SYSTEM, catalogue.far_municipality, book("Fjordbys hemmelighed", isbn=ISBN_A, control="f1")
    )
    services.add_items(SYSTEM, rec, catalogue.far_school, barcodes=["F100"])
    return rec


def test_records_list_shows_the_municipalitys_records_only(catalogue, record, far_record):
    response = signed_in(catalogue.world.librarian_a).get(reverse("catalog-records"))
    assert response.status_code == 200
    assert [r.pk for r in response.context["page"]] == [record.pk]
    assert response.context["page"][0].copies_here == 2  # school A's copies, not B's


@pytest.mark.parametrize("query", ["Fjordbys", "978-87-02-28429-4", "F100", "f100", "hemmelighed"])
def test_search_never_reaches_another_municipality(catalogue, record, far_record, query):
    response = signed_in(catalogue.world.librarian_a).get(reverse("catalog-records"), {"q": query})
    assert far_record.pk not in [r.pk for r in response.context["page"]]
    assert "Fjordbys hemmelighed" not in response.content.decode()


def test_search_finds_by_isbn_barcode_and_words(catalogue, record):
    client = signed_in(catalogue.world.librarian_a)
    for query in ("9788702284294", "a100", "saturn rejsen"):
        response = client.get(reverse("catalog-records"), {"q": query})
        assert [r.pk for r in response.context["page"]] == [record.pk], query


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("catalog-record", "get"),
        ("catalog-record-edit", "get"),
        ("catalog-record-edit", "post"),
        ("catalog-record-marc", "get"),
        ("catalog-record-marc", "post"),
        ("catalog-items-add", "post"),
        ("catalog-record-merge", "post"),
    ],
)
def test_another_municipalitys_record_is_not_found(catalogue, far_record, name, method):
    client = signed_in(catalogue.world.librarian_a)
    before = Record.objects.get(pk=far_record.pk).marc
    data = {"title": "Kapret", "marc": "=LDR  x\n=245  00$aKapret", "count": "1", "duplicate": "1"}
    response = getattr(client, method)(reverse(name, args=[far_record.pk]), data)
    assert response.status_code == 404
    assert Record.objects.get(pk=far_record.pk).marc == before
    assert Item.objects.filter(record=far_record).count() == 1


@pytest.mark.parametrize("fmt", ["mrc", "xml"])
def test_another_municipalitys_marc_cannot_be_downloaded(catalogue, far_record, fmt):
    client = signed_in(catalogue.world.librarian_a)
    url = reverse("catalog-record-marc-file", args=[far_record.pk, fmt])
    assert client.get(url).status_code == 404


def test_own_marc_downloads_in_both_formats(catalogue, record):
    client = signed_in(catalogue.world.librarian_a)
    iso = client.get(reverse("catalog-record-marc-file", args=[record.pk, "mrc"]))
    xml = client.get(reverse("catalog-record-marc-file", args=[record.pk, "xml"]))
    assert iso["Content-Type"] == "application/marc" and iso.content.endswith(b"\x1d")
    assert xml["Content-Type"] == "application/marcxml+xml" and b"Rejsen til Saturn" in xml.content
    pdf = client.get(reverse("catalog-record-marc-file", args=[record.pk, "pdf"]))
    assert pdf.status_code == 404


def test_a_record_too_long_for_iso2709_is_offered_as_marcxml(catalogue):
    from pymarc import Field, Indicators, Subfield

    long = book("Lang")
    long.add_field(Field(tag="505", indicators=Indicators("0", " "), subfields=[
        Subfield("a", "x" * 10_000)
    ]))  # fmt: skip
    rec = services.create_record(SYSTEM, catalogue.world.municipality, long)
    client = signed_in(catalogue.world.librarian_a)
    response = client.get(reverse("catalog-record-marc-file", args=[rec.pk, "mrc"]), follow=True)
    assert "too long for ISO 2709" in response.content.decode()


def test_merging_in_another_municipalitys_record_is_refused(catalogue, record, far_record):
    client = signed_in(catalogue.world.librarian_a)
    response = client.post(
        reverse("catalog-record-merge", args=[record.pk]), {"duplicate": far_record.pk}, follow=True
    )
    assert "There is no record with that number in this catalogue." in response.content.decode()
    assert Record.objects.get(pk=far_record.pk).merged_into is None
    assert Item.objects.get(barcode="F100").record == far_record


def test_merge_page_moves_copies_and_the_old_record_redirects(catalogue, record):
    duplicate = services.create_record(SYSTEM, catalogue.world.municipality, book("Dublet"))
    services.add_items(SYSTEM, duplicate, catalogue.world.school_a, barcodes=["D9"])
    client = signed_in(catalogue.world.librarian_a)

    response = client.post(
        reverse("catalog-record-merge", args=[record.pk]),
        {"duplicate": duplicate.pk, "confirm": "yes"},  # after the comparison page
    )

    assert response["Location"] == reverse("catalog-record", args=[record.pk])
    assert Item.objects.get(barcode="D9").record == record
    old = client.get(reverse("catalog-record", args=[duplicate.pk]))
    assert old.status_code == 302 and old["Location"] == reverse("catalog-record", args=[record.pk])
    listed = client.get(reverse("catalog-records")).context["page"]
    assert duplicate.pk not in [r.pk for r in listed]


def test_record_page_shows_this_schools_copies_and_counts_the_others(catalogue, record):
    response = signed_in(catalogue.world.librarian_a).get(
        reverse("catalog-record", args=[record.pk])
    )
    assert [i.barcode for i in response.context["items"]] == ["A100", "A101"]
    assert list(response.context["elsewhere"]) == [{"school__name": "Sydskolen", "n": 1}]


def test_another_schools_copy_cannot_be_changed(catalogue, record):
    b100 = Item.objects.get(barcode="B100")
    client = signed_in(catalogue.world.librarian_a)
    response = client.post(reverse("catalog-item-status", args=[b100.pk]), {"status": "lost"})
    assert response.status_code == 404
    assert Item.objects.get(pk=b100.pk).status == "available"


def test_status_change_from_the_record_page(catalogue, record):
    a100 = Item.objects.get(barcode="A100")
    client = signed_in(catalogue.world.librarian_a)
    response = client.post(
        reverse("catalog-item-status", args=[a100.pk]), {"status": "missing"}, follow=True
    )
    assert "Copy A100 is now missing." in response.content.decode()
    response = client.post(
        reverse("catalog-item-status", args=[a100.pk]), {"status": "on_hold_shelf"}, follow=True
    )
    assert "cannot become on the hold shelf" in response.content.decode()
    assert Item.objects.get(pk=a100.pk).status == "missing"


def test_copies_cannot_be_added_with_another_schools_location(catalogue, record):
    client = signed_in(catalogue.world.librarian_a)
    response = client.post(
        reverse("catalog-items-add", args=[record.pk]),
        {"count": "1", "circulation_type": "normal", "location": catalogue.skon_b.pk},
    )
    # The page comes back (400) with the error in the summary and at the field.
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert Item.objects.filter(record=record).count() == 3


def test_copies_cannot_reuse_a_barcode(catalogue, record):
    client = signed_in(catalogue.world.librarian_a)
    response = client.post(
        reverse("catalog-items-add", args=[record.pk]),
        {
            "count": "1",
            "barcodes": "NEW1\nb100",  # B100 exists: capital and small letters count the same
            "circulation_type": "normal",
            "location": catalogue.skon.pk,
        },
        follow=True,
    )
    assert (
        "These barcodes are already in use (capital and small letters count as the same): B100"
        in response.content.decode()
    )
    assert not Item.objects.filter(barcode="NEW1").exists()


def test_a_teacher_browses_but_does_not_catalogue(catalogue, record):
    client = signed_in(catalogue.world.teacher_a)
    assert client.get(reverse("catalog-records")).status_code == 200
    page = client.get(reverse("catalog-record", args=[record.pk]))
    assert page.status_code == 200 and page.context["items_form"] is None
    for name in ("catalog-record-edit", "catalog-record-new", "catalog-add-isbn"):
        url = reverse(name, args=[record.pk]) if name == "catalog-record-edit" else reverse(name)
        assert client.get(url).status_code == 403, name
    response = client.post(reverse("catalog-items-add", args=[record.pk]), {"count": "1"})
    assert response.status_code == 403
    assert Item.objects.filter(record=record).count() == 3


def test_a_student_sees_no_staff_catalogue(catalogue, record):
    client = signed_in(catalogue.world.student_a1)
    assert client.get(reverse("catalog-records")).status_code == 403
    assert client.get(reverse("catalog-record", args=[record.pk])).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, record):
    response = client.get(reverse("catalog-record", args=[record.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_switching_to_another_municipalitys_school_is_refused(catalogue, record, far_record):
    client = signed_in(catalogue.world.librarian_a)
    response = client.post(reverse("switch-school"), {"school": catalogue.far_school.pk})
    assert response.status_code == 403
    listed = client.get(reverse("catalog-records")).context["page"]
    assert [r.pk for r in listed] == [record.pk]
    assert client.get(reverse("catalog-record", args=[far_record.pk])).status_code == 404
