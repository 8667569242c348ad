"""The demo's acquisitions: funds, a vendor and a sent order at every demo school, once."""

from __future__ import annotations

import pytest

from reol.acquisitions.demo import load_demo_acquisitions
from reol.acquisitions.models import Fund, Order
from reol.core import demo
from reol.core.models import Municipality, School

pytestmark = pytest.mark.django_db


def test_every_school_gets_funds_and_an_order_once(monkeypatch):
    monkeypatch.setattr(demo, "_EXTENSIONS", [])
    demo.load_demo()
    m = Municipality.objects.get(code="solbjerg")
    load_demo_acquisitions(m)
    schools = School.objects.filter(municipality=m).count()
    counts = (Fund.objects.count(), Order.objects.count())
    assert counts == (2 * schools, schools)
    books = Fund.objects.filter(code="boeger").first()
    assert books is not None and str(books.available) == "39103.10"
    load_demo_acquisitions(m)
    assert (Fund.objects.count(), Order.objects.count()) == counts
