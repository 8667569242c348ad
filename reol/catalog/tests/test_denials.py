"""A librarian of school A changing the status of school B's copy by its id: refused as an
unknown copy (404), and the attempt is in the audit log at both schools (ASVS 7.2.2)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from reol.catalog import services as catalog
from reol.catalog.models import Item
from reol.catalog.tests.helpers import book
from reol.core.models import AuditEvent
from reol.core.permissions import SYSTEM

pytestmark = pytest.mark.django_db


def test_another_schools_copy_is_a_404_and_audited(world):
    record = catalog.create_record(SYSTEM, world.municipality, book("Atlas"))
    catalog.add_items(SYSTEM, record, world.school_b, barcodes=["SYD-1"])
    theirs = Item.objects.get(barcode="SYD-1")
    client = Client()
    client.force_login(world.librarian_a)
    url = reverse("catalog-item-status", args=[theirs.pk])
    assert client.post(url, {"status": "missing"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status != "missing"
    events = AuditEvent.objects.filter(action="access.denied", actor=world.librarian_a)
    assert {e.school_id for e in events} == {world.school_a.pk, world.school_b.pk}
    assert {e.object_id for e in events} == {str(theirs.pk)}
