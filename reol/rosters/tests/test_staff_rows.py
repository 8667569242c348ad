"""Issue 12, chain 2: a roster row naming staff never hands a librarian an editable patron
row, a role or the person's identity."""

from __future__ import annotations

import pytest

from reol.core import services as core_services
from reol.core.models import Membership
from reol.core.permissions import SYSTEM
from reol.patrons import services as patron_services
from reol.patrons.models import Group, GroupMember, Patron

from .helpers import csv_bytes, run

pytestmark = pytest.mark.django_db

HEADER = ["Elev-ID", "Fornavn", "Efternavn", "Brugernavn", "E-mail", "Klasse"]
MAPPING = {
    "source_id": "Elev-ID",
    "first_name": "Fornavn",
    "last_name": "Efternavn",
    "username": "Brugernavn",
    "email": "E-mail",
    "groups": "Klasse",
}
MALLORY = "mallory@evil.example"


def roster_naming(username: str) -> bytes:
    return csv_bytes([HEADER, ["9001", "Ond", "Elev", username, MALLORY, "5.B"]])


def test_chain_2_a_roster_with_the_administrators_username(world, tmp_path, client, token_for):
    roles_before = set(Membership.objects.filter(user=world.admin_a).values_list("role", "school"))
    dry = run(
        world.school_a,
        tmp_path,
        roster_naming("admin-a"),
        mapping=MAPPING,
        actor=world.librarian_a,
        dry_run=True,
    )
    assert any("works at a school" in p.reason for p in dry.warnings)
    assert dry.counts["staff_left_alone"] == 1
    assert "left as they are" in dry.summary()

    report = run(
        world.school_a, tmp_path, roster_naming("admin-a"), mapping=MAPPING, actor=world.librarian_a
    )
    assert report.saved, report.problems
    world.admin_a.refresh_from_db()
    assert world.admin_a.email == "" and world.admin_a.first_name == "Admin-A"
    assert not Patron.objects.filter(user=world.admin_a).exists()
    after = set(Membership.objects.filter(user=world.admin_a).values_list("role", "school"))
    assert after == roles_before
    # So the API has no patron row to patch.
    patched = client.patch(
        "/api/v1/patrons/admin-a?school=nord",
        {"email": MALLORY},
        content_type="application/json",
        **token_for(world.librarian_a),
    )
    assert patched.status_code == 404
    world.admin_a.refresh_from_db()
    assert world.admin_a.email == ""


def test_a_teacher_who_is_a_patron_is_put_in_groups_and_nothing_else(world, tmp_path):
    patron = patron_services.create_patron(
        SYSTEM, world.school_a, category="teacher", user=world.teacher_a
    )
    report = run(
        world.school_a, tmp_path, roster_naming("laerer-a"), mapping=MAPPING, actor=world.admin_a
    )
    assert report.saved, report.problems
    world.teacher_a.refresh_from_db()
    assert world.teacher_a.email == "" and world.teacher_a.last_name == "Test"
    patron.refresh_from_db()
    assert patron.source_id == "" and patron.category == "teacher"
    group = Group.objects.get(school=world.school_a, name="5.B")
    assert GroupMember.objects.filter(group=group, patron=patron).exists()
    roles = set(Membership.objects.filter(user=world.teacher_a).values_list("role", flat=True))
    assert roles == {"teacher"}


def test_an_administrator_of_another_school_gets_no_role_here(world, tmp_path):
    admin_b = core_services.create_person(
        SYSTEM, world.school_b, username="admin-b", role="administrator", first_name="Berit"
    )
    report = run(
        world.school_a, tmp_path, roster_naming("admin-b"), mapping=MAPPING, actor=world.admin_a
    )
    # Not someone A may manage: the row is refused as before, nothing is linked.
    assert not Membership.objects.filter(user=admin_b, school=world.school_a).exists()
    assert not Patron.objects.filter(user=admin_b).exists()
    assert report.errors or report.warnings


def test_a_student_of_two_schools_keeps_the_address_only_both_may_change(world, tmp_path):
    core_services.grant_role(SYSTEM, world.student_a1, world.school_b, "student")
    world.student_a1.email = "elev@hjem.example"
    world.student_a1.save()
    report = run(
        world.school_a,
        tmp_path,
        roster_naming("elev-a1"),
        mapping=MAPPING,
        actor=world.librarian_a,
    )
    assert report.saved, report.problems
    world.student_a1.refresh_from_db()
    assert world.student_a1.email == "elev@hjem.example"
    assert world.student_a1.first_name == "Ond"  # the school's own data still follows the file
