"""Many people take the last seats of a course at the same instant: exactly ``capacity`` get
one, the rest wait; real threads, on SQLite (IMMEDIATE) and PostgreSQL (the course row lock,
then the seat index)."""

from __future__ import annotations

import pytest

from reol.competence.models import Registration
from reol.competence.services import courses
from tests.race import race

pytestmark = pytest.mark.django_db(transaction=True)


def test_four_people_two_seats(net):
    course = courses.create_course(net.coordinator, net.network, title="Populært", capacity=2)
    people = net.county_staff[:4]
    results = race(4, lambda i: courses.register(people[i], course))
    assert all(isinstance(r, Registration) for r in results), results
    statuses = sorted(r.status for r in results)  # type: ignore[union-attr]
    assert statuses == ["registered", "registered", "waiting", "waiting"]
    seats = set(course.registrations.filter(status="registered").values_list("seat", flat=True))
    assert seats == {1, 2}
