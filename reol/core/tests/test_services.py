"""Every service write leaves exactly one audit event, and refuses people without the role."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from reol.core import audit, services
from reol.core.models import AuditEvent, Membership, OpeningHours, Role
from reol.core.permissions import SYSTEM

pytestmark = pytest.mark.django_db

WRITES = {
    "update_school": lambda w: services.update_school(w.admin_a, w.school_a, name="Nordskolen 2"),
    "create_location": lambda w: services.create_location(
        w.librarian_a, w.school_a, code="x", name="X"
    ),
    "create_person": lambda w: services.create_person(
        w.librarian_a, w.school_a, username="ny", role="student", first_name="Ny"
    ),
    "grant_role": lambda w: services.grant_role(w.admin_a, w.teacher_a, w.school_a, "librarian"),
    "revoke_role": lambda w: services.revoke_role(
        w.librarian_a, w.teacher_a, w.school_a, "teacher"
    ),
    "set_password": lambda w: services.set_password(
        w.librarian_a, w.student_a1, "Another-Horse-43"
    ),
    "set_pin": lambda w: services.set_pin(w.librarian_a, w.student_a1, "9876"),
    "set_language": lambda w: services.set_preferred_language(w.student_a1, w.student_a1, "nb"),
    "view_person": lambda w: services.record_person_view(w.librarian_a, w.student_a1, w.school_a),
    "create_token": lambda w: services.create_api_token(w.librarian_a, w.librarian_a),
    "opening_hours": lambda w: services.set_opening_hours(
        w.librarian_a, w.school_a, [(0, dt.time(8), dt.time(15))]
    ),
    "closed_period": lambda w: services.add_closed_period(
        w.librarian_a,
        w.school_a,
        name="Ferie",
        kind="holiday",
        starts=dt.date(2026, 10, 12),
        ends=dt.date(2026, 10, 16),
    ),
    "school_year": lambda w: services.add_school_year(
        w.librarian_a,
        w.school_a,
        name="2026/27",
        starts=dt.date(2026, 8, 10),
        ends=dt.date(2027, 6, 25),
    ),
}


@pytest.mark.parametrize("name", sorted(WRITES))
def test_each_write_leaves_one_audit_event(world, name):
    before = AuditEvent.objects.count()
    WRITES[name](world)
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-id").first()
    assert event.actor is not None and event.action


def test_audit_event_says_who_what_where(world):
    with audit.origin("api", "10.1.2.3"):
        location = services.create_location(
            world.librarian_a, world.school_a, code="f", name="Film"
        )
    event = AuditEvent.objects.get(action="location.create")
    assert (event.actor, event.school, event.via, event.ip_address) == (
        world.librarian_a,
        world.school_a,
        "api",
        "10.1.2.3",
    )
    assert event.object_id == str(location.pk) and event.object_repr == "Film"


@pytest.mark.django_db(transaction=True)
def test_audit_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        audit.record(SYSTEM, "something")


def test_failed_write_leaves_no_audit_event(world):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError):
        services.create_location(
            world.librarian_a, world.school_a, code="a", name="A", kind="nonsense"
        )
    assert AuditEvent.objects.count() == before


REFUSED = {
    "teacher edits school": lambda w: services.update_school(w.teacher_a, w.school_a, name="X"),
    "librarian B edits school A": lambda w: services.update_school(
        w.librarian_b, w.school_a, name="X"
    ),
    "librarian appoints admin": lambda w: services.create_person(
        w.librarian_a, w.school_a, username="boss", role="administrator"
    ),
    "librarian B adds student at A": lambda w: services.create_person(
        w.librarian_b, w.school_a, username="x", role="student"
    ),
    "student adds student": lambda w: services.create_person(
        w.student_a1, w.school_a, username="x", role="student"
    ),
    "volunteer adds location": lambda w: services.create_location(
        w.volunteer_a, w.school_a, code="x", name="X"
    ),
    "librarian B resets student A's PIN": lambda w: services.set_pin(
        w.librarian_b, w.student_a1, "0000"
    ),
    "student changes another's password": lambda w: services.set_password(
        w.student_a1, w.student_a2, "Another-Horse-43"
    ),
    "consultant adds person": lambda w: services.create_person(
        w.consultant, w.school_a, username="x", role="student"
    ),
    "librarian creates school": lambda w: services.create_school(
        w.librarian_a, municipality=w.municipality, code="ny", name="Ny"
    ),
    "token for someone else": lambda w: services.create_api_token(w.librarian_a, w.student_a1),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_writes_without_the_role_are_refused_and_not_audited(world, name):
    # A refused change of someone's password or PIN is itself audited (issue 12); nothing else.
    others = AuditEvent.objects.exclude(action="person.identity_refused")
    before = others.count()
    with pytest.raises(PermissionDenied):
        REFUSED[name](world)
    assert others.count() == before


def test_duplicate_username_and_card_are_explained(world):
    with pytest.raises(ValidationError) as error:
        services.create_person(
            world.librarian_a, world.school_a, username="ELEV-A1", role="student"
        )
    assert "username" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.create_person(
            world.librarian_a, world.school_a, username="new", role="student", card_barcode="A0001"
        )
    assert "card_barcode" in error.value.message_dict


def test_bad_pin_is_refused(world):
    with pytest.raises(ValidationError):
        services.set_pin(world.librarian_a, world.student_a1, "12ab")


def test_membership_scope_is_a_database_constraint(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            user=world.student_a1, municipality=world.municipality, school=None, role=Role.STUDENT
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            user=world.student_a1,
            municipality=world.municipality,
            school=world.school_a,
            role=Role.STUDENT,
        )


def test_opening_hours_order_is_a_database_constraint(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        OpeningHours.objects.create(
            school=world.school_a, weekday=0, opens=dt.time(15), closes=dt.time(8)
        )


def test_school_year_dates_must_not_overlap(world):
    services.add_school_year(
        SYSTEM,
        world.school_a,
        name="2026/27",
        starts=dt.date(2026, 8, 10),
        ends=dt.date(2027, 6, 25),
    )
    with pytest.raises(ValidationError):
        services.add_school_year(
            SYSTEM, world.school_a, name="x", starts=dt.date(2027, 6, 1), ends=dt.date(2028, 6, 1)
        )
