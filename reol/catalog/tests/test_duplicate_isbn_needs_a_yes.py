"""A second record with the same ISBN needs a yes: the service, the new-record form and copy
cataloguing all ask."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reol.catalog import marc as marcio
from reol.catalog import services
from reol.catalog.models import Record
from reol.core.permissions import SYSTEM

from .helpers import ISBN_A, book, signed_in

pytestmark = pytest.mark.django_db


def test_the_service_refuses_a_duplicate_isbn_unless_confirmed(catalogue, record):
    m = catalogue.world.municipality
    with pytest.raises(services.DuplicateIsbn) as caught:
        services.create_record_from_form(SYSTEM, m, title="Igen", isbn="87-02-28429-4")
    assert caught.value.records == [record]
    assert ISBN_A in caught.value.message_dict["isbn"][0]
    assert not Record.objects.filter(title="Igen").exists()

    again = services.create_record_from_form(
        SYSTEM, m, title="Igen", isbn=ISBN_A, allow_duplicate_isbn=True
    )
    assert list(again.isbns.values_list("isbn13", flat=True)) == [ISBN_A]
    # another municipality's record with the ISBN is not a duplicate
    far = services.create_record_from_form(
        SYSTEM, catalogue.far_municipality, title="Fjern", isbn=ISBN_A
    )
    assert far.pk


def test_the_new_record_form_warns_links_and_creates_only_when_ticked(catalogue, record):
    client = signed_in(catalogue.world.librarian_a)
    url = reverse("catalog-record-new")
    data = {"title": "Rejsen til Saturn", "isbn": ISBN_A, "material_type": "book"}

    response = client.post(url, data)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="duplicate-isbn"' in page
    assert f'href="{reverse("catalog-record", args=[record.pk])}#add-copies"' in page
    assert 'name="confirm_duplicate_isbn"' in page
    assert "already in the catalogue" in str(response.context["form"].errors["isbn"])
    assert Record.objects.filter(title="Rejsen til Saturn").count() == 1

    response = client.post(url, {**data, "confirm_duplicate_isbn": "on"})

    assert response.status_code == 302
    assert Record.objects.filter(title="Rejsen til Saturn").count() == 2


def test_a_copied_record_whose_isbn_arrived_meanwhile_goes_to_the_existing_one(catalogue, record):
    client = signed_in(catalogue.world.librarian_a)
    session = client.session
    session["catalog.sru_candidates"] = [marcio.to_json(book("Rejsen til Saturn", isbn=ISBN_A))]
    session.save()
    response = client.post(reverse("catalog-copy-candidate"), {"candidate": "0"})
    assert response["Location"] == f"{record.get_absolute_url()}#add-copies"
    assert Record.objects.filter(title="Rejsen til Saturn").count() == 1
