"""Patrons, blocks and groups through the services; the selectors circulation asks; the desk's
refusal of blocked, expired and departed patrons."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from reol.circulation import selectors as circulation_selectors
from reol.circulation.actions import loans
from reol.circulation.errors import CirculationError
from reol.circulation.models import Loan, LoanStatistic
from reol.circulation.tests.conftest import TODAY
from reol.core import services as core
from reol.core.models import AuditEvent, Membership, User
from reol.core.permissions import SYSTEM
from reol.patrons import selectors, services
from reol.patrons.models import Block, GroupMember, Patron


def test_a_new_student_is_a_person_with_a_role_and_a_patron(patrons):
    w = patrons.world
    patron = services.create_patron(
        w.librarian_a,
        w.school_a,
        category="student",
        username="elev-ny",
        first_name="Ny",
        last_name="Elev",
        card_barcode="A0099",
        pin="9876",
        grade=3,
        guardian_emails="mor@example.org\nfar@example.org, mor@example.org",
        preferred_language="nb",
    )
    assert patron.user.username == "elev-ny" and patron.grade == 3
    assert patron.guardians == ["mor@example.org", "far@example.org"]
    assert Membership.objects.filter(user=patron.user, school=w.school_a, role="student").exists()
    assert AuditEvent.objects.filter(action="patron.create", object_id=str(patron.pk)).exists()


def test_every_problem_is_reported_at_once(patrons):
    w = patrons.world
    with pytest.raises(ValidationError) as caught:
        services.create_patron(
            w.librarian_a,
            w.school_a,
            category="teacher",
            username="x",
            first_name="X",
            grade=20,
            guardian_emails="not-an-address",
            preferred_language="xx",
        )
    fields = caught.value.message_dict
    assert {"grade", "guardian_emails", "preferred_language"} <= set(fields)
    assert not User.objects.filter(username="x").exists()


def test_only_staff_who_manage_people_at_the_school_add_patrons(patrons):
    w = patrons.world
    for outsider in (w.librarian_b, w.teacher_a, w.volunteer_a, w.consultant, w.student_a1):
        with pytest.raises(PermissionDenied):
            services.create_patron(
                outsider, w.school_a, category="student", username="nope", first_name="N"
            )


def test_staff_and_external_patrons_must_exist_first(patrons):
    w = patrons.world
    with pytest.raises(ValidationError):
        services.create_patron(w.librarian_a, w.school_a, category="external", username="ext")
    patron = services.create_patron(w.librarian_a, w.school_a, category="staff", user=w.volunteer_a)
    assert patron.category == "staff"
    with pytest.raises(ValidationError):
        services.create_patron(w.librarian_a, w.school_a, category="staff", user=w.volunteer_a)


def test_update_changes_profile_and_person_and_audits_without_the_notes(patrons):
    w = patrons.world
    services.update_patron(
        w.librarian_a, patrons.a1, card_barcode="A1000", grade=6, notes="Ordblind; læser lydbøger"
    )
    patrons.a1.refresh_from_db()
    patrons.a1.user.refresh_from_db()
    assert patrons.a1.grade == 6 and patrons.a1.user.card_barcode == "A1000"
    event = AuditEvent.objects.get(action="patron.update")
    assert event.details["changes"]["notes"] == ["…", "…"]
    assert "Ordblind" not in str(event.details)
    with pytest.raises(ValidationError) as caught:
        services.update_patron(w.librarian_a, patrons.a2, card_barcode="a1000")
    assert "card_barcode" in caught.value.message_dict
    with pytest.raises(PermissionDenied):
        services.update_patron(w.librarian_b, patrons.a1, grade=7)


def test_deactivating_sets_the_leaving_day(patrons):
    w = patrons.world
    services.update_patron(w.librarian_a, patrons.a1, active=False)
    patrons.a1.refresh_from_db()
    assert patrons.a1.left_on is not None
    services.update_patron(w.librarian_a, patrons.a1, active=True)
    patrons.a1.refresh_from_db()
    assert patrons.a1.left_on is None


def test_blocks_are_added_and_lifted_once_and_audited(patrons):
    w = patrons.world
    block = services.add_block(w.librarian_a, patrons.a1, reason="lost", note="Harry Potter 3")
    assert list(selectors.open_blocks(w.student_a1, w.school_a)) == [block]
    services.lift_block(w.librarian_a, block)
    assert not selectors.open_blocks(w.student_a1, w.school_a).exists()
    with pytest.raises(ValidationError):
        services.lift_block(w.librarian_a, block)
    with pytest.raises(ValidationError):
        services.add_block(w.librarian_a, patrons.a1, reason="because")
    with pytest.raises(PermissionDenied):
        services.add_block(w.librarian_b, patrons.a1, reason="other")
    actions = list(
        AuditEvent.objects.filter(action__startswith="patron.").values_list("action", flat=True)
    )
    assert "patron.block" in actions and "patron.unblock" in actions


def test_group_members_are_added_once_and_only_from_the_groups_school(patrons):
    w = patrons.world
    again = services.add_member(w.librarian_a, patrons.class_5a, patrons.a1)
    assert GroupMember.objects.filter(group=patrons.class_5a, patron=patrons.a1).count() == 1
    assert again.role == "student"
    with pytest.raises(ValidationError):
        services.add_member(w.librarian_a, patrons.class_5a, patrons.b1)
    with pytest.raises(PermissionDenied):
        services.add_member(w.librarian_b, patrons.class_5a, patrons.a2)
    assert services.remove_member(w.librarian_a, patrons.class_5a, patrons.a1)
    assert not services.remove_member(w.librarian_a, patrons.class_5a, patrons.a1)
    assert AuditEvent.objects.filter(action="group.member_remove").count() == 1


def test_group_names_are_unique_per_school_and_year(patrons):
    w = patrons.world
    with pytest.raises(ValidationError):
        services.create_group(w.librarian_a, w.school_a, name="5.A", school_year="2026/27")
    other_year = services.create_group(w.librarian_a, w.school_a, name="5.A", school_year="2027/28")
    assert other_year.pk
    with pytest.raises(ValidationError):
        services.update_group(w.librarian_a, other_year, school_year="2026/27")


def test_selectors_answer_for_circulation(patrons):
    w = patrons.world
    a, today = w.school_a, dt.date(2026, 11, 24)
    assert selectors.grade_of(w.student_a1, a) == 5
    assert selectors.grade_of(w.student_a1, w.school_b) is None  # no patron there
    assert circulation_selectors.patron_grade(w.student_a2, a) == 6
    assert list(selectors.groups_taught_by(w.teacher_a, a)) == [patrons.class_5a]
    assert not selectors.groups_taught_by(w.teacher_a, w.school_b).exists()
    services.update_patron(
        w.librarian_a,
        patrons.a1,
        guardian_emails="mor@example.org",
        preferred_language="nb",
        valid_until=dt.date(2026, 11, 23),
    )
    assert selectors.guardian_emails(w.student_a1, a) == ["mor@example.org"]
    assert selectors.preferred_language(w.student_a1, a) == "nb"
    assert selectors.preferred_language(w.student_a2, a) == a.default_language
    assert selectors.is_expired(w.student_a1, a, today)
    assert not selectors.is_expired(w.student_a1, a, dt.date(2026, 11, 23))
    assert not selectors.is_expired(w.admin_a, a, today)  # no patron record: never expires


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"block": "overdue"}, "blocked"),
        ({"valid_until": dt.date(2020, 1, 1)}, "expired"),
        ({"active": False}, "no longer a patron"),
    ],
)
def test_the_desk_refuses_blocked_expired_and_departed_patrons(patrons, change, words):
    w = patrons.world
    if "block" in change:
        services.add_block(w.librarian_a, patrons.a1, reason=change["block"], note="3 bøger")
    else:
        services.update_patron(w.librarian_a, patrons.a1, **change)
    with pytest.raises(CirculationError) as caught:
        loans.checkout(w.librarian_a, w.school_a, "A0001", "S1", today=TODAY)
    assert caught.value.code == "patron_blocked"
    assert words in caught.value.message and "Elev-A1" in caught.value.message
    assert not Loan.objects.exists()
    # A patron without blocks still borrows.
    loans.checkout(w.librarian_a, w.school_a, "A0002", "S1", today=TODAY)


def test_a_lifted_block_lends_again(patrons):
    w = patrons.world
    block = services.add_block(w.librarian_a, patrons.a1, reason="conduct")
    with pytest.raises(CirculationError):
        loans.checkout(w.librarian_a, w.school_a, "A0001", "S1", today=TODAY)
    services.lift_block(w.librarian_a, block)
    assert loans.checkout(w.librarian_a, w.school_a, "A0001", "S1", today=TODAY).loan.pk


def test_a_returned_loan_forgets_the_student_but_keeps_grade_and_group(patrons):
    w = patrons.world
    loans.checkout(w.librarian_a, w.school_a, "A0001", "S1", today=TODAY)
    loans.checkin(w.librarian_a, w.school_a, "S1", today=TODAY)
    loan = Loan.objects.get()
    assert loan.patron is None
    stat = LoanStatistic.objects.get(loan=loan)
    assert (stat.grade, stat.group_name, stat.school_year) == (5, "5.A", "2026/27")


def test_a_statistic_kept_before_the_return_is_brought_up_to_date_not_doubled(patrons):
    w = patrons.world
    loan = loans.checkout(w.librarian_a, w.school_a, "A0001", "S1", today=TODAY).loan
    LoanStatistic.objects.create(loan=loan, school=w.school_a, grade=1, group_name="gammel")
    loans.checkin(w.librarian_a, w.school_a, "S1", today=TODAY)
    stat = LoanStatistic.objects.get(loan=loan)
    assert (stat.grade, stat.group_name, stat.school_year) == (5, "5.A", "2026/27")


def test_history_is_kept_only_when_school_and_student_agree(patrons):
    w = patrons.world
    core.update_school(w.admin_a, w.school_a, keep_loan_history=True)
    loans.checkout(w.librarian_a, w.school_a, "A0001", "S1", today=TODAY)
    loans.checkin(w.librarian_a, w.school_a, "S1", today=TODAY)
    assert Loan.objects.get(item__barcode="S1").patron is None  # the school alone is not enough
    # a fifth grader's yes is their guardian's, recorded by staff (an older pupil's is their own)
    services.set_loan_history_consent(w.librarian_a, patrons.a1, True)
    loans.checkout(w.librarian_a, w.school_a, "A0001", "S2", today=TODAY)
    loans.checkin(w.librarian_a, w.school_a, "S2", today=TODAY)
    assert Loan.objects.get(item__barcode="S2").patron == w.student_a1
    # Saying no later forgets what was kept, at once.
    services.set_loan_history_consent(w.student_a1, patrons.a1, False)
    assert Loan.objects.get(item__barcode="S2").patron is None
    assert AuditEvent.objects.filter(action="patron.consent").count() == 2


def test_a_young_pupil_needs_a_guardians_yes_and_may_always_say_no(patrons, client):
    w = patrons.world
    core.update_school(w.admin_a, w.school_a, keep_loan_history=True)
    with pytest.raises(ValidationError, match="grown-up"):
        services.set_loan_history_consent(w.student_a1, patrons.a1, True)  # grade 5: about 11
    client.force_login(w.student_a1)
    page = client.get(reverse("patrons-self")).content.decode()
    assert "Remember what I borrow" not in page and "Ask a grown-up at home" in page
    client.post(reverse("patrons-self"), {"patron": patrons.a1.pk, "keep": "yes"})
    assert not Patron.objects.get(pk=patrons.a1.pk).keeps_loan_history
    services.set_loan_history_consent(w.librarian_a, patrons.a1, True)  # the guardian's yes
    services.set_loan_history_consent(w.student_a1, patrons.a1, False)  # no is the child's own
    older = services.update_patron(SYSTEM, patrons.a1, grade=8)  # about 14: their own yes
    services.set_loan_history_consent(w.student_a1, older, True)
    assert Patron.objects.get(pk=patrons.a1.pk).keeps_loan_history


def test_only_the_student_or_staff_change_the_consent(patrons):
    w = patrons.world
    with pytest.raises(PermissionDenied):
        services.set_loan_history_consent(w.student_a2, patrons.a1, True)
    services.set_loan_history_consent(w.librarian_a, patrons.a1, True)  # for a guardian
    assert Patron.objects.get(pk=patrons.a1.pk).keeps_loan_history


def test_privacy_settings_need_school_management(patrons):
    w = patrons.world
    with pytest.raises(PermissionDenied):
        services.set_privacy_settings(w.teacher_a, w.school_a, anonymise_after_days=3)
    with pytest.raises(ValidationError):
        services.set_privacy_settings(w.librarian_a, w.school_a, anonymise_after_days=9999)
    found = services.set_privacy_settings(
        w.librarian_a, w.school_a, anonymise_after_days=14, leaver_retention_days=30
    )
    assert selectors.privacy_of(w.school_a).pk == found.pk
    assert selectors.privacy_of(w.school_b).anonymise_after_days == 0


def test_block_table_keeps_lift_after_make(patrons):
    w = patrons.world
    block = services.add_block(SYSTEM, patrons.a1, reason="other")
    assert Block.objects.get(pk=block.pk).lifted_at is None
    services.lift_block(w.admin_a, block)
    block.refresh_from_db()
    assert block.lifted_at >= block.created_at
