"""The schedule and training records through the API: the page's rules (no overlapping shift,
the person works at the school, the planner's permission), and nothing across schools or
municipalities: another school's shift or person is a 404, a missing permission a 403."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from reol.competence import access
from reol.competence.models import Shift
from reol.competence.services import mapping, pd

pytestmark = pytest.mark.django_db
DAY = "2027-03-01"
SHIFTS = "/api/v1/schedule/shifts"
RECORDS = "/api/v1/training-records"


def _shift(client, headers, **kw):  # type: ignore[no-untyped-def]
    body = {"school": "nord", "person": "bib-a", "day": DAY, "starts": "08:00", "ends": "10:00"}
    return client.post(SHIFTS, {**body, **kw}, content_type="application/json", **headers)


def test_shifts_follow_the_pages_rules(world, client, token_for):
    admin = token_for(world.admin_a)
    made = _shift(client, admin, task="Udlån")
    assert made.status_code == 201, made.content
    assert made.json() | {"id": 0} == {
        "id": 0,
        "school": "nord",
        "person": "bib-a",
        "kind": "staff",
        "day": DAY,
        "starts": "08:00:00",
        "ends": "10:00:00",
        "task": "Udlån",
    }
    # the same person twice at once: refused, with the reason, and nothing written
    clash = _shift(client, admin, starts="09:30", ends="11:00")
    assert clash.status_code == 422 and "already has a shift" in clash.content.decode()
    assert _shift(client, admin, starts="10:00", ends="09:00").status_code == 422
    volunteer = _shift(client, admin, person="frivillig-a", starts="10:00", ends="12:00")
    assert volunteer.status_code == 201 and volunteer.json()["kind"] == "volunteer"
    assert Shift.objects.count() == 2
    listed = client.get(SHIFTS, {"from": DAY, "to": DAY}, **admin).json()
    assert [s["person"] for s in listed["items"]] == ["bib-a", "frivillig-a"]
    assert client.get(SHIFTS, {"from": "2027-03-02"}, **admin).json()["count"] == 0
    # a teacher sees the schedule but does not plan it
    teacher = token_for(world.teacher_a)
    assert client.get(SHIFTS, **teacher).json()["count"] == 2
    assert _shift(client, teacher, person="laerer-a", day="2027-03-02").status_code == 403
    assert client.delete(f"{SHIFTS}/{made.json()['id']}", **teacher).status_code == 403
    assert client.delete(f"{SHIFTS}/{made.json()['id']}", **admin).status_code == 204
    assert Shift.objects.count() == 1


def test_shifts_do_not_cross_schools_or_municipalities(world, client, token_for):
    mine = _shift(client, token_for(world.librarian_a)).json()["id"]
    other_school = token_for(world.librarian_b)
    assert client.get(SHIFTS, **other_school).json()["count"] == 0
    assert client.delete(f"{SHIFTS}/{mine}", **other_school).status_code == 404
    # planning at the other school, or a person of the other school, is a 404
    assert _shift(client, other_school).status_code == 404  # school "nord"
    librarian = token_for(world.librarian_a)
    assert _shift(client, librarian, person="bib-b", day="2027-03-03").status_code == 404
    assert _shift(client, librarian, school="syd", person="bib-b").status_code == 404
    stranger = token_for(world.other_consultant)
    assert client.get(SHIFTS, **stranger).json()["count"] == 0
    assert client.delete(f"{SHIFTS}/{mine}", **stranger).status_code == 404
    assert client.get(SHIFTS, **token_for(world.consultant)).json()["count"] == 1
    assert Shift.objects.filter(pk=mine).exists()


@pytest.fixture
def answered(net):  # type: ignore[no-untyped-def]
    """bib-a answered the survey (a gap of 3 in the first area) and took part in a workshop;
    bib-b took part in one at the other school."""
    w = net.world
    for who, school in ((w.librarian_a, w.school_a), (w.librarian_b, w.school_b)):
        pd.record_workshop(
            who,
            school,
            title="Læsning",
            held_on=dt.date(2027, 3, 1),
            committee="Dansk",
            hours=Decimal("1.5"),
            participants=[who],
        )
    survey = mapping.create_survey(net.coordinator, net.network, title="Kortlægning")
    mapping.set_survey_status(net.coordinator, survey, "open")
    areas = list(net.network.areas.all())
    mapping.answer_survey(
        w.librarian_a,
        survey,
        access.Workplace(school=w.school_a),
        {a.pk: mapping.Answer(1, 4) if a == areas[0] else mapping.Answer(3, 3) for a in areas},
    )
    return areas[0]


def _records(client, headers, **params):  # type: ignore[no-untyped-def]
    query = {"from": "2026-08-01", "to": "2027-07-31", **params}
    return client.get(RECORDS, query, **headers)


def test_training_records_as_the_leaders_page_shows_them(net, answered, client, token_for):
    w = net.world
    leader = _records(client, token_for(w.admin_a))
    assert leader.status_code == 200
    rows = {r["person"]: r for r in leader.json()["items"]}
    assert "bib-b" not in rows and "elev-a1" not in rows  # another school; a student
    assert rows["bib-a"]["gaps"] == [{"area": answered.code, "size": 3}]
    assert Decimal(rows["bib-a"]["workshop_hours"]) == Decimal("1.5")
    assert rows["bib-a"]["teams"] == ["Dansk"] and rows["bib-a"]["schools"] == ["Nordskolen"]
    # the consultant sees both schools' people and hours, but nobody's answers
    consultant = {r["person"]: r for r in _records(client, token_for(w.consultant)).json()["items"]}
    assert {"bib-a", "bib-b"} <= set(consultant)
    assert consultant["bib-a"]["answered"] and consultant["bib-a"]["gaps"] is None


def test_training_records_do_not_cross_schools_or_municipalities(net, answered, client, token_for):
    w = net.world
    assert _records(client, token_for(w.admin_a), school="syd").status_code == 404
    assert _records(client, token_for(w.other_consultant)).status_code == 403
    assert _records(client, token_for(w.librarian_a)).status_code == 403
    assert _records(client, token_for(net.coordinator)).status_code == 403
    only_nord = _records(client, token_for(w.consultant), school="nord").json()["items"]
    assert "bib-b" not in {r["person"] for r in only_nord}
