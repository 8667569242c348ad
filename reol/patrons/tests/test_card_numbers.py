"""Card numbers that do not tell each other: every new number ends in a Luhn check digit, and
a school that prefers it gives random numbers. Before, cards were the school's prefix and the
next number in sequence: one card told every other (NORD000001, NORD000002, …)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from stdnum import luhn

from reol.circulation.actions import loans
from reol.core.permissions import SYSTEM
from reol.core.services import create_person
from reol.patrons import services
from reol.patrons.models import PrivacySettings

pytestmark = pytest.mark.django_db


def _students(patrons, count: int) -> list:  # type: ignore[no-untyped-def]
    made = []
    for n in range(count):
        p = services.create_patron(
            SYSTEM,
            patrons.world.school_a,
            category="student",
            username=f"ny-elev-{n}",
            first_name="Ny",
            last_name=f"Elev {n}",
            password="Correct-Horse-42",
            grade=5,
        )
        services.add_member(SYSTEM, patrons.class_5a, p)
        made.append(p)
    return made


def _digits(card: str) -> str:
    assert card.startswith("NORD")
    return card[len("NORD") :]


def test_a_new_card_ends_in_a_check_digit(patrons):
    _students(patrons, 3)
    given = services.assign_cards(patrons.world.librarian_a, patrons.class_5a)
    cards = [p.user.card_barcode for p in given]
    assert len(cards) == 3 and all(luhn.is_valid(_digits(c)) for c in cards)
    # a neighbour guessed by counting up is not a card: its check digit is wrong
    guessed = str(int(_digits(cards[0])) + 1).zfill(len(_digits(cards[0])))
    assert not luhn.is_valid(guessed)


def test_a_school_that_prefers_it_gives_random_numbers(patrons):
    _students(patrons, 5)
    services.set_privacy_settings(
        patrons.world.admin_a, patrons.world.school_a, random_card_numbers=True
    )
    assert PrivacySettings.objects.get(school=patrons.world.school_a).random_card_numbers
    given = services.assign_cards(patrons.world.librarian_a, patrons.class_5a)
    numbers = sorted(int(_digits(p.user.card_barcode)[:-1]) for p in given)
    assert all(luhn.is_valid(_digits(p.user.card_barcode)) for p in given)
    assert len(_digits(given[0].user.card_barcode)) == services.RANDOM_CARD_DIGITS + 1
    # five random numbers out of a billion: not five neighbours
    assert numbers[-1] - numbers[0] > 5


def test_existing_cards_keep_working_and_the_sequence_goes_on(patrons):
    old = create_person(
        SYSTEM,
        patrons.world.school_a,
        username="gammel",
        role="student",
        first_name="Gammel",
        card_barcode="NORD000041",
    )
    (new,) = _students(patrons, 1)
    (given,) = services.assign_cards(patrons.world.librarian_a, patrons.class_5a)
    assert given.user.card_barcode == "NORD000042" + luhn.calc_check_digit("000042")
    loan = loans.checkout(
        patrons.world.librarian_a, patrons.world.school_a, "NORD000041", "S1"
    ).loan
    assert loan.patron == old
    assert new.user.card_barcode is None or new.pk == given.pk


def test_the_privacy_page_offers_random_numbers(client, patrons):
    client.force_login(patrons.world.admin_a)
    page = client.get(reverse("patrons-privacy"))
    assert "random_card_numbers" in page.content.decode()
