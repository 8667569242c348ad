"""The year-end rollover, step by step: plan, leavers' loans, deactivate, promote, erase."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from reol.circulation.actions import loans as loan_actions
from reol.circulation.tests.conftest import TODAY
from reol.core.models import AuditEvent, User
from reol.patrons import rollover, services
from reol.patrons.models import Group, Patron

JUNE = dt.date(2027, 6, 20)


def test_the_plan_moves_groups_up_and_lets_the_top_grade_leave(patrons):
    plan = rollover.plan(patrons.world.school_a, today=JUNE)
    assert (plan.school_year, plan.next_year) == ("2026/27", "2027/28")
    steps = {s.group.name: s for s in plan.steps}
    assert steps["6.A"].leaves and not steps["5.A"].leaves
    assert steps["5.A"].becomes == "6.A"
    chosen = rollover.plan(patrons.world.school_a, leaving=[patrons.class_5a.pk], today=JUNE)
    assert [g.name for g in chosen.leaving] == ["5.A"]


def test_names_follow_the_grade_only_when_they_start_with_it(patrons):
    g = Group(name="5.B", grade=5)
    assert rollover.next_name(g) == "6.B"
    assert rollover.next_name(Group(name="Ravnene", grade=5)) == "Ravnene"
    assert rollover.next_name(Group(name="10X", grade=10)) == "11X"


def test_leavers_loans_are_listed_per_class_before_anything_changes(patrons):
    w = patrons.world
    loan_actions.checkout(w.librarian_a, w.school_a, "A0002", "S1", today=TODAY)
    loan_actions.checkout(w.librarian_a, w.school_a, "A0001", "S2", today=TODAY)
    plan = rollover.plan(w.school_a, today=JUNE)
    listed = rollover.leavers_loans(plan.leaving)
    assert [(g.name, [loan.item.barcode for loan in loans]) for g, loans in listed] == [
        ("6.A", ["S1"])
    ]
    assert Patron.objects.filter(active=True).count() == 5  # nothing changed


def test_deactivating_leavers_keeps_them_and_their_loans(patrons):
    w = patrons.world
    loan_actions.checkout(w.librarian_a, w.school_a, "A0002", "S1", today=TODAY)
    count = rollover.deactivate_leavers(w.librarian_a, w.school_a, [patrons.class_6a], today=JUNE)
    assert count == 1
    patrons.a2.refresh_from_db()
    assert not patrons.a2.active and patrons.a2.left_on == JUNE
    assert not Group.objects.get(pk=patrons.class_6a.pk).active
    assert Patron.objects.get(pk=patrons.a1.pk).active
    assert patrons.teacher2.user.is_active  # teachers do not leave with the class
    with pytest.raises(PermissionDenied):
        rollover.deactivate_leavers(w.librarian_b, w.school_a, [patrons.class_5a])


def test_promotion_moves_classes_and_grades_once(patrons):
    w = patrons.world
    rollover.deactivate_leavers(w.librarian_a, w.school_a, [patrons.class_6a], today=JUNE)
    done = rollover.promote_groups(
        w.librarian_a, w.school_a, from_year="2026/27", to_year="2027/28"
    )
    assert done.moved == [("5.A", "6.A")]
    moved = Group.objects.get(pk=patrons.class_5a.pk)
    assert (moved.name, moved.grade, moved.school_year) == ("6.A", 6, "2027/28")
    assert Patron.objects.get(pk=patrons.a1.pk).grade == 6
    assert Group.objects.get(pk=patrons.class_5a_b.pk).school_year == "2026/27"  # school B
    again = rollover.promote_groups(
        w.librarian_a, w.school_a, from_year="2026/27", to_year="2027/28"
    )
    assert again.moved == [] and Patron.objects.get(pk=patrons.a1.pk).grade == 6
    assert AuditEvent.objects.filter(action="rollover.promote").count() == 2


def test_promotion_skips_a_name_taken_in_the_new_year(patrons):
    w = patrons.world
    services.create_group(w.librarian_a, w.school_a, name="6.A", school_year="2027/28", grade=6)
    rollover.deactivate_leavers(w.librarian_a, w.school_a, [patrons.class_6a], today=JUNE)
    done = rollover.promote_groups(
        w.librarian_a, w.school_a, from_year="2026/27", to_year="2027/28"
    )
    assert done.moved == [] and done.skipped[0][0] == "5.A"


def test_leavers_are_erased_after_the_retention_period_unless_loans_are_out(patrons):
    w = patrons.world
    services.set_privacy_settings(w.librarian_a, w.school_a, leaver_retention_days=30)
    loan_actions.checkout(w.librarian_a, w.school_a, "A0002", "S1", today=TODAY)
    rollover.deactivate_leavers(w.librarian_a, w.school_a, [patrons.class_6a], today=JUNE)
    early = rollover.erase_leavers(w.librarian_a, w.school_a, today=JUNE + dt.timedelta(days=10))
    assert early.erased == 0 and early.kept_for_loans == []
    late = JUNE + dt.timedelta(days=31)
    waiting = rollover.erase_leavers(w.librarian_a, w.school_a, today=late)
    assert waiting.erased == 0 and waiting.kept_for_loans == ["Elev-A2 Test"]
    done = rollover.erase_leavers(w.librarian_a, w.school_a, mark_lost=True, today=late)
    assert (done.erased, done.loans_marked_lost) == (1, 1)
    assert not User.objects.filter(username="elev-a2").exists()
    assert User.objects.filter(username="elev-a1").exists()


def test_the_guided_page_walks_through_the_steps(client, patrons):
    w = patrons.world
    loan_actions.checkout(w.librarian_a, w.school_a, "A0002", "S1", today=TODAY)
    client.force_login(w.librarian_a)
    page = client.get(reverse("patrons-rollover")).content.decode()
    assert "5.A" in page and "6.A" in page and "2027/28" in page
    loans = client.get(reverse("patrons-rollover-loans")).content.decode()
    assert "Rejsen til Saturn" in loans and "Elev-A2" in loans and "data-print" in loans
    client.post(
        reverse("patrons-rollover"),
        {"action": "deactivate", "chosen": "1", "leaving": [str(patrons.class_6a.pk)]},
    )
    assert not Patron.objects.get(pk=patrons.a2.pk).active
    client.post(reverse("patrons-rollover"), {"action": "promote", "to_year": "2027/28"})
    assert Group.objects.get(pk=patrons.class_5a.pk).name == "6.A"
    client.force_login(w.teacher_a)
    assert client.get(reverse("patrons-rollover")).status_code == 403


def test_the_page_will_not_promote_leavers_still_active(client, patrons):
    w = patrons.world
    client.force_login(w.librarian_a)
    response = client.post(
        reverse("patrons-rollover"), {"action": "promote", "to_year": "2027/28"}, follow=True
    )
    assert "Deactivate the leavers first" in response.content.decode()
    assert Group.objects.get(pk=patrons.class_6a.pk).school_year == "2026/27"
    rollover.deactivate_leavers(w.librarian_a, w.school_a, [patrons.class_6a], today=JUNE)
    # With the leavers gone, 5.A is not taken for the top grade: it moves up.
    assert rollover.plan(w.school_a, today=JUNE).leaving == []
    client.post(reverse("patrons-rollover"), {"action": "promote", "to_year": "2027/28"})
    assert Group.objects.get(pk=patrons.class_5a.pk).name == "6.A"
