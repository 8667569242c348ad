"""The library's workshops seen from planning: linked to a collaboration of the same school
only, by whoever may edit it; and in the coordination feed as all-day events."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from icalendar import Calendar

from conftest import PASSWORD
from reol.competence.services import pd
from reol.planning import ical, services, workshops

pytestmark = pytest.mark.django_db
DAY = dt.date(2027, 10, 12)


@pytest.fixture
def linked(world):  # type: ignore[no-untyped-def]
    w = world
    collaboration = services.create_collaboration(
        w.librarian_a,
        w.school_a,
        kind="course",
        title="Kildekritik",
        subject="Dansk",
        teachers=[w.teacher_a],
        starts=DAY,
        ends=DAY,
    )
    ours = pd.record_workshop(
        w.librarian_a, w.school_a, title="Dansk-fagudvalget", held_on=DAY, committee="Dansk"
    )
    theirs = pd.record_workshop(w.librarian_b, w.school_b, title="Sydskolens møde", held_on=DAY)
    return collaboration, ours, theirs


def test_a_collaboration_links_its_schools_workshops_only(world, linked):
    collaboration, ours, theirs = linked
    workshops.link_workshop(world.teacher_a, collaboration, ours)
    assert list(collaboration.workshops.all()) == [ours]
    with pytest.raises(ValidationError):
        workshops.link_workshop(world.librarian_a, collaboration, theirs)
    with pytest.raises(PermissionDenied):
        workshops.unlink_workshop(world.librarian_b, collaboration, ours)
    workshops.unlink_workshop(world.librarian_a, collaboration, ours)
    assert not collaboration.workshops.exists()


def test_the_collaboration_page_links_and_refuses_the_other_schools(world, linked, client):
    collaboration, ours, theirs = linked
    client.login(username="bib-a", password=PASSWORD)
    url = f"/staff/planning/collaborations/{collaboration.pk}/workshops/"
    assert client.post(url, {"workshop": theirs.pk}).status_code == 404
    assert client.post(url, {"workshop": ours.pk}).status_code == 302
    page = client.get(f"/staff/planning/collaborations/{collaboration.pk}/").content.decode()
    assert "Dansk-fagudvalget" in page and "Sydskolens møde" not in page
    client.login(username="bib-b", password=PASSWORD)
    assert client.post(url, {"workshop": ours.pk, "action": "unlink"}).status_code == 404
    assert collaboration.workshops.count() == 1


def test_workshops_are_all_day_events_in_the_coordination_feed(world, linked):
    _collaboration, ours, _theirs = linked
    cal = Calendar.from_ical(ical.coordination_ics(world.school_a, today=DAY))
    found = [e for e in cal.walk("VEVENT") if str(e["UID"]).startswith("workshop-")]
    assert [str(e["UID"]) for e in found] == [f"workshop-{ours.pk}@nord.reol"]
    assert found[0]["DTSTART"].dt == DAY and found[0]["DTEND"].dt == DAY + dt.timedelta(days=1)
    assert "Dansk-fagudvalget" in str(found[0]["SUMMARY"])
