"""The demo's class set and loans (some overdue): loaded once, and a second run adds nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from reol.catalog.demo import CLASS_SET, CLASS_SET_COPIES, load_demo_catalogue
from reol.catalog.models import Item, Record
from reol.circulation.demo import load_demo_loans
from reol.circulation.models import Loan
from reol.core import demo
from reol.core.models import School
from reol.patrons.demo import load_demo_patrons


@pytest.mark.django_db
def test_the_demo_has_a_class_set_and_overdue_loans_and_loading_twice_adds_nothing(monkeypatch):
    monkeypatch.setattr(
        demo, "_EXTENSIONS", [load_demo_catalogue, load_demo_patrons, load_demo_loans]
    )
    demo.load_demo()
    record = Record.objects.get(title=CLASS_SET["title"])
    for school in School.objects.all():
        assert Item.objects.filter(record=record, school=school).count() == CLASS_SET_COPIES
    today = timezone.localdate()
    loans = Loan.objects.filter(returned_at=None)
    assert loans.filter(school__code="nordskolen").count() >= 4
    overdue = loans.filter(due_date__lt=today)
    assert 3 <= overdue.filter(school__code="nordskolen").count() <= 4
    assert loans.filter(due_date__gte=today).exists()
    assert not loans.filter(item__record=record).exists()  # the class set stays whole
    counts = (Record.objects.count(), Item.objects.count(), Loan.objects.count())
    demo.load_demo()
    assert (Record.objects.count(), Item.objects.count(), Loan.objects.count()) == counts


def test_the_loans_loader_is_registered_after_the_patrons():
    from reol.core.demo import _EXTENSIONS

    assert _EXTENSIONS.index(load_demo_patrons) < _EXTENSIONS.index(load_demo_loans)
