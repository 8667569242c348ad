"""Issue 12, chain 1, through the API: a librarian of school A must not take over the account
of a person who teaches at A and is administrator at school B."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from reol.core import services as core_services
from reol.core.models import AuditEvent
from reol.core.permissions import SYSTEM
from reol.patrons import services

pytestmark = pytest.mark.django_db

MALLORY = "mallory@evil.example"


@pytest.fixture
def admin_b(world):  # type: ignore[no-untyped-def]
    """Administrator at Sydskolen, teacher at Nordskolen, with a patron row at Nordskolen
    (what Nordskolen's roster import gave her before issue 12)."""
    person = core_services.create_person(
        SYSTEM,
        world.school_b,
        username="admin-b",
        role="administrator",
        password=PASSWORD,
        first_name="Berit",
        last_name="Boss",
        email="berit@syd.example",
        card_barcode="T0042",
    )
    core_services.grant_role(SYSTEM, person, world.school_a, "teacher")
    services.create_patron(SYSTEM, world.school_a, category="teacher", user=person)
    return person


def test_chain_1_the_patron_api_cannot_change_an_administrators_address(
    client, world, admin_b, token_for
):
    librarian_a = token_for(world.librarian_a)
    patched = client.patch(
        "/api/v1/patrons/T0042?school=nord",
        {"email": MALLORY},
        content_type="application/json",
        **librarian_a,
    )
    assert patched.status_code == 403, patched.content
    admin_b.refresh_from_db()
    assert admin_b.email == "berit@syd.example"

    # The reset to the attacker's address sends nothing; the password still works.
    Client().post(reverse("password_reset"), {"email": MALLORY})
    assert not [m for m in mail.outbox if MALLORY in m.to]
    admin_b.refresh_from_db()
    assert admin_b.check_password(PASSWORD)

    # School B's administrator sees the attempt in her own audit log, through the API.
    events = client.get("/api/v1/audit?school=syd&action=person.identity", **token_for(admin_b))
    assert events.status_code == 200
    (event,) = events.json()["items"]
    assert event["actor"] == "bib-a" and event["object"] == "Berit Boss"


def test_the_patron_api_still_changes_what_is_the_librarys(client, world, admin_b, token_for):
    patched = client.patch(
        "/api/v1/patrons/T0042?school=nord",
        {"notes": "Har klassesæt", "email": "berit@syd.example"},  # unchanged address: fine
        content_type="application/json",
        **token_for(world.librarian_a),
    )
    assert patched.status_code == 200, patched.content


def test_a_students_address_is_changed_by_the_librarian_who_manages_them(client, world, token_for):
    services.create_patron(SYSTEM, world.school_a, category="student", user=world.student_a1)
    patched = client.patch(
        "/api/v1/patrons/A0001",
        {"email": "elev@nord.example"},
        content_type="application/json",
        **token_for(world.librarian_a),
    )
    assert patched.status_code == 200
    world.student_a1.refresh_from_db()
    assert world.student_a1.email == "elev@nord.example"


def test_a_student_of_two_schools_is_changed_only_by_who_manages_both(client, world, token_for):
    core_services.grant_role(SYSTEM, world.student_a1, world.school_b, "student")
    services.create_patron(SYSTEM, world.school_b, category="student", user=world.student_a1)
    patched = client.patch(
        "/api/v1/patrons/A0001?school=syd",
        {"email": "elev@evil.example"},
        content_type="application/json",
        **token_for(world.librarian_b),
    )
    assert patched.status_code == 403
    assert AuditEvent.objects.filter(
        action="person.identity_refused", school=world.school_a
    ).exists()
