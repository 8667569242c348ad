"""What is new at the library: every copy that came, however it came, on the bulletin, its
feed and the OPAC's new arrivals alike (the trial found the bulletin empty while the OPAC
listed 20 titles catalogued that day: the bulletin counted only copies received on orders)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from reol.acquisitions import selectors
from reol.catalog import services as catalog
from reol.catalog.models import Item, ItemStatus
from reol.catalog.tests.helpers import book
from reol.core.permissions import SYSTEM
from reol.opac.selectors import new_arrivals

pytestmark = pytest.mark.django_db


def test_copies_catalogued_or_imported_are_new_materials_too(world, client):
    m, a, b = world.municipality, world.school_a, world.school_b
    saturn = catalog.create_record(SYSTEM, m, book("Rejsen til Saturn", control="s1"))
    catalog.add_items(SYSTEM, saturn, a, count=2)
    atlas = catalog.create_record(SYSTEM, m, book("Atlas", control="a1"))
    [gone] = catalog.add_items(SYSTEM, atlas, a, count=1)
    Item.objects.filter(pk=gone.pk).update(status=ItemStatus.WITHDRAWN)
    elsewhere = catalog.create_record(SYSTEM, m, book("Kun i syd", control="k1"))
    catalog.add_items(SYSTEM, elsewhere, b, count=1)

    since = timezone.localdate() - dt.timedelta(days=31)
    rows = selectors.arrivals(a, since)
    assert [(r["record"].title, r["copies"]) for r in rows] == [("Rejsen til Saturn", 2)]
    assert {r.title for r in new_arrivals(a)} == {r["record"].title for r in rows}
    assert selectors.arrivals(a, timezone.localdate() + dt.timedelta(days=1)) == []

    client.force_login(world.teacher_a)
    page = client.get(reverse("acquisitions-new"), {"period": "month"}).content.decode()
    assert "Rejsen til Saturn" in page and "Atlas" not in page and "Kun i syd" not in page
    feed = client.get(reverse("acquisitions-new-feed", args=[a.code])).content.decode()
    assert "Rejsen til Saturn" in feed
