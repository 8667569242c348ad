"""The staff pages, a teacher's classes and the student's own page: who sees what."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reol.circulation.actions import loans as loan_actions
from reol.circulation.tests.conftest import TODAY
from reol.core.models import AuditEvent
from reol.patrons.models import Block, GroupMember, Patron


@pytest.fixture
def lent(patrons):
    """Student a1 (5.A) has S1, student a2 (6.A) has AT1."""
    w = patrons.world
    loan_actions.checkout(w.librarian_a, w.school_a, "A0001", "S1", today=TODAY)
    loan_actions.checkout(w.librarian_a, w.school_a, "A0002", "AT1", today=TODAY)
    return patrons


def test_the_list_searches_and_filters_by_group_and_category(
    client, patrons, django_assert_max_num_queries
):
    client.force_login(patrons.world.librarian_a)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("patrons-list")).content.decode()
    assert "Elev-A1" in page and "Elev-A2" in page and "Elev-B1" not in page
    page = client.get(reverse("patrons-list"), {"group": patrons.class_6a.pk}).content.decode()
    assert "Elev-A2" in page and "Elev-A1" not in page
    page = client.get(reverse("patrons-list"), {"category": "teacher"}).content.decode()
    assert "Laerer-A" in page and "Elev-A1" not in page
    page = client.get(reverse("patrons-list"), {"q": "elev-a2"}).content.decode()
    assert "Elev-A2" in page and "Elev-A1" not in page


def test_another_schools_patron_is_not_found_and_teachers_see_no_patron_pages(client, patrons):
    client.force_login(patrons.world.librarian_b)
    assert client.get(reverse("patrons-detail", args=[patrons.a1.pk])).status_code == 404
    assert client.get(reverse("patrons-group", args=[patrons.class_5a.pk])).status_code == 404
    client.force_login(patrons.world.teacher_a)
    assert client.get(reverse("patrons-list")).status_code == 403
    assert client.get(reverse("patrons-detail", args=[patrons.a1.pk])).status_code == 403
    client.force_login(patrons.world.student_a1)
    assert client.get(reverse("patrons-list")).status_code == 403


def test_every_view_of_a_record_is_audited(client, lent):
    w = lent.world
    client.force_login(w.librarian_a)
    page = client.get(reverse("patrons-detail", args=[lent.a1.pk])).content.decode()
    assert "Rejsen til Saturn" in page and "5.A" in page
    client.get(reverse("patrons-detail", args=[lent.a1.pk]))
    views = AuditEvent.objects.filter(action="person.view", object_id=str(w.student_a1.pk))
    assert views.count() == 2 and views.first().actor == w.librarian_a


def test_blocks_are_added_and_lifted_on_the_page(client, patrons):
    client.force_login(patrons.world.librarian_a)
    url = reverse("patrons-block-add", args=[patrons.a1.pk])
    assert client.post(url, {"reason": "overdue", "note": "3 bøger"}).status_code == 302
    block = Block.objects.get()
    page = client.get(reverse("patrons-detail", args=[patrons.a1.pk])).content.decode()
    assert "3 bøger" in page and "Lift the block" in page
    client.post(reverse("patrons-block-lift", args=[block.pk]))
    block.refresh_from_db()
    assert block.lifted_at is not None
    client.force_login(patrons.world.librarian_b)
    assert client.post(url, {"reason": "overdue"}).status_code == 404


def test_a_patron_is_added_and_edited_on_the_pages(client, patrons):
    client.force_login(patrons.world.librarian_a)
    response = client.post(
        reverse("patrons-add"),
        {"category": "student", "username": "elev-ny", "first_name": "Ny", "grade": "4"},
    )
    assert response.status_code == 302
    detail = client.get(response["Location"]).content.decode()
    assert "elev-ny" in detail
    pk = int(response["Location"].rstrip("/").rsplit("/", 1)[1])
    response = client.post(
        reverse("patrons-edit", args=[pk]),
        {
            "first_name": "Ny",
            "last_name": "Navn",
            "category": "student",
            "grade": "5",
            "guardian_language": "nb",
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert "Ny Navn" in client.get(reverse("patrons-detail", args=[pk])).content.decode()
    assert Patron.objects.get(pk=pk).guardian_language == "nb"  # the guardians' own language


def test_a_group_page_shows_members_teachers_and_loans_out(client, lent):
    client.force_login(lent.world.librarian_a)
    page = client.get(reverse("patrons-group", args=[lent.class_5a.pk])).content.decode()
    assert "Elev-A1" in page and "Laerer-A" in page and "Rejsen til Saturn" in page
    assert "Atlas" not in page  # 6.A's loan
    response = client.post(
        reverse("patrons-group", args=[lent.class_5a.pk]), {"person": "A0002", "role": "student"}
    )
    assert response.status_code == 302
    assert GroupMember.objects.filter(group=lent.class_5a, patron=lent.a2).exists()
    response = client.post(
        reverse("patrons-group", args=[lent.class_5a.pk]), {"person": "B0001", "role": "student"}
    )
    assert b"No patron at this school" in response.content


def test_a_teacher_sees_the_loans_of_their_own_classes_only(client, lent):
    client.force_login(lent.world.teacher_a)
    page = client.get(reverse("patrons-my-classes")).content.decode()
    assert "5.A" in page and "Rejsen til Saturn" in page
    assert "6.A" not in page and "Atlas" not in page and "Elev-A2" not in page
    # Crossing: another class's page, cards and the patron pages are closed to a teacher.
    assert client.get(reverse("patrons-group", args=[lent.class_6a.pk])).status_code == 403
    assert client.get(reverse("patrons-group-cards", args=[lent.class_6a.pk])).status_code == 403
    client.force_login(lent.teacher2.user)
    page = client.get(reverse("patrons-my-classes")).content.decode()
    assert "Atlas" in page and "Rejsen til Saturn" not in page


def test_a_student_sees_only_their_own_record_and_loans(client, lent):
    client.force_login(lent.world.student_a1)
    page = client.get(reverse("patrons-self")).content.decode()
    assert "5.A" in page and "Elev-A2" not in page
    opac = client.get(reverse("opac-me")).content.decode()
    assert "Rejsen til Saturn" in opac and "Atlas" not in opac
    assert client.get(reverse("patrons-my-classes")).status_code == 403
    data = client.get(reverse("patrons-self-export-json")).json()
    assert data["person"]["username"] == "elev-a1"
    assert [loan["title"] for loan in data["loans"]] == ["Rejsen til Saturn"]


def test_class_cards_are_a_pdf_with_every_student(client, patrons, monkeypatch):
    from reol.patrons import cards

    drawn: list[cards.Card] = []
    real = cards.render

    def spy(sheet: list[cards.Card], title: str = "") -> bytes:
        drawn.extend(sheet)
        return real(sheet, title)

    monkeypatch.setattr(cards, "render", spy)
    client.force_login(patrons.world.librarian_a)
    response = client.get(reverse("patrons-group-cards", args=[patrons.class_5a.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert drawn == [cards.Card("Elev-A1 Test", "5.A · 2026/27", "Nordskolen", "A0001")]


def test_the_group_list_adds_groups(client, patrons):
    client.force_login(patrons.world.librarian_a)
    page = client.get(reverse("patrons-groups")).content.decode()
    assert "5.A" in page and "6.A" in page
    response = client.post(
        reverse("patrons-groups"),
        {"name": "7.B", "school_year": "2026/27", "grade": "7", "kind": "class"},
    )
    assert response.status_code == 302
    client.force_login(patrons.world.teacher_a)
    assert client.post(reverse("patrons-groups"), {"name": "8.B"}).status_code == 403


def test_hot_pages_cost_a_bounded_number_of_queries(client, lent, django_assert_max_num_queries):
    from reol.core.permissions import SYSTEM
    from reol.patrons import services

    w = lent.world
    for n in range(8):  # more students and loans must not mean more queries
        extra = services.create_patron(
            SYSTEM, w.school_a, category="student", username=f"ekstra-{n}", first_name="E", grade=5
        )
        services.add_member(SYSTEM, lent.class_5a, extra)
    client.force_login(w.librarian_a)
    for url in (
        reverse("patrons-list"),
        reverse("patrons-detail", args=[lent.a1.pk]),
        reverse("patrons-group", args=[lent.class_5a.pk]),
        reverse("patrons-groups"),
    ):
        with django_assert_max_num_queries(25):
            assert client.get(url).status_code == 200
    client.force_login(w.teacher_a)
    with django_assert_max_num_queries(25):
        assert client.get(reverse("patrons-my-classes")).status_code == 200
    assert AuditEvent.objects.filter(action="group.view_loans", actor=w.teacher_a).count() == 1
