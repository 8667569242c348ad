"""Collection and use: balance by section (turnover), language, reading level and age band with
copies per student; class-set use; loans by patron category; and tenancy for each."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.utils import timezone

from reol.catalog.models import Record
from reol.catalog.tests.helpers import signed_in
from reol.circulation.models import Loan
from reol.patrons.models import Patron, PatronCategory

from .helpers import class_set, library

pytestmark = pytest.mark.django_db
KEYS = (
    "turnover",
    "balance-language",
    "balance-reading-level",
    "balance-age",
    "class-set-use",
    "loans-by-patron-category",
)


def _rows(client, key, **params):  # type: ignore[no-untyped-def]
    page = client.get(f"/staff/reports/{key}/", params)
    assert page.status_code == 200
    return {r.values["label"]: r for r in page.context["table"].rows}


def _turnover(loans: int, copies: int, starts: dt.date, today: dt.date) -> Decimal:
    days = (today - starts).days + 1
    return (Decimal(loans) * Decimal("365.25") / (copies * days)).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )


def test_turnover_and_copies_per_student_by_section(world):
    lib = library(world)
    before = timezone.localdate()
    rows = _rows(signed_in(world.librarian_a), "turnover")
    after = timezone.localdate()  # the page may have been asked just before midnight
    # 16 fiction loans of 16 fresh copies (5A), 6 of the volcano book (3B), one copy each.
    assert {k: (r.values["copies"], r.values["loans"]) for k, r in rows.items()} == {
        "55": (6, 6),
        "sk": (16, 16),
    }
    students = Patron.objects.filter(
        school=world.school_a, category=PatronCategory.STUDENT, active=True
    ).count()
    assert rows["55"].values["per_student"] == (Decimal(6) / students).quantize(Decimal("0.1"))
    assert rows["55"].values["share"] == Decimal("27.3")
    assert rows["sk"].values["turnover"] in {
        _turnover(16, 16, lib.starts, day) for day in (before, after)
    }


def test_balance_by_reading_level_and_age_band(world):
    lib = library(world)
    assert lib.facts is not None
    Record.objects.filter(pk=lib.facts.pk).update(reading_level=22, age_min=9, age_max=12)
    client = signed_in(world.librarian_a)
    levels = _rows(client, "balance-reading-level")
    assert {k: r.values["copies"] for k, r in levels.items()} == {
        "LIX 15–24: Easy to read": 6,
        "no LIX given": 16,
    }
    ages = _rows(client, "balance-age")
    assert {k: r.values["copies"] for k, r in ages.items()} == {
        "age 9–11": 6,
        "no age given": 16,
    }
    assert ages["age 9–11"].values["loans"] == 6
    languages = _rows(client, "balance-language")
    assert sum(r.values["copies"] for r in languages.values()) == 22


def test_class_set_use_per_class(world):
    lib = library(world)
    class_set(lib)
    rows = _rows(signed_in(world.librarian_a), "class-set-use")
    assert {
        k: (r.values["sets"], r.values["titles"], r.values["copies"]) for k, r in rows.items()
    } == {"5A": (1, 1, 5)}


def test_loans_by_patron_category_withholds_small_groups(world):
    lib = library(world)
    class_set(lib)
    rows = _rows(signed_in(world.librarian_a), "loans-by-patron-category")
    assert {
        k: (r.values["loans"], r.values["borrowers"], r.suppressed) for k, r in rows.items()
    } == {
        "student": (22, 22, False),
        "teacher": (5, 5, False),
    }
    Loan.objects.filter(patron__patrons__category="teacher").exclude(
        patron__username="tnord0"
    ).delete()
    rows = _rows(signed_in(world.librarian_a), "loans-by-patron-category")
    # One teacher's loan is withheld, and the students' row with it (or 23 − 22 gives it back).
    assert {k: r.suppressed for k, r in rows.items()} == {"student": True, "teacher": True}


def test_no_report_of_use_crosses_schools(world):
    lib = library(world)
    class_set(lib)
    client = signed_in(world.librarian_b)
    for key in KEYS:
        assert _rows(client, key) == {}, key  # school B has no copies and no loans
        crossing = client.get(f"/staff/reports/{key}/", {"school": world.school_a.pk})
        assert "table" not in crossing.context and crossing.context["form"].errors["school"]
