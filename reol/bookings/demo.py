"""The demo's rooms, equipment and a couple of bookings at each demo school (idempotent:
resources are matched on name, and bookings are made only at a school that has none)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils import timezone

from reol.catalog.models import Record
from reol.core.models import Location, Municipality, School, User
from reol.core.permissions import SYSTEM

from . import services
from .errors import BookingConflict
from .models import Booking, Resource

# (name, kind, units, location code, description)
DEMO_RESOURCES: tuple[tuple[str, str, int, str, str], ...] = (
    ("Medieværkstedet", Resource.Kind.ROOM, 1, "vaerksted", "Lyd, video og animation; 14 pladser."),
    ("Greenscreen", Resource.Kind.EQUIPMENT, 1, "vaerksted", "Greenscreen med stativ og lys."),
    ("Kameraer", Resource.Kind.EQUIPMENT, 10, "vaerksted", "10 videokameraer med stativ."),
    ("Robotter", Resource.Kind.EQUIPMENT, 6, "vaerksted", "Programmerbare robotter."),
    ("Bærbar-vogn", Resource.Kind.EQUIPMENT, 1, "bibliotek", "Vogn med 28 bærbare computere."),
)


def _next_monday(today: dt.date) -> dt.date:
    return today + dt.timedelta(days=7 - today.weekday())


def _resources(school: School) -> dict[str, Resource]:
    found = {r.name: r for r in Resource.objects.filter(school=school)}
    for name, kind, units, location_code, description in DEMO_RESOURCES:
        if name not in found:
            found[name] = services.create_resource(
                SYSTEM,
                school,
                kind=kind,
                name=name,
                units=units,
                description=description,
                location=Location.objects.filter(school=school, code=location_code).first(),
            )
    return found


def _bookings(school: School, resources: dict[str, Resource], today: dt.date) -> None:
    if Booking.objects.filter(school=school).exists():
        return
    teacher = (
        User.objects.filter(memberships__school=school, memberships__role="teacher")
        .order_by("username")
        .first()
    )
    monday = _next_monday(today)
    attempts: list[dict[str, object]] = [
        {
            "title": "Film om vikingerne",
            "starts": monday + dt.timedelta(days=1),
            "ends": monday + dt.timedelta(days=2),
            "start_time": dt.time(12, 0),
            "end_time": dt.time(14, 30),
            "lines": [
                services.BookingRequest(resource=resources["Medieværkstedet"]),
                services.BookingRequest(resource=resources["Kameraer"], quantity=5),
                services.BookingRequest(resource=resources["Greenscreen"]),
            ],
        }
    ]
    record = (
        Record.objects.filter(items__school=school)
        .annotate(n=Count("items"))
        .filter(n__gte=2)
        .order_by("-n", "id")
        .first()
    )
    if record is not None:
        attempts.append(
            {
                "title": "Læsebånd",
                "starts": monday + dt.timedelta(weeks=1),
                "ends": monday + dt.timedelta(weeks=2, days=4),
                "lines": [services.BookingRequest(record=record, quantity=2)],
            }
        )
    for values in attempts:
        try:
            services.book(SYSTEM, school, teacher=teacher, today=today, **values)  # type: ignore[arg-type]
        except (ValidationError, BookingConflict):
            continue  # a holiday or a lent copy: the demo goes on without it


def load_demo_bookings(municipality: Municipality, today: dt.date | None = None) -> None:
    today = today or timezone.localdate()
    for school in School.objects.filter(municipality=municipality).order_by("code"):
        _bookings(school, _resources(school), today)
