"""The programme self-evaluation: a template copied in the school's language, criteria filled
in with reports as evidence, last year's beside this year's, in the annual report; another
school's librarian and the consultant cannot change it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reol.catalog.tests.helpers import signed_in
from reol.core import calendar
from reol.core.permissions import SYSTEM
from reol.reports import evaluation
from reol.reports.models import Evaluation

pytestmark = pytest.mark.django_db


def test_a_year_beside_the_year_before(world):
    school = world.school_a  # Danish by default
    this_year = calendar.current_school_year(school)
    last_year = calendar.year_name_starting(calendar.start_year(this_year) - 1)
    old = evaluation.start_evaluation(world.librarian_a, school, last_year, "plc")
    first = old.criteria.first()
    assert first.heading == "Støtter elevernes læring"
    evaluation.save_criterion(
        world.librarian_a, first, level=2, comment="Godt på vej", evidence=[], goals="Mere"
    )
    client = signed_in(world.librarian_a)
    client.post(
        f"/staff/reports/evaluation/?year={this_year}", {"action": "start", "template": "last"}
    )
    new = Evaluation.objects.get(school=school, school_year=this_year)
    assert [c.heading for c in new.criteria.all()] == [c.heading for c in old.criteria.all()]
    assert all(c.level is None for c in new.criteria.all())
    criterion = new.criteria.first()
    client.post(
        f"/staff/reports/evaluation/?year={this_year}",
        {
            "action": "save",
            "criterion": criterion.pk,
            "level": "3",
            "comment": "Bedre",
            "evidence": ["loans-by-grade", "collection-age"],
            "goals": "Læsekampagne",
        },
    )
    criterion.refresh_from_db()
    assert (criterion.level, criterion.evidence) == (3, ["loans-by-grade", "collection-age"])
    page = client.get(f"/staff/reports/evaluation/?year={this_year}")
    current, before = page.context["rows"][0]
    assert (current.level, before.level, before.comment) == (3, 2, "Godt på vej")
    with pytest.raises(ValidationError):
        evaluation.start_evaluation(world.librarian_a, school, this_year, "aasl")
    pdf = client.get("/staff/reports/annual-report.pdf")
    assert pdf.content.startswith(b"%PDF")


def test_only_the_schools_own_staff_may_evaluate(world):
    year = calendar.current_school_year(world.school_a)
    with pytest.raises(PermissionDenied):
        evaluation.start_evaluation(world.librarian_b, world.school_a, year, "aasl")
    with pytest.raises(PermissionDenied):
        evaluation.start_evaluation(world.consultant, world.school_a, year, "aasl")
    made = evaluation.start_evaluation(SYSTEM, world.school_a, year, "aasl")
    with pytest.raises(PermissionDenied):
        evaluation.save_criterion(
            world.librarian_b, made.criteria.first(), level=4, comment="", evidence=[], goals=""
        )
    with pytest.raises(ValidationError):
        evaluation.save_criterion(
            SYSTEM, made.criteria.first(), level=1, comment="", evidence=["nope"], goals=""
        )
