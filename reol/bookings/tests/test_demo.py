"""The demo's rooms, equipment and bookings: at every demo school, and loaded once."""

from __future__ import annotations

import datetime as dt

import pytest

from reol.bookings.demo import load_demo_bookings
from reol.bookings.models import Booking, Resource
from reol.core import demo

pytestmark = pytest.mark.django_db


def test_every_school_gets_its_rooms_and_bookings_once(monkeypatch):
    monkeypatch.setattr(demo, "_EXTENSIONS", [])
    demo.load_demo()
    from reol.catalog import services as catalog
    from reol.catalog.tests.helpers import book
    from reol.core.models import Municipality, School
    from reol.core.permissions import SYSTEM

    m = Municipality.objects.get(code="solbjerg")
    record = catalog.create_record(SYSTEM, m, book("Klassesæt", control="k"))
    for school in School.objects.filter(municipality=m):
        catalog.add_items(SYSTEM, record, school, count=4, circulation_type="class_set")
    today = dt.date(2026, 11, 24)
    load_demo_bookings(m, today=today)
    counts = (Resource.objects.count(), Booking.objects.count())
    assert counts == (10, 4)
    workshop = Resource.objects.get(school__code="nordskolen", name="Medieværkstedet")
    assert workshop.kind == "room" and workshop.location is not None
    assert Resource.objects.get(school__code="soeskolen", name="Kameraer").units == 10
    assert all(b.teacher is not None for b in Booking.objects.all())
    load_demo_bookings(m, today=today)
    assert (Resource.objects.count(), Booking.objects.count()) == counts
