"""A school's own barcode format: prefix and digits, refused when labels cannot carry it, set
only by who manages the school, on the command line and on its page."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from reol.catalog import services
from reol.core.models import AuditEvent
from reol.core.permissions import SYSTEM

from .helpers import signed_in

pytestmark = pytest.mark.django_db


def test_a_school_sets_its_barcode_prefix_and_digits(catalogue, record):
    w = catalogue.world
    services.set_barcode_format(w.librarian_a, w.school_a, prefix="NORD", digits=6)

    here = services.add_items(w.librarian_a, record, w.school_a, count=2, location=catalogue.skon)
    there = services.add_items(SYSTEM, record, w.school_b, count=1)

    assert [i.barcode for i in here] == ["NORD000001", "NORD000002"]
    assert [i.barcode for i in there] == ["R00000003"]  # one sequence, each school's look
    event = AuditEvent.objects.get(action="barcode_format.save")
    assert event.details == {"before": {"prefix": "R", "digits": 8}, "prefix": "NORD", "digits": 6}
    page = signed_in(w.librarian_a).get(record.get_absolute_url()).content.decode()
    assert "leave empty to have barcodes made (like NORD000001)." in page


@pytest.mark.parametrize(("prefix", "digits"), [("NØRD", 6), ("A B", 6), ("N", 3), ("N", 13)])
def test_a_barcode_format_that_labels_cannot_carry_is_refused(catalogue, prefix, digits):
    with pytest.raises(ValidationError):
        services.set_barcode_format(SYSTEM, catalogue.world.school_a, prefix=prefix, digits=digits)


def test_only_who_manages_the_school_sets_its_barcode_format(catalogue):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.set_barcode_format(catalogue.world.teacher_a, catalogue.world.school_a, prefix="X")
    with pytest.raises(PermissionDenied):
        services.set_barcode_format(
            catalogue.world.librarian_b, catalogue.world.school_a, prefix="X"
        )


def test_the_barcode_format_command(catalogue):
    out = io.StringIO()
    call_command("barcode-format", "--school", "nord", stdout=out)
    assert "look like R00000001." in out.getvalue()
    call_command(
        "barcode-format", "--school", "nord", "--prefix", "NS", "--digits", "5", stdout=out
    )
    assert "look like NS00001." in out.getvalue()
    with pytest.raises(CommandError):
        call_command("barcode-format", "--school", "nord", "--prefix", "N-S")


def test_the_barcode_format_page(catalogue):
    client = signed_in(catalogue.world.librarian_a)
    url = reverse("catalog-barcode-format")
    assert "<code>R00000001</code>" in client.get(url).content.decode()

    response = client.post(url, {"barcode_prefix": "NØRD", "digits": "6"})
    assert response.context["form"].errors["barcode_prefix"] == [
        "A prefix may have only the letters A–Z and digits."
    ]

    response = client.post(url, {"barcode_prefix": "NORD", "digits": "6"}, follow=True)
    assert "New copies&#x27; barcodes will look like NORD000001." in response.content.decode()
    assert signed_in(catalogue.world.teacher_a).get(url).status_code == 403
