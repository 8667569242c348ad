"""Adding copies: the number must agree with the barcodes, a school with locations chooses one,
and the status list starts blank."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from reol.catalog import services
from reol.catalog.models import Item
from reol.core.permissions import SYSTEM

from .helpers import book, signed_in

pytestmark = pytest.mark.django_db


def _add(client, record, **data):
    form = {"count": "1", "barcodes": "", "circulation_type": "normal", **data}
    return client.post(reverse("catalog-items-add", args=[record.pk]), form, follow=True)


def test_a_number_that_disagrees_with_the_barcodes_is_refused(catalogue, record):
    client = signed_in(catalogue.world.librarian_a)
    response = _add(client, record, count="3", barcodes="N1\nN2", location=catalogue.skon.pk)
    assert "You scanned 2 barcodes but asked for 3 copies" in response.content.decode()
    assert not Item.objects.filter(barcode__in=["N1", "N2"]).exists()

    _add(client, record, count="1", barcodes="N1\nN2", location=catalogue.skon.pk)  # 1: untouched
    assert Item.objects.filter(barcode__in=["N1", "N2"]).count() == 2
    _add(client, record, count="2", barcodes="N3\nN4", location=catalogue.skon.pk)
    assert Item.objects.filter(barcode__in=["N3", "N4"]).count() == 2


def test_the_service_checks_the_number_against_the_barcodes(catalogue, record):
    with pytest.raises(ValidationError) as caught:
        services.add_items(SYSTEM, record, catalogue.world.school_a, count=2, barcodes=["Z1"])
    assert "count" in caught.value.message_dict


def test_a_school_with_locations_must_choose_one(catalogue, record):
    client = signed_in(catalogue.world.librarian_a)
    page = client.get(record.get_absolute_url()).content.decode()
    assert re.search(r'<select name="location"[^>]* required', page)

    response = _add(client, record)

    assert "Choose the location (shelf) the copies go on." in response.content.decode()
    assert Item.objects.filter(record=record).count() == 3


def test_a_school_without_locations_is_not_asked_for_one(catalogue, record):
    far = catalogue.far_school
    far_record = services.create_record(SYSTEM, far.municipality, book("Fjern"))
    response = _add(signed_in(catalogue.far_librarian), far_record, count="2")
    assert "Copies added" in response.content.decode()
    assert Item.objects.filter(record=far_record, location=None).count() == 2


def test_the_status_list_starts_with_a_blank_choice(catalogue, record):
    client = signed_in(catalogue.world.librarian_a)
    page = client.get(record.get_absolute_url()).content.decode()
    select = re.search(r'<select id="status-\d+" name="status" required>(.*?)</select>', page)
    assert select is not None
    first = re.search(r"<option[^>]*>[^<]*</option>", select.group(1))
    assert first is not None and first.group(0) == '<option value="" selected>— choose —</option>'

    a100 = Item.objects.get(barcode="A100")
    response = client.post(reverse("catalog-item-status", args=[a100.pk]), {"status": ""})
    assert Item.objects.get(pk=a100.pk).status == "available"
    # The page comes back with the error at the copy's own status field.
    assert response.status_code == 400
    assert f'id="status-{a100.pk}-error"' in response.content.decode()
