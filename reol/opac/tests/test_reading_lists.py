"""Reading lists: staff with CATALOG_EDIT make them through the services (audited), students see
the published ones of their school and municipality, and nobody crosses a school or municipality."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from reol.catalog.lists import services
from reol.catalog.lists.models import ReadingList
from reol.catalog.models import Record
from reol.core.models import AuditEvent, Municipality

from .test_pages import signed_in, visitor

pytestmark = pytest.mark.django_db


def _records(shelf, *keys):  # type: ignore[no-untyped-def]
    return [Record.objects.get(pk=shelf.ids[k]) for k in keys]


def test_librarian_makes_a_list_with_entries_in_order_and_every_change_is_audited(shelf):
    world = shelf.world
    rl = services.create_reading_list(
        world.librarian_a, world.municipality, school=world.school_a, title=" 3.klasse ",
        audience="3rd grade",
    )  # fmt: skip
    assert rl.title == "3.klasse"
    hp, hp_en, hp_nb = _records(shelf, "hp1_da", "hp1_en", "hp1_nb")
    first = services.add_entry(world.librarian_a, rl, hp, note="Start here")
    second = services.add_entry(world.librarian_a, rl, hp_en)
    third = services.add_entry(world.librarian_a, rl, hp_nb)
    assert [first.position, second.position, third.position] == [0, 1, 2]
    services.move_entry(world.librarian_a, third, by=-1)
    order = list(rl.entries.order_by("position").values_list("record_id", flat=True))
    assert order == [hp.pk, hp_nb.pk, hp_en.pk]
    services.move_entry(world.librarian_a, first, by=-1)  # already first: nothing happens
    services.remove_entry(world.librarian_a, first)
    assert list(rl.entries.order_by("position").values_list("position", flat=True)) == [0, 1]
    services.update_entry(world.librarian_a, second, note="In English")
    services.update_reading_list(world.librarian_a, rl, title="Third grade", published=False)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "reading_list.create", "reading_list.entry_add", "reading_list.entry_move",
        "reading_list.entry_remove", "reading_list.entry_update", "reading_list.update",
    } <= actions  # fmt: skip
    services.delete_reading_list(world.librarian_a, rl)
    assert not ReadingList.objects.exists()
    assert AuditEvent.objects.filter(action="reading_list.delete").exists()


def test_rules_and_permissions(shelf):
    world = shelf.world
    rl = services.create_reading_list(
        world.librarian_a, world.municipality, school=world.school_a, title="A"
    )
    hp = _records(shelf, "hp1_da")[0]
    services.add_entry(world.librarian_a, rl, hp)
    with pytest.raises(ValidationError):
        services.add_entry(world.librarian_a, rl, hp)  # twice
    with pytest.raises(ValidationError):
        services.add_entry(world.librarian_a, rl, shelf.stranger)  # another municipality
    with pytest.raises(ValidationError):
        services.create_reading_list(
            world.librarian_a, world.municipality, school=world.school_a, title="  "
        )
    for outsider in (world.librarian_b, world.teacher_a, world.student_a1, world.consultant):
        with pytest.raises(PermissionDenied):
            services.add_entry(outsider, rl, _records(shelf, "hp1_en")[0])
        with pytest.raises(PermissionDenied):
            services.delete_reading_list(outsider, rl)
    other = Municipality.objects.get(code="fjordby")
    with pytest.raises(PermissionDenied):
        services.create_reading_list(world.librarian_a, other, school=None, title="Theirs")
    shared = services.create_reading_list(
        world.librarian_b, world.municipality, school=None, title="For all"
    )
    services.add_entry(world.librarian_a, shared, hp)  # anyone cataloguing in the municipality


def test_students_see_published_lists_of_their_school_and_municipality(shelf):
    world = shelf.world
    mine = services.create_reading_list(
        world.librarian_a, world.municipality, school=world.school_a, title="Nord-listen"
    )
    services.add_entry(world.librarian_a, mine, _records(shelf, "hp1_da")[0], note="Magisk!")
    services.create_reading_list(
        world.librarian_b, world.municipality, school=world.school_b, title="Syd-listen"
    )
    services.create_reading_list(
        world.librarian_a, world.municipality, school=None, title="Alle-listen"
    )
    services.create_reading_list(
        world.librarian_a, world.municipality, school=world.school_a, title="Kladde",
        published=False,
    )  # fmt: skip
    home = visitor(shelf).get(reverse("opac-home")).content.decode()
    assert "Nord-listen" in home and "Alle-listen" in home
    assert "Syd-listen" not in home and "Kladde" not in home
    page = visitor(shelf).get(reverse("opac-reading-list", args=[mine.pk])).content.decode()
    assert "Harry Potter og De Vises Sten" in page and "Magisk!" in page
    draft = ReadingList.objects.get(title="Kladde")
    assert visitor(shelf).get(reverse("opac-reading-list", args=[draft.pk])).status_code == 404


def test_staff_pages(shelf):
    world = shelf.world
    librarian = signed_in(world.librarian_a)
    assert librarian.get(reverse("opac-staff-lists")).status_code == 200
    response = librarian.post(
        reverse("opac-staff-lists"),
        {"title": "Dinosaurer", "audience": "1.–2. klasse", "published": "on"},
    )
    rl = ReadingList.objects.get(title="Dinosaurer")
    assert response.url == reverse("opac-staff-list", args=[rl.pk]) and rl.school == world.school_a
    edit = reverse("opac-staff-list", args=[rl.pk])
    assert "Harry Potter" in librarian.get(edit, {"q": "harry"}).content.decode()
    librarian.post(edit, {"action": "add", "record": shelf.ids["hp1_da"]})
    librarian.post(edit, {"action": "add", "record": shelf.stranger.pk})  # another municipality
    assert list(rl.entries.values_list("record_id", flat=True)) == [shelf.ids["hp1_da"]]
    assert librarian.post(edit, {"action": "add", "record": "x"}).status_code == 404
    response = librarian.post(edit, {"action": "save", "title": "", "published": "on"})
    assert response.status_code == 400
    for person in (world.teacher_a, world.student_a1):
        assert signed_in(person).get(reverse("opac-staff-lists")).status_code == 403
    assert signed_in(world.librarian_b).get(edit).status_code == 404
    assert Client().get(edit).status_code == 302
    librarian.post(edit, {"action": "delete"})
    assert not ReadingList.objects.filter(pk=rl.pk).exists()
