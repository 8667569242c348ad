"""Fixes from the new-user trial: ISO values in date inputs whatever the language, library cards
whose barcode scans back (or none), card numbers given to a class, a teacher's classes."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import translation

from reol.core.models import AuditEvent, User
from reol.core.permissions import SYSTEM
from reol.patrons import cards, forms, services
from reol.patrons.models import GroupMember

DAY = dt.date(2026, 10, 5)


@pytest.mark.parametrize("form_class", [forms.PatronForm, forms.PatronEditForm])
def test_date_inputs_hold_iso_dates_in_danish(form_class):
    with translation.override("da"):
        html = str(form_class(initial={"valid_until": DAY})["valid_until"])
    assert 'type="date"' in html and 'value="2026-10-05"' in html


def test_the_edit_page_in_danish_shows_the_valid_until_in_iso(client, patrons):
    services.update_patron(SYSTEM, patrons.a1, valid_until=DAY)
    client.force_login(patrons.world.librarian_a)
    page = client.get(
        reverse("patrons-edit", args=[patrons.a1.pk]), HTTP_ACCEPT_LANGUAGE="da"
    ).content.decode()
    assert 'lang="da"' in page and 'value="2026-10-05"' in page


def test_fold_ascii_and_what_scans():
    assert cards.fold_ascii("jørgen.blåbær") == "joergen.blaabaer"
    assert cards.fold_ascii("Zoë Ærø") == "Zoe Aeroe"
    assert not cards.scannable("jørgen.blåbær") and cards.scannable("NORD000001")
    assert cards.code_for(None, "jørgen.blåbær") is None
    assert cards.code_for(None, "elev-a1") == "elev-a1"
    assert cards.code_for("A0001", "jørgen.blåbær") == "A0001"


@pytest.fixture
def drawn(monkeypatch):
    """The codes of the cards the PDF is drawn with."""
    codes: list[str] = []
    real = cards.render

    def spy(sheet: list[cards.Card], title: str = "") -> bytes:
        codes.extend(c.code for c in sheet)
        return real(sheet, title)

    monkeypatch.setattr(cards, "render", spy)
    return codes


@pytest.fixture
def joergen(patrons):
    """A roster student in 5.A whose username has æøå and who has no card number."""
    p = services.create_patron(
        SYSTEM,
        patrons.world.school_a,
        category="student",
        username="jørgen.blåbær",
        first_name="Jørgen",
        last_name="Blåbær",
        password="Correct-Horse-42",
        grade=5,
    )
    services.add_member(SYSTEM, patrons.class_5a, p)
    return p


def test_a_card_that_would_not_scan_is_not_printed_and_the_page_says_so(
    client, patrons, joergen, drawn
):
    client.force_login(patrons.world.librarian_a)
    response = client.get(reverse("patrons-group-cards", args=[patrons.class_5a.pk]))
    assert response.status_code == 200 and drawn == ["A0001"]
    page = client.get(reverse("patrons-group", args=[patrons.class_5a.pk])).content.decode()
    assert "1 student gets no card in the PDF" in page and "Jørgen Blåbær" in page
    assert "Give a card number to the 1 student without one" in page


def test_giving_cards_makes_unique_ascii_numbers_audited(client, patrons, joergen, drawn):
    User.objects.create_user("someone", card_barcode="nord000007")  # taken, in another case
    client.force_login(patrons.world.librarian_a)
    response = client.post(reverse("patrons-group-assign-cards", args=[patrons.class_5a.pk]))
    assert response.status_code == 302
    joergen.user.refresh_from_db()
    assert joergen.user.card_barcode == "NORD0000083"  # 000008 and its Luhn digit
    assert cards.scannable(joergen.user.card_barcode)
    assert AuditEvent.objects.filter(action="group.cards_assign").count() == 1
    client.get(reverse("patrons-group-cards", args=[patrons.class_5a.pk]))
    assert sorted(drawn) == ["A0001", "NORD0000083"]
    # Nothing left to give; a second press changes nothing.
    assert services.assign_cards(patrons.world.librarian_a, patrons.class_5a) == []


def test_a_teacher_cannot_give_card_numbers_but_is_told_who_gets_no_card(client, patrons, joergen):
    client.force_login(patrons.world.teacher_a)
    page = client.get(reverse("patrons-my-classes")).content.decode()
    assert "1 student gets no card in the PDF" in page and "Jørgen Blåbær" in page
    response = client.post(reverse("patrons-group-assign-cards", args=[patrons.class_5a.pk]))
    assert response.status_code == 403


def test_my_classes_names_the_students_and_links_plan_and_cards(client, patrons):
    client.force_login(patrons.world.teacher_a)
    page = client.get(reverse("patrons-my-classes")).content.decode()
    assert "Elev-A1 Test" in page and "Elev-A2" not in page
    assert reverse("planning-group", args=[patrons.class_5a.pk]) in page
    assert reverse("patrons-group-cards", args=[patrons.class_5a.pk]) in page
    assert reverse("patrons-group-cards", args=[patrons.class_6a.pk]) not in page


def test_a_teacher_downloads_their_own_classes_cards_only(client, patrons):
    client.force_login(patrons.world.teacher_a)
    own = client.get(reverse("patrons-group-cards", args=[patrons.class_5a.pk]))
    assert own.status_code == 200 and own["Content-Type"] == "application/pdf"
    other = client.get(reverse("patrons-group-cards", args=[patrons.class_6a.pk]))
    assert other.status_code == 403
    client.force_login(patrons.world.librarian_b)  # another school's librarian
    assert client.get(reverse("patrons-group-cards", args=[patrons.class_5a.pk])).status_code in (
        403,
        404,
    )
    assert GroupMember.objects.filter(group=patrons.class_6a).exists()


def test_the_own_data_page_shows_labels_yes_no_and_local_dates(client, patrons):
    services.update_patron(SYSTEM, patrons.a1, valid_until=DAY)
    client.force_login(patrons.world.student_a1)
    page = client.get(reverse("patrons-self-export"), HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert 'lang="da"' in page
    assert "<dd>False</dd>" not in page and "<dd>True</dd>" not in page
    assert "<dd>nej</dd>" in page and "<dd>ja</dd>" in page  # keeps history: no; active: yes
    assert "<dd>elev</dd>" in page and ": elev</li>" in page  # category; role at the school
    assert "<dd>student</dd>" not in page and ": student</li>" not in page
    assert "5. okt. 2026" in page and "2026-10-05" not in page
    exported = page.split('class="muted">', 1)[1][:60]
    assert not re.search(r"\d{4}-\d\d-\d\dT", exported)  # no ISO timestamp like 2026-11-30T18:40
    # the JSON keeps the codes and ISO values
    data = client.get(reverse("patrons-self-export-json")).json()
    assert data["patrons"][0]["category"] == "student"
    assert data["patrons"][0]["valid_until"] == "2026-10-05"
