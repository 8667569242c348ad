"""Picture doors: a librarian composes them, the front page shows those for the child's age."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from reol.patrons.models import Patron
from reol.reading import doors
from reol.reading.demo import DOORS, load_demo_doors
from reol.reading.models import PictureDoor

pytestmark = pytest.mark.django_db


def test_a_librarian_adds_a_door_and_the_front_page_opens_its_search(world, client):  # type: ignore[no-untyped-def]
    client.force_login(world.librarian_a)
    answer = client.post(
        reverse("reading-doors"),
        {"label_da": "Heste", "label_en": "Horses", "words": "hest", "symbol": "🐴", "easy": "on"},
    )
    assert answer.status_code == 302
    door = PictureDoor.objects.get()
    assert door.school == world.school_a
    client.force_login(world.student_a1)
    home = client.get(reverse("opac-home")).content.decode()
    url = doors.search_url(door)
    assert "Horses" in home and url.replace("&", "&amp;") in home
    assert "q=hest" in url and "reading_level=0-9" in url and "reading_level=20-24" in url


def test_a_door_needs_a_label_and_a_search(world, client):  # type: ignore[no-untyped-def]
    client.force_login(world.librarian_a)
    page = client.post(reverse("reading-doors"), {"symbol": "🐴"}).content.decode()
    assert "Give the door a label in at least one language." in page
    assert not PictureDoor.objects.exists()
    with pytest.raises(doors.DoorError, match="search words"):
        doors.create_door(world.librarian_a, world.school_a, doors.DoorSpec(label_en="Empty"))


def test_a_student_sees_the_doors_for_their_age_and_other_schools_keep_theirs(world):  # type: ignore[no-untyped-def]
    load_demo_doors(world.municipality)
    load_demo_doors(world.municipality)  # idempotent
    assert PictureDoor.objects.filter(school=world.school_a).count() == len(DOORS)
    Patron.objects.create(user=world.student_a1, school=world.school_a, category="student", grade=1)
    first_grader = [d.label for d in doors.doors_for(world.school_a, 1)]
    assert "Dragons" in first_grader and "Ghosts" not in first_grader  # 6–8 only
    fifth_grader = [d.label for d in doors.doors_for(world.school_a, 5)]
    assert "Ghosts" in fifth_grader and "Dragons" not in fifth_grader
    door = PictureDoor.objects.filter(school=world.school_b).first()
    assert door is not None
    client = Client()
    client.force_login(world.librarian_a)
    assert client.post(reverse("reading-door-delete", args=[door.pk])).status_code == 404
    assert PictureDoor.objects.filter(pk=door.pk).exists()


def test_doors_move_and_the_label_follows_the_language(world):  # type: ignore[no-untyped-def]
    load_demo_doors(world.municipality)
    first, second = list(PictureDoor.objects.filter(school=world.school_a))[:2]
    doors.move_door(world.librarian_a, second, -1)
    assert [d.door.pk for d in doors.doors_for(world.school_a, None)][:2] == [second.pk, first.pk]
    with translation.override("nb"):
        assert doors.label_of(first) == "Hester"
    with translation.override("da"):
        assert doors.label_of(first) == "Heste"
