"""The coordination calendar: weeks × groups, bookings, heavy use, clashes and filters."""

from __future__ import annotations

import datetime as dt

import pytest

from reol.planning import selectors, services
from reol.planning.tests.test_services import vikings

pytestmark = pytest.mark.django_db

YEAR_START, YEAR_END = dt.date(2027, 8, 11), dt.date(2028, 6, 25)


def cal(plans, **kw):  # type: ignore[no-untyped-def]
    return selectors.coordination(plans.school, YEAR_START, YEAR_END, school_year="2027/28", **kw)


def row(calendar, number):  # type: ignore[no-untyped-def]
    return next(r for r in calendar.rows if r.week.number == number)


def cell(r, group):  # type: ignore[no-untyped-def]
    return next(c for c in r.cells if c.group == group)


def test_weeks_of_the_school_year_with_groups_and_holidays(plans, django_assert_max_num_queries):
    vikings(plans)
    with django_assert_max_num_queries(12):
        c = cal(plans)
    assert [g.name for g in c.groups] == ["5.A", "5.B", "7.A"]
    assert c.rows[0].week.number == 32 and c.rows[-1].week.number == 25
    assert row(c, 42).week.holiday == "Efterårsferie"
    assert [e.title for e in cell(row(c, 41), plans.class_b).entries] == ["Vikingerne"]
    assert cell(row(c, 44), plans.class_b).empty


def test_two_classes_wanting_more_copies_than_the_school_has_clash(plans):
    b = vikings(plans)
    services.add_resource(plans.world.teacher_a, b, plans.novel, 29)
    a = vikings(plans, actor=plans.teacher_5a, group=plans.class_a)
    services.add_resource(plans.teacher_5a, a, plans.novel, 2)
    services.reserve_resources(plans.teacher_5a, a)  # one reserved, one only on the list
    c = cal(plans)
    for number in (41, 43):
        clashes = row(c, number).clashes
        assert [x.kind for x in clashes] == ["material"]
        assert "5.A, 5.B" in clashes[0].message and "Skjoldungernes saga" in clashes[0].message
        assert "31" in clashes[0].message and "30" in clashes[0].message
        assert cell(row(c, number), plans.class_a).clash
        assert cell(row(c, number), plans.class_b).clash
    assert not row(c, 42).clashes  # the autumn holiday: nobody reads in class then
    assert not row(c, 44).clashes
    assert c.clash_count == 2
    # The booking shows in 5.A's cell.
    assert [bk.title for bk in cell(row(c, 41), plans.class_a).bookings] == ["Vikingerne"]


def test_two_classes_sharing_copies_the_school_has_enough_of_do_not_clash(plans):
    """28 + 2 of 30 copies: the old calendar called this a conflict."""
    b = vikings(plans)
    services.add_resource(plans.world.teacher_a, b, plans.novel, 28)
    a = vikings(plans, actor=plans.teacher_5a, group=plans.class_a)
    services.add_resource(plans.teacher_5a, a, plans.novel, 2)
    services.reserve_resources(plans.teacher_5a, a)
    assert cal(plans).clash_count == 0


def test_the_same_room_in_a_week_clashes_even_on_different_days(plans):
    b = vikings(plans)
    a = vikings(plans, actor=plans.teacher_5a, group=plans.class_a)
    services.book_room(plans.world.teacher_a, b, plans.workshop, day=dt.date(2027, 10, 12))
    services.book_room(plans.teacher_5a, a, plans.workshop, day=dt.date(2027, 10, 14))
    clashes = row(cal(plans), 41).clashes
    assert [x.kind for x in clashes] == ["room"] and "Medieværkstedet" in clashes[0].message
    assert not row(cal(plans), 43).clashes


def test_more_heavy_use_classes_than_the_staff_can_serve(plans):
    librarian = plans.world.librarian_a
    services.set_heavy_use_capacity(librarian, plans.school, 1)
    vikings(plans, actor=librarian, heavy_use=True)
    c = cal(plans)
    assert row(c, 41).heavy == 1 and not row(c, 41).clashes
    vikings(plans, actor=librarian, group=plans.class_a, heavy_use=True)
    c = cal(plans)
    assert row(c, 41).heavy == 2 and row(c, 41).over_capacity
    assert "2 heavy-use classes" in row(c, 41).clashes[0].message
    assert cell(row(c, 41), plans.class_a).heavy


def test_filters_by_grade_subject_and_staff_member(plans):
    services.create_entry(
        plans.world.librarian_a, plans.class_a, title="Brøker", subject="Matematik", weeks_text="41"
    )
    vikings(plans)
    services.create_entry(
        plans.world.librarian_a, plans.class_a, title="Digte", subject="Dansk", weeks_text="50"
    )
    assert [g.name for g in cal(plans, grade=7).groups] == ["7.A"]
    by_subject = cal(plans, subject="histor")
    assert [e.title for c in row(by_subject, 41).cells for e in c.entries] == ["Vikingerne"]
    mine = cal(plans, staff=plans.world.teacher_a)
    assert [g.name for g in mine.groups] == ["5.B"]
    # A clash is found whatever the filters show.
    b = plans.class_b.plan_entries.get()
    services.add_resource(plans.world.teacher_a, b, plans.novel, 20)
    a = services.create_entry(plans.teacher_5a, plans.class_a, title="Saga", weeks_text="43")
    services.add_resource(plans.teacher_5a, a, plans.novel, 11)
    assert row(cal(plans, grade=7), 43).clashes


def test_other_schools_plans_never_appear(plans):
    services.create_entry(
        plans.world.librarian_b,
        plans.group_b_other_school,
        title="Sydskolens vikinger",
        weeks_text="41",
    )
    c = cal(plans)
    assert all(e.school == plans.school for r in c.rows for cl in r.cells for e in cl.entries)
    assert plans.group_b_other_school not in c.groups
