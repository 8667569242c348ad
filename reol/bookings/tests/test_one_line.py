"""A booking titled with CR/LF (or other control characters) through the API: the title is one
line when stored, its .ics is a valid calendar and its confirmation mail is sent.

Before, the title was stored as given: the booking's .ics failed with an ``AssertionError`` from
icalendar (a 500) and its confirmation mail was dropped silently (``BadHeaderError``)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from reol.bookings.models import Booking

pytestmark = pytest.mark.django_db(transaction=True)

HOSTILE = "Vikinger\r\nBcc: alle@example.org\r\n\r\nEND:VEVENT"


@pytest.fixture
def api_centre(world):
    from .conftest import make_centre

    world.teacher_a.email = "laerer@skole.dk"
    world.teacher_a.save(update_fields=["email"])
    return make_centre(world, calendar=False)


def _book(client: Client, centre, auth, title: str):  # type: ignore[no-untyped-def]
    soon = timezone.localdate() + dt.timedelta(days=14)
    body = {
        "title": title,
        "starts": soon,
        "ends": soon,
        "lines": [{"resource": centre.workshop.pk}],
    }
    return client.post(
        "/api/v1/bookings", json.dumps(body, default=str), content_type="application/json", **auth
    )


def test_a_title_with_line_breaks_gives_a_valid_ics_and_its_mail(api_centre, token_for, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    auth = token_for(api_centre.world.teacher_a)
    answer = _book(Client(), api_centre, auth, HOSTILE)
    assert answer.status_code in (201, 422), answer.content
    if answer.status_code == 422:
        return  # refused at the door: nothing stored, nothing to break
    booking = Booking.objects.get(pk=answer.json()["id"])
    assert "\r" not in booking.title and "\n" not in booking.title
    client = Client()
    assert client.login(username=api_centre.world.teacher_a.username, password=PASSWORD)
    ics = client.get(reverse("bookings-ics", args=[booking.pk]))
    assert ics.status_code == 200
    from icalendar import Calendar

    (event,) = Calendar.from_ical(ics.content).walk("VEVENT")
    assert str(event["summary"]) == booking.title
    assert ics.content.split(b"\r\n").count(b"END:VEVENT") == 1  # the title stays inside
    (sent,) = mail.outbox
    assert "\n" not in sent.subject and sent.to == ["laerer@skole.dk"] and not sent.bcc


@pytest.mark.parametrize("title", ["A\x00B", "A\x1bB", "A\x7fB", "A\u2028B"])
def test_other_control_characters_never_reach_the_calendar(api_centre, token_for, title):
    auth = token_for(api_centre.world.teacher_a)
    answer = _book(Client(), api_centre, auth, title)
    assert answer.status_code in (201, 422), answer.content
    if answer.status_code == 201:
        stored = Booking.objects.get(pk=answer.json()["id"]).title
        assert all(c.isprintable() for c in stored), repr(stored)
