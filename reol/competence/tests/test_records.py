"""A leader's view of training records: courses completed, hours (courses and workshops),
teams and subjects, gaps seen only by the person's own leader; PD attendance per team and
subject as a report with small groups withheld. Nothing crosses to another school."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from conftest import PASSWORD
from reol.competence import access, training
from reol.competence.services import courses, mapping, pd
from reol.core import denials
from reol.core import services as core
from reol.core.models import AuditEvent, School
from reol.core.permissions import SYSTEM, Perm, schools_with
from reol.reports import framework

from .conftest import at

pytestmark = pytest.mark.django_db
DAY = dt.date(2027, 3, 1)
PERIOD = {"starts": dt.date(2026, 8, 1), "ends": dt.date(2027, 7, 31)}


@pytest.fixture
def done(net):  # type: ignore[no-untyped-def]
    """bib-a completed a two-session course (3 h each), took part in two workshops; bib-b
    took part in one workshop at the other school; bib-a answered the survey."""
    w = net.world
    course = courses.create_course(net.coordinator, net.network, title="Kildekritik")
    sessions = [
        courses.add_session(
            net.coordinator,
            course,
            title=f"Samling {n}",
            starts=at(-20 + n, 9),
            ends=at(-20 + n, 12),
            place="Amtsbiblioteket",
        )
        for n in (1, 2)
    ]
    courses.register(w.librarian_a, course)
    for session in sessions:
        courses.record_attendance(net.coordinator, session, {w.librarian_a.pk})
    for title, team, subject in (("Læsning", "Dansk", "Dansk"), ("Kilder", "Udskoling", "")):
        pd.record_workshop(
            w.librarian_a,
            w.school_a,
            title=title,
            held_on=DAY,
            committee=team,
            subject=subject,
            hours=Decimal("1.5"),
            participants=[w.librarian_a, w.teacher_a],
        )
    pd.record_workshop(
        w.librarian_b,
        w.school_b,
        title="Syd",
        held_on=DAY,
        committee="Dansk",
        hours=Decimal(2),
        participants=[w.librarian_b],
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
    return course, areas


def _period_of_sessions() -> dict[str, dt.date]:
    today = timezone.localdate()
    return {"starts": today - dt.timedelta(days=30), "ends": today}


def test_a_leader_sees_courses_hours_teams_and_gaps_of_their_own_staff(net, done):
    w = net.world
    course, areas = done
    schools = schools_with(w.admin_a, Perm.TRAINING_RECORDS)
    assert list(schools) == [w.school_a]
    rows = {r.person.username: r for r in training.training_records(w.admin_a, schools, **PERIOD)}
    assert "bib-b" not in rows and "elev-a1" not in rows  # another school; a student
    a = rows["bib-a"]
    assert a.completed == [course]
    assert (a.workshop_hours, a.workshops) == (Decimal("3.0"), 2)
    assert (a.teams, a.subjects) == ({"Dansk", "Udskoling"}, {"Dansk"})
    assert a.gaps is not None and [(g.area, g.size) for g in a.gaps] == [(areas[0], 3)]
    assert rows["laerer-a"].completed == [] and rows["laerer-a"].gaps is None
    # course hours count the sessions attended within the period asked about
    recent = training.training_records(w.admin_a, schools, **_period_of_sessions())
    assert {r.person.username: r.course_hours for r in recent}["bib-a"] == Decimal("6.0")


def test_a_consultant_sees_both_schools_but_no_ones_answers(net, done):
    w = net.world
    schools = schools_with(w.consultant, Perm.TRAINING_RECORDS)
    assert set(schools) == {w.school_a, w.school_b}
    rows = {
        r.person.username: r for r in training.training_records(w.consultant, schools, **PERIOD)
    }
    assert rows["bib-b"].workshop_hours == Decimal(2)
    assert rows["bib-a"].answered and rows["bib-a"].gaps is None  # not their own leader
    assert not schools_with(w.other_consultant, Perm.TRAINING_RECORDS).filter(
        pk__in=[w.school_a.pk, w.school_b.pk]
    )
    assert not schools_with(w.librarian_a, Perm.TRAINING_RECORDS).exists()


def test_team_and_subject_narrow_the_people(net, done):
    w = net.world
    schools = School.objects.filter(pk=w.school_a.pk)
    names = {
        r.person.username
        for r in training.training_records(w.admin_a, schools, **PERIOD, team="Udskoling")
    }
    assert names == {"bib-a", "laerer-a"}
    assert not training.training_records(w.admin_a, schools, **PERIOD, subject="Matematik")


def test_the_records_page_stays_within_the_leaders_school(net, done, client):
    w = net.world
    query = {"starts": "2026-08-01", "ends": "2027-07-31"}
    client.login(username="admin-a", password=PASSWORD)
    page = client.get("/staff/competence/records/", query)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Bib-A Test" in html and "Kildekritik" in html and "Bib-B Test" not in html
    # asking for the other school is refused by the form (not among the choices)
    other = client.get("/staff/competence/records/", {**query, "school": w.school_b.pk})
    assert other.status_code == 400 and "Bib-B Test" not in other.content.decode()
    client.login(username="bib-a", password=PASSWORD)
    assert client.get("/staff/competence/records/").status_code == 403
    client.login(username="konsulent", password=PASSWORD)
    html = client.get("/staff/competence/records/", query).content.decode()
    assert "Bib-A Test" in html and "Bib-B Test" in html


def test_a_workshop_participant_must_be_of_the_school(net):
    w = net.world
    with pytest.raises(PermissionDenied):
        pd.record_workshop(
            w.librarian_a, w.school_a, title="x", held_on=DAY, participants=[w.librarian_b]
        )


def test_the_pd_attendance_report_withholds_groups_under_five(net, done):
    w = net.world
    extra = [net.world.teacher_a]
    report = framework.get("pd-attendance")
    assert report is not None
    filters = framework.Filters(schools=(w.school_a, w.school_b), **PERIOD)
    table = framework.result(report, filters)
    assert table.rows and all(r.suppressed for r in table.rows)  # 1–2 people each
    assert extra  # the teacher is one of them
    raw = {(r.values["team"], r.values["subject"]): r.values for r in report.run(filters).rows}
    assert raw[("Dansk", "Dansk")]["people"] == 2
    assert raw[("Dansk", "–")]["hours"] == Decimal(2)


def test_the_records_page_reads_a_bounded_number_of_queries(
    net, done, client, django_assert_max_num_queries
):
    client.login(username="konsulent", password=PASSWORD)
    query = {"starts": "2026-08-01", "ends": "2027-07-31"}
    client.get("/staff/competence/records/", query)  # warm the session and the roles
    with django_assert_max_num_queries(30):
        assert client.get("/staff/competence/records/", query).status_code == 200


def test_a_leader_downloads_the_certificate_of_their_staff_and_no_one_else_does(net, done, client):
    w = net.world
    course, _areas = done
    url = f"/staff/competence/records/{w.librarian_a.pk}/certificates/{course.pk}.pdf"
    client.login(username="bib-a", password=PASSWORD)
    own = client.get(f"/staff/competence/courses/{course.pk}/certificate.pdf")
    assert client.get(url).status_code == 404  # a librarian is nobody's leader
    for leader in ("admin-a", "konsulent"):
        client.login(username=leader, password=PASSWORD)
        page = client.get("/staff/competence/records/", {"starts": "2026-08-01"})
        assert url in page.content.decode(), leader
        pdf = client.get(url)
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF"), leader
        assert pdf["Content-Disposition"] == own["Content-Disposition"]
    core.create_person(
        SYSTEM,
        w.school_b,
        username="admin-b",
        role="administrator",
        password=PASSWORD,
        first_name="Admin",
    )
    strangers = ["admin-b", "fremmed-konsulent", "bib-b", net.coordinator.username]
    for stranger in strangers:
        client.login(username=stranger, password=PASSWORD)
        assert client.get(url).status_code == 404, stranger
    # a leader may see the teacher, but the teacher completed nothing
    client.login(username="admin-a", password=PASSWORD)
    not_done = f"/staff/competence/records/{w.teacher_a.pk}/certificates/{course.pk}.pdf"
    assert client.get(not_done).status_code == 404
    # the refused attempt on another school's person is audited as a denial
    assert AuditEvent.objects.filter(action=denials.DENIED).exists()
