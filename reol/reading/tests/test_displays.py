"""Displays: the librarian's and teachers' recommendations on the front page, and the poster."""

from __future__ import annotations

import base64
import datetime as dt
import re
import zlib

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from reol.catalog.models import Record
from reol.core.models import Municipality
from reol.reading import displays
from reol.reading.models import DisplayItem

pytestmark = pytest.mark.django_db


def _display(world, actor=None, kind="librarian"):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    return displays.create_display(
        actor or world.librarian_a,
        world.school_a,
        kind=kind,
        title="Ugens bøger" if kind != "teacher" else "Dansk i 5.",
        starts_on=today,
        ends_on=today + dt.timedelta(days=6),
    )


def test_a_teacher_recommends_from_the_record_page_and_the_front_page_shows_it(world, client):  # type: ignore[no-untyped-def]
    record = Record.objects.create(municipality=world.municipality, marc={}, title="Hestepigen")
    display = _display(world, world.teacher_a, kind="teacher")
    client.force_login(world.teacher_a)
    page = client.get(reverse("opac-record", args=[record.pk])).content.decode()
    assert "Add to “Dansk i 5.”" in page
    client.post(
        reverse("reading-display-add", args=[display.pk]),
        {"record": record.pk, "note": "Sjov og spændende"},
    )
    assert DisplayItem.objects.get().note == "Sjov og spændende"
    client.force_login(world.student_a1)
    home = client.get(reverse("opac-home")).content.decode()
    assert "Dansk i 5." in home and "Hestepigen" in home and "Sjov og spændende" in home
    # Another school's front page does not show it; a teacher cannot edit the librarian's.
    client.force_login(world.student_b1)
    assert "Dansk i 5." not in client.get(reverse("opac-home")).content.decode()
    librarians = _display(world)
    with pytest.raises(displays.DisplayError):
        displays.add_title(world.teacher_a, librarians, record)
    with pytest.raises(PermissionDenied):
        _display(world, world.student_a1, kind="teacher")


def _page_content(pdf: bytes) -> bytes:
    """The PDF's drawing operators, inflated."""
    streams = re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S)
    out = b""
    for raw in streams:  # ReportLab writes /ASCII85Decode /FlateDecode
        try:
            out += zlib.decompress(base64.a85decode(raw.strip().removesuffix(b"~>")))
        except (ValueError, zlib.error):
            out += raw
    return out


def test_the_poster_has_a_qr_code_to_each_title(world, client):  # type: ignore[no-untyped-def]
    display = _display(world)
    for n in range(3):
        record = Record.objects.create(municipality=world.municipality, marc={}, title=f"Bog {n}")
        displays.add_title(world.librarian_a, display, record)
    client.force_login(world.librarian_a)
    answer = client.get(reverse("reading-display-poster", args=[display.pk]))
    assert answer["Content-Type"] == "application/pdf"
    drawn = _page_content(answer.content)
    assert b"(Bog 0) Tj" in drawn and b"(Bog 2) Tj" in drawn
    # A QR code is drawn as its dark modules: hundreds of small filled rectangles per title.
    assert drawn.count(b" re") > 3 * 200
    client.force_login(world.librarian_b)
    assert client.get(reverse("reading-display-poster", args=[display.pk])).status_code == 404


def test_a_title_once_and_only_from_the_municipality(world):  # type: ignore[no-untyped-def]
    display = _display(world)
    record = Record.objects.create(municipality=world.municipality, marc={}, title="En")
    displays.add_title(world.librarian_a, display, record)
    with pytest.raises(displays.DisplayError, match="already"):
        displays.add_title(world.librarian_a, display, record)
    stranger = Record.objects.create(
        municipality=Municipality.objects.get(code="fjordby"), marc={}, title="Fremmed"
    )
    with pytest.raises(displays.DisplayError, match="not in your school"):
        displays.add_title(world.librarian_a, display, stranger)
