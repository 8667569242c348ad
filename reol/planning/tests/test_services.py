"""Plans, resource lists, collaborations and team tasks: who may do what, and the rules."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from reol.bookings.errors import BookingConflict
from reol.bookings.models import Booking, BookingLine
from reol.catalog.lists.models import ReadingList
from reol.core.models import AuditEvent
from reol.planning import services
from reol.planning.models import (
    CalendarFeed,
    Collaboration,
    DevelopmentGoal,
    PlanEntry,
    ResourceLine,
    TeamTask,
)

pytestmark = pytest.mark.django_db


def vikings(plans, actor=None, group=None, **kw):  # type: ignore[no-untyped-def]
    return services.create_entry(
        actor or plans.world.teacher_a,
        group or plans.class_b,
        title="Vikingerne",
        subject="Historie",
        kind="project",
        weeks_text="41–43",
        **kw,
    )


def test_a_teacher_adds_a_project_to_their_class_by_weeks(plans):
    entry = vikings(plans, goals="Vikingernes hverdag", materials="28 romaner, en film")
    assert entry.school == plans.school and entry.school_year == "2027/28"
    assert entry.starts == dt.date(2027, 10, 11) and entry.ends == dt.date(2027, 10, 29)
    assert entry.weeks == "41–43" and entry.created_by == plans.world.teacher_a
    event = AuditEvent.objects.get(action="plan.create")
    assert event.details == {"group": "5.B", "weeks": "41–43"}
    assert event.actor == plans.world.teacher_a and event.school == plans.school


def test_dates_instead_of_weeks_and_across_new_year(plans):
    entry = services.create_entry(
        plans.world.teacher_a,
        plans.class_b,
        title="Jul i Norden",
        starts=dt.date(2027, 12, 20),
        ends=dt.date(2028, 1, 7),
    )
    assert entry.weeks == "51–1"
    moved = services.update_entry(plans.world.teacher_a, entry, weeks_text="52–2")
    assert moved.starts == dt.date(2027, 12, 27) and moved.ends == dt.date(2028, 1, 14)


def test_bad_weeks_and_dates_are_refused_by_field(plans):
    with pytest.raises(ValidationError) as error:
        services.create_entry(plans.world.teacher_a, plans.class_b, title="X", weeks_text="53")
    assert "2027 has no week 53" in error.value.message_dict["weeks"][0]
    with pytest.raises(ValidationError) as error:
        services.create_entry(plans.world.teacher_a, plans.class_b, title="X")
    assert "weeks" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.create_entry(
            plans.world.teacher_a,
            plans.class_b,
            title="X",
            starts=dt.date(2027, 11, 2),
            ends=dt.date(2027, 11, 1),
        )
    assert "ends" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.create_entry(
            plans.world.teacher_a,
            plans.class_b,
            title="X",
            starts=dt.date(2029, 1, 1),
            ends=dt.date(2029, 1, 5),
        )
    assert "outside the school year" in error.value.message_dict["weeks"][0]
    with pytest.raises(ValidationError) as error:
        services.create_entry(plans.world.teacher_a, plans.class_b, title="  ", weeks_text="41")
    assert "title" in error.value.message_dict
    assert not PlanEntry.objects.exists()


def test_a_teacher_edits_only_the_groups_they_teach(plans):
    with pytest.raises(PermissionDenied, match=r"5\.A is not one of them"):
        vikings(plans, group=plans.class_a)
    entry = vikings(plans, actor=plans.teacher_5a, group=plans.class_a)
    with pytest.raises(PermissionDenied):
        services.update_entry(plans.world.teacher_a, entry, title="Mine nu")
    with pytest.raises(PermissionDenied):
        services.delete_entry(plans.world.teacher_a, entry)


def test_librarians_plan_for_every_group_of_their_school_only(plans):
    w = plans.world
    entry = vikings(plans, actor=w.librarian_a, group=plans.class_a, heavy_use=True)
    assert entry.heavy_use
    with pytest.raises(PermissionDenied):
        vikings(plans, actor=w.librarian_b, group=plans.class_a)
    # A librarian of school B plans for school B's 5.B, never school A's.
    assert vikings(plans, actor=w.librarian_b, group=plans.group_b_other_school).school == (
        w.school_b
    )
    for outsider in (w.volunteer_a, w.student_a1, w.consultant):
        with pytest.raises(PermissionDenied):
            vikings(plans, actor=outsider, group=plans.class_a)


def test_only_staff_mark_heavy_use(plans):
    with pytest.raises(PermissionDenied, match="heavy-use"):
        vikings(plans, heavy_use=True)
    entry = vikings(plans)
    with pytest.raises(PermissionDenied):
        services.update_entry(plans.world.teacher_a, entry, heavy_use=True)
    with pytest.raises(PermissionDenied):
        services.set_heavy_use(plans.world.teacher_a, entry, True)
    assert services.set_heavy_use(plans.world.librarian_a, entry, True).heavy_use
    # The teacher may still edit other fields of an entry the staff marked.
    assert services.update_entry(plans.world.teacher_a, entry, title="Vikinger").heavy_use


def test_capacity_is_the_staffs_and_bounded(plans):
    assert (
        services.set_heavy_use_capacity(plans.world.librarian_a, plans.school, 2).heavy_use_capacity
        == 2
    )
    with pytest.raises(PermissionDenied):
        services.set_heavy_use_capacity(plans.world.teacher_a, plans.school, 9)
    with pytest.raises(ValidationError):
        services.set_heavy_use_capacity(plans.world.librarian_a, plans.school, 501)


def test_the_database_keeps_the_invariants(plans):
    entry = vikings(plans)
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanEntry.objects.filter(pk=entry.pk).update(ends=dt.date(2020, 1, 1))
    line = services.add_resource(plans.world.teacher_a, entry, plans.novel, 28)
    with pytest.raises(IntegrityError), transaction.atomic():
        ResourceLine.objects.filter(pk=line.pk).update(quantity=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        ResourceLine.objects.create(resource_list=line.resource_list, record=plans.novel)
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarFeed.objects.create(
            user=plans.world.teacher_a, school=plans.school, kind="resource", token="x"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarFeed.objects.create(
            user=plans.world.teacher_a,
            school=plans.school,
            kind="coordination",
            resource=plans.workshop,
            token="y",
        )


# --- Resource lists ---------------------------------------------------------------------------


def test_a_resource_list_is_reserved_for_the_topics_weeks(plans):
    teacher = plans.world.teacher_a
    entry = vikings(plans)
    services.add_resource(teacher, entry, plans.novel, 28)
    services.add_resource(teacher, entry, plans.film, 1)
    services.add_resource(teacher, entry, plans.film, 2)  # again: the quantity changes
    assert [(line.record, line.quantity) for line in ResourceLine.objects.all()] == [
        (plans.novel, 28),
        (plans.film, 2),
    ]
    booking = services.reserve_resources(teacher, entry)
    assert booking.starts == entry.starts and booking.ends == entry.ends
    assert booking.group == plans.class_b and booking.teacher == teacher
    assert booking.title == "Vikingerne"
    assert sorted(
        (line.record_id, line.quantity) for line in BookingLine.objects.filter(booking=booking)
    ) == sorted([(plans.novel.pk, 28), (plans.film.pk, 2)])
    assert set(ResourceLine.objects.values_list("booking", flat=True)) == {booking.pk}
    with pytest.raises(ValidationError, match="reserved already"):
        services.reserve_resources(teacher, entry)
    with pytest.raises(ValidationError, match="reserved already"):
        services.add_resource(teacher, entry, plans.novel, 20)


def test_a_conflict_tells_who_holds_the_copies_and_reserves_nothing(plans):
    mine = vikings(plans, actor=plans.teacher_5a, group=plans.class_a)
    services.add_resource(plans.teacher_5a, mine, plans.novel, 28)
    services.reserve_resources(plans.teacher_5a, mine)
    theirs = vikings(plans)
    services.add_resource(plans.world.teacher_a, theirs, plans.novel, 28)
    with pytest.raises(BookingConflict) as error:
        services.reserve_resources(plans.world.teacher_a, theirs)
    assert error.value.message and error.value.alternatives
    assert Booking.objects.count() == 1
    assert ResourceLine.objects.get(resource_list__entry=theirs).booking is None


def test_another_municipalitys_title_cannot_go_on_a_list(plans):
    from reol.catalog.models import Record
    from reol.core.models import Municipality

    stranger = Record.objects.create(
        municipality=Municipality.objects.get(code="fjordby"), marc={}, title="Fremmed"
    )
    with pytest.raises(ValidationError):
        services.add_resource(plans.world.teacher_a, vikings(plans), stranger, 1)
    with pytest.raises(ValidationError):
        services.add_resource(plans.world.teacher_a, vikings(plans), plans.novel, 0)


def test_book_the_media_workshop_for_two_afternoons(plans):
    entry = vikings(plans)
    for day in (dt.date(2027, 10, 12), dt.date(2027, 10, 14)):
        services.book_room(
            plans.world.teacher_a,
            entry,
            plans.workshop,
            day=day,
            start_time=dt.time(12, 30),
            end_time=dt.time(15, 0),
        )
    assert Booking.objects.filter(group=plans.class_b, lines__resource=plans.workshop).count() == 2
    other = vikings(plans, actor=plans.teacher_5a, group=plans.class_a)
    with pytest.raises(BookingConflict):
        services.book_room(
            plans.teacher_5a,
            other,
            plans.workshop,
            day=dt.date(2027, 10, 12),
            start_time=dt.time(13, 0),
            end_time=dt.time(14, 0),
        )


def test_share_with_a_teacher_sends_mail_in_their_language(
    plans, django_capture_on_commit_callbacks
):
    entry = vikings(plans)
    services.add_resource(plans.world.teacher_a, entry, plans.novel, 28)
    plans.teacher_5a.preferred_language = "da"
    plans.teacher_5a.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.share_resources(plans.world.teacher_a, entry, plans.teacher_5a, link="http://x/")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ida@nord.example"]
    assert "28 × Skjoldungernes saga" in mail.outbox[0].body
    with pytest.raises(ValidationError):  # no e-mail address
        services.share_resources(plans.world.teacher_a, entry, plans.world.librarian_b)


def test_publishing_makes_and_then_updates_one_opac_reading_list(plans):
    entry = vikings(plans)
    services.add_resource(plans.world.teacher_a, entry, plans.novel, 28)
    with pytest.raises(PermissionDenied):  # reading lists are the catalogue's: librarians
        services.publish_resources(plans.world.teacher_a, entry)
    first = services.publish_resources(plans.world.librarian_a, entry)
    assert first.title == "Vikingerne (5.B)" and first.school == plans.school
    assert [e.record for e in first.entries.all()] == [plans.novel]
    services.add_resource(plans.world.teacher_a, entry, plans.film, 1)
    again = services.publish_resources(plans.world.librarian_a, entry)
    assert again.pk == first.pk and ReadingList.objects.count() == 1
    assert [e.record for e in again.entries.all()] == [plans.novel, plans.film]


# --- Collaborations, goals, tasks -------------------------------------------------------------


def test_collaborations_by_staff_or_the_groups_teacher(plans):
    w = plans.world
    course = services.create_collaboration(
        w.librarian_a,
        plans.school,
        kind="course",
        title="Kildekritik",
        subject="Dansk",
        group=plans.class_b,
        teachers=[w.teacher_a],
        starts=dt.date(2027, 10, 12),
        ends=dt.date(2027, 10, 12),
        rooms=[plans.workshop],
    )
    assert course.school_year == "2027/28" and list(course.rooms.all()) == [plans.workshop]
    services.update_collaboration(w.teacher_a, course, evaluation="Gik godt.")
    assert Collaboration.objects.get().evaluation == "Gik godt."
    with pytest.raises(PermissionDenied):
        services.update_collaboration(plans.teacher_5a, course, evaluation="Nej")
    with pytest.raises(PermissionDenied):
        services.create_collaboration(
            plans.teacher_5a,
            plans.school,
            title="Ikke min klasse",
            group=plans.class_b,
            starts=dt.date(2027, 10, 1),
            ends=dt.date(2027, 10, 1),
        )
    with pytest.raises(ValidationError):
        services.create_collaboration(
            w.librarian_a,
            plans.school,
            title="Forkert skole",
            group=plans.group_b_other_school,
            starts=dt.date(2027, 10, 1),
            ends=dt.date(2027, 10, 1),
        )
    with pytest.raises(ValidationError):
        services.update_collaboration(w.librarian_a, course, ends=dt.date(2027, 1, 1))


def test_goals_and_tasks_are_kept_by_the_team(plans):
    w = plans.world
    goal = services.save_goal(w.librarian_a, plans.school, school_year="2027/28", title="Læselyst")
    with pytest.raises(ValidationError):
        services.save_goal(w.librarian_a, plans.school, school_year="2027/28", title="Læselyst")
    with pytest.raises(PermissionDenied):
        services.save_goal(w.teacher_a, plans.school, school_year="2027/28", title="Min")
    task = services.save_task(
        w.librarian_a,
        plans.school,
        school_year="2027/28",
        title="Bogklub",
        responsible=w.librarian_a,
        goals=[goal],
    )
    assert list(goal.tasks.all()) == [task]
    with pytest.raises(ValidationError):  # a teacher is not on the learning-centre team
        services.save_task(
            w.librarian_a, plans.school, school_year="2027/28", title="X", responsible=w.teacher_a
        )
    services.delete_task(w.librarian_a, task)
    services.delete_goal(w.librarian_a, goal)
    assert not TeamTask.objects.exists() and not DevelopmentGoal.objects.exists()
