"""The courses' API: listing within one's networks, registering (a seat or the waiting list),
cancelling (the first waiting moves up), and nothing of another network."""

from __future__ import annotations

import pytest

from conftest import PASSWORD
from reol.competence.services import courses

from .conftest import at

pytestmark = pytest.mark.django_db


def test_register_and_cancel_through_the_api(net, client):
    course = courses.create_course(net.coordinator, net.network, title="API-kursus", capacity=1)
    courses.add_session(
        net.coordinator, course, title="Én", starts=at(3), ends=at(3, 11), place="Sal"
    )
    client.login(username="amt-1", password=PASSWORD)
    listed = client.get("/api/v1/courses").json()["items"]
    assert [c["title"] for c in listed] == ["API-kursus"]
    session = client.get(f"/api/v1/courses/{course.pk}/sessions").json()["items"][0]
    assert (session["place"], session["cancelled"]) == ("Sal", False)
    courses.cancel_session(net.coordinator, course.sessions.get())
    after = client.get(f"/api/v1/courses/{course.pk}/sessions").json()["items"][0]
    assert after["cancelled"] is True
    mine = client.post(f"/api/v1/courses/{course.pk}/registrations").json()
    assert mine["status"] == "registered"
    assert client.post(f"/api/v1/courses/{course.pk}/registrations").status_code == 422
    client.login(username="amt-2", password=PASSWORD)
    waiting = client.post(f"/api/v1/courses/{course.pk}/registrations").json()
    assert waiting["status"] == "waiting"
    assert [
        r["user"] for r in client.get(f"/api/v1/courses/{course.pk}/registrations").json()["items"]
    ] == ["amt-2"]
    assert client.delete(f"/api/v1/registrations/{mine['id']}").status_code == 404  # not hers
    client.login(username="amt-1", password=PASSWORD)
    assert client.delete(f"/api/v1/registrations/{mine['id']}").status_code == 204
    client.login(username="koord", password=PASSWORD)
    regs = client.get(f"/api/v1/courses/{course.pk}/registrations").json()["items"]
    assert [(r["user"], r["status"]) for r in regs] == [("amt-2", "registered")]
    client.login(username="koord-andet", password=PASSWORD)
    assert client.get("/api/v1/courses").json()["items"] == []
    assert client.get(f"/api/v1/courses/{course.pk}/registrations").status_code == 404
