"""Job-shadowing offered, requested, matched, reported and shared; workshops with follow-ups
at one school, not at the other."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import PASSWORD
from reol.competence import access
from reol.competence.services import pd, shadowing

pytestmark = pytest.mark.django_db
DAY = dt.date(2027, 3, 1)


def test_a_placement_from_offer_to_shared_reflection(net):
    w = net.world
    placement = shadowing.offer_placement(
        net.county_leader,
        net.network,
        access.Workplace(library=net.county),
        title="Arrangementer for voksne",
        learn="Planlægning af forfatteraftener",
        available_from=DAY,
        available_to=DAY + dt.timedelta(days=30),
    )
    with pytest.raises(PermissionDenied):  # not one's own library
        shadowing.offer_placement(
            w.librarian_a,
            net.network,
            access.Workplace(library=net.county),
            title="x",
            learn="x",
            available_from=DAY,
            available_to=DAY,
        )
    request = shadowing.request_placement(w.librarian_a, placement, goals="Lære om formidling")
    with pytest.raises(PermissionDenied):
        shadowing.match(w.librarian_a, request, starts=DAY, ends=DAY)
    with pytest.raises(ValidationError):
        shadowing.match(net.coordinator, request, starts=DAY - dt.timedelta(days=1), ends=DAY)
    shadowing.match(net.coordinator, request, starts=DAY, ends=DAY + dt.timedelta(days=1))
    with pytest.raises(PermissionDenied):
        shadowing.report(w.librarian_b, request, reflection="x", shared=True)
    shadowing.report(w.librarian_a, request, reflection="Nye ideer til skolen", shared=True)
    request.refresh_from_db()
    assert (request.status, request.shared) == ("completed", True)


def test_a_workshop_with_a_follow_up_stays_at_its_school(net, client):
    w = net.world
    workshop = pd.record_workshop(
        w.librarian_a,
        w.school_a,
        title="Læseforståelse",
        held_on=DAY,
        committee="Dansk",
        minutes="Vi aftalte …",
    )
    task = pd.add_follow_up(
        w.librarian_a, workshop, text="Lav en booktalk-liste", owner=w.teacher_a
    )
    with pytest.raises(PermissionDenied):
        pd.add_follow_up(w.librarian_b, workshop, text="x")
    with pytest.raises(PermissionDenied):
        pd.record_workshop(net.coordinator, w.school_a, title="x", held_on=DAY)
    pd.complete_follow_up(w.librarian_a, task)
    client.login(username="bib-b", password=PASSWORD)
    assert "Læseforståelse" not in client.get("/staff/competence/workshops/").content.decode()
    client.login(username="bib-a", password=PASSWORD)
    assert "Lav en booktalk-liste" in client.get("/staff/competence/workshops/").content.decode()
