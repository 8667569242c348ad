"""The planning pages: who sees what, forms through the services, query counts, print/phone."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from reol.planning import services
from reol.planning.models import Collaboration, DevelopmentGoal, PlanEntry, ResourceLine, TeamTask
from reol.planning.tests.test_services import vikings

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_a_teacher_adds_a_project_by_weeks_on_the_groups_page(plans):
    client = signed_in(plans.world.teacher_a)
    url = f"/staff/planning/plans/{plans.class_b.pk}/"
    page = client.get(url)
    assert page.status_code == 200 and "Add a topic or project" in page.content.decode()
    assert "Heavy user" not in page.content.decode()  # only staff mark heavy use
    r = client.post(url, {"kind": "project", "title": "Vikingerne", "weeks": "41-43"})
    assert r.status_code == 302
    entry = PlanEntry.objects.get()
    assert r["Location"] == f"/staff/planning/topics/{entry.pk}/"
    assert entry.starts == dt.date(2027, 10, 11)
    r = client.post(url, {"kind": "project", "title": "X", "weeks": "53"})
    assert r.status_code == 400 and "2027 has no week 53" in r.content.decode()
    # 5.A is not theirs: they see the plan, without the form, and may not post.
    other = f"/staff/planning/plans/{plans.class_a.pk}/"
    assert "Add a topic or project" not in client.get(other).content.decode()
    assert client.post(other, {"kind": "topic", "title": "X", "weeks": "41"}).status_code == 403


def test_other_schools_groups_and_topics_are_404(plans):
    entry = services.create_entry(
        plans.world.librarian_b, plans.group_b_other_school, title="Syd", weeks_text="41"
    )
    client = signed_in(plans.world.teacher_a)
    assert client.get(f"/staff/planning/plans/{plans.group_b_other_school.pk}/").status_code == 404
    assert client.get(f"/staff/planning/topics/{entry.pk}/").status_code == 404
    for outsider in (plans.world.student_a1, plans.world.volunteer_a):
        assert signed_in(outsider).get("/staff/planning/").status_code == 403


def test_the_topic_page_builds_a_resource_list_and_reserves_it(plans):
    entry = vikings(plans)
    client = signed_in(plans.world.teacher_a)
    url = f"/staff/planning/topics/{entry.pk}/"
    found = client.get(url, {"q": "skjoldungernes"}).content.decode()
    assert "Skjoldungernes saga" in found
    client.post(url, {"action": "add", "record": plans.novel.pk, "quantity": "28"})
    client.post(url, {"action": "add", "record": plans.film.pk, "quantity": "1"})
    assert ResourceLine.objects.count() == 2
    r = client.post(url, {"action": "reserve"})
    assert r.status_code == 302
    assert set(ResourceLine.objects.values_list("booking__title", flat=True)) == {"Vikingerne"}
    # Another class asking for the same 28 copies sees who has them and what is free.
    other = vikings(plans, actor=plans.teacher_5a, group=plans.class_a)
    services.add_resource(plans.teacher_5a, other, plans.novel, 28)
    r = signed_in(plans.teacher_5a).post(
        f"/staff/planning/topics/{other.pk}/", {"action": "reserve"}
    )
    assert r.status_code == 409
    body = r.content.decode()
    assert "What is free instead" in body and 'role="alert"' in body


def test_the_topic_page_books_a_room(plans):
    entry = vikings(plans)
    client = signed_in(plans.world.teacher_a)
    url = f"/staff/planning/topics/{entry.pk}/"
    r = client.post(
        url,
        {
            "action": "room",
            "resource": plans.workshop.pk,
            "day": "2027-10-12",
            "start_time": "12:30",
            "end_time": "15:00",
        },
    )
    assert r.status_code == 302
    assert "Medieværkstedet" in client.get(url).content.decode()


def test_the_coordination_calendar_page(plans, django_assert_max_num_queries):
    b = vikings(plans)
    services.add_resource(plans.world.teacher_a, b, plans.novel, 28)
    a = vikings(plans, actor=plans.teacher_5a, group=plans.class_a)
    services.add_resource(plans.teacher_5a, a, plans.novel, 3)
    client = signed_in(plans.world.teacher_a)
    client.get("/staff/planning/", {"year": "2027/28"})
    with django_assert_max_num_queries(30):
        page = client.get("/staff/planning/", {"year": "2027/28"})
    body = page.content.decode()
    assert page.status_code == 200
    assert "5.A, 5.B need 31 copies of “Skjoldungernes saga” this week; the school has 30." in body
    assert "planning/planning.css" in body and "<style" not in body and "<script>" not in body
    assert 'class="week-list' in body  # the phone's list of weeks
    # A class with a booking and no plan that week: its line has no stray separator.
    from reol.bookings import services as bookings

    bookings.book(
        plans.teacher_5a,
        plans.school,
        starts=dt.date(2027, 11, 9),
        ends=dt.date(2027, 11, 9),
        lines=[bookings.BookingRequest(resource=plans.workshop)],
        title="Trickfilm",
        group=plans.class_a,
        today=dt.date(2027, 9, 1),
    )
    listed = client.get("/staff/planning/", {"year": "2027/28", "view": "list"}).content.decode()
    assert 'class="table-scroll cal-table"' not in listed
    assert re.search(r"<strong>5\.A</strong>:\s*Trickfilm", listed), listed
    # Teachers don't see the capacity form; a POST from them is refused.
    assert "Capacity" not in body
    assert (
        client.post("/staff/planning/?year=2027/28", {"heavy_use_capacity": "9"}).status_code == 403
    )
    staff = signed_in(plans.world.librarian_a)
    assert (
        staff.post("/staff/planning/?year=2027/28", {"heavy_use_capacity": "1"}).status_code == 302
    )


def test_collaborations_and_summary(plans):
    client = signed_in(plans.world.librarian_a)
    r = client.post(
        "/staff/planning/collaborations/",
        {
            "kind": "course",
            "title": "Kildekritik",
            "subject": "Dansk",
            "group": plans.class_b.pk,
            "teachers": [plans.world.teacher_a.pk],
            "starts": "2027-10-12",
            "ends": "2027-10-12",
            "rooms": [plans.workshop.pk],
        },
    )
    assert r.status_code == 302, r.content.decode()
    c = Collaboration.objects.get()
    body = client.get("/staff/planning/collaborations/", {"year": "2027/28"}).content.decode()
    assert "Kildekritik" in body and "grade 5: 1" in body and "Dansk: 1" in body
    teacher = signed_in(plans.world.teacher_a)
    r = teacher.post(
        f"/staff/planning/collaborations/{c.pk}/",
        {
            "kind": "course",
            "title": "Kildekritik",
            "starts": "2027-10-12",
            "ends": "2027-10-12",
            "evaluation": "Eleverne fandt gode kilder.",
            "group": plans.class_b.pk,
            "teachers": [plans.world.teacher_a.pk],
        },
    )
    assert r.status_code == 302
    c.refresh_from_db()
    assert c.evaluation == "Eleverne fandt gode kilder."
    assert (
        signed_in(plans.world.librarian_b)
        .get(f"/staff/planning/collaborations/{c.pk}/")
        .status_code
        == 404
    )


def test_team_page(plans):
    client = signed_in(plans.world.librarian_a)
    url = "/staff/planning/team/?year=2027/28"
    client.post(url, {"action": "goal", "title": "Læselyst"})
    goal = DevelopmentGoal.objects.get()
    client.post(
        url,
        {
            "action": "task",
            "title": "Bogklub",
            "responsible": plans.world.librarian_a.pk,
            "goals": [goal.pk],
        },
    )
    assert TeamTask.objects.get().goals.get() == goal
    body = signed_in(plans.world.teacher_a).get(url).content.decode()
    assert "Bogklub" in body and "Describe a task" not in body
    assert (
        signed_in(plans.world.teacher_a).post(url, {"action": "goal", "title": "X"}).status_code
        == 403
    )


@pytest.mark.parametrize("language", ["da", "nb", "en"])
def test_pages_render_in_every_language(plans, language):
    entry = vikings(plans)
    client = signed_in(plans.world.librarian_a)
    client.cookies["django_language"] = language
    for url in (
        "/staff/planning/?year=2027/28",
        "/staff/planning/plans/",
        f"/staff/planning/plans/{plans.class_b.pk}/",
        f"/staff/planning/topics/{entry.pk}/",
        "/staff/planning/collaborations/",
        "/staff/planning/team/",
        "/staff/planning/feeds/",
    ):
        r = client.get(url)
        assert r.status_code == 200, url
        assert f'lang="{language}"' in r.content.decode()


def test_the_topic_page_query_count(plans, django_assert_max_num_queries):
    entry = vikings(plans)
    services.add_resource(plans.world.teacher_a, entry, plans.novel, 28)
    services.add_resource(plans.world.teacher_a, entry, plans.film, 1)
    client = signed_in(plans.world.teacher_a)
    url = f"/staff/planning/topics/{entry.pk}/"
    client.get(url)
    with django_assert_max_num_queries(30):
        assert client.get(url).status_code == 200
