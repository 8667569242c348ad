"""The technology reports in the reports framework: devices per state and model, repairs per
model and cost (to the cent), devices out per class (small classes withheld), licence renewals;
on the page and in the API, and never another school's."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from reol.reports import framework

from .conftest import add_technology

pytestmark = pytest.mark.django_db


def _run(key, school, **extra):  # type: ignore[no-untyped-def]
    report = framework.get(key)
    assert report is not None
    filters = framework.Filters(
        schools=(school,), starts=dt.date(2000, 1, 1), ends=dt.date(2100, 1, 1), **extra
    )
    return framework.result(report, filters)


def test_the_four_reports_count_what_happened(setup):
    w = setup.world
    users = [p.user for p in setup.students]
    add_technology(w.librarian_a, setup.school, setup.group, users)
    states = _run("devices-by-state", w.school_a).rows
    assert [(r.values["label"], r.values["in_service"], r.values["lost"]) for r in states] == [
        ("Acer Chromebook 511", 5, 1)
    ]
    repairs = _run("repairs-by-model", w.school_a).rows
    assert repairs[0].values["orders"] == 1
    assert repairs[0].values["cost"] == Decimal("1234.50")
    out = _run("devices-out-by-class", w.school_a).rows
    assert [(r.values["label"], r.values["devices"], r.suppressed) for r in out] == [
        ("7.A (2026/27)", 5, False)
    ]
    renewals = _run("licence-renewals", w.school_a).rows
    assert [(r.values["label"], r.values["days"]) for r in renewals] == [("Skoletube", 30)]
    for key in ("devices-by-state", "repairs-by-model", "devices-out-by-class", "licence-renewals"):
        assert not _run(key, w.school_b).rows, key


def test_a_class_of_fewer_than_five_is_withheld(setup):
    w = setup.world
    users = [p.user for p in setup.students]
    add_technology(w.librarian_a, setup.school, setup.group, users[:3])
    out = _run("devices-out-by-class", w.school_a).rows
    assert [r.suppressed for r in out] == [True]


def test_pages_and_api_stay_in_the_school(setup, client, token_for):
    w = setup.world
    add_technology(w.librarian_a, setup.school, setup.group, [p.user for p in setup.students])
    client.force_login(w.librarian_a)
    page = client.get("/staff/reports/devices-by-state/")
    assert page.status_code == 200 and "Acer Chromebook 511" in page.content.decode()
    mine = client.get("/api/v1/reports/repairs-by-model", **token_for(w.librarian_a)).json()
    assert mine["items"][0]["values"]["cost"] in ("1234.50", 1234.5, "1234.5")
    other = client.get("/api/v1/reports/devices-by-state", **token_for(w.librarian_b)).json()
    assert other["count"] == 0
    client.force_login(w.librarian_b)
    answer = client.get("/staff/reports/devices-by-state/", {"school": w.school_a.pk})
    assert "Acer Chromebook 511" not in answer.content.decode()
