"""In Chromium: a student's data is exported and erased; a teacher signed in sees only their
own classes; the patrons pages pass axe-core and raise no console (CSP) errors."""

from __future__ import annotations

import json

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from conftest import PASSWORD
from reol.circulation.actions import loans as loan_actions
from reol.circulation.models import Loan
from reol.circulation.tests.conftest import TODAY
from reol.core.models import User
from reol.patrons.models import Patron
from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _lend(patrons) -> None:  # type: ignore[no-untyped-def]
    w = patrons.world
    loan_actions.checkout(w.librarian_a, w.school_a, "A0001", "S1", today=TODAY)
    loan_actions.checkout(w.librarian_a, w.school_a, "A0002", "AT1", today=TODAY)


def _menu(page):  # type: ignore[no-untyped-def]
    return page.get_by_role("navigation", name="Modules")


def test_a_students_data_is_exported_and_erased(patrons, page):
    _lend(patrons)
    sign_in(page, "bib-a", PASSWORD)
    _menu(page).get_by_role("link", name="Patrons", exact=True).click()
    page.get_by_label("Search").fill("elev-a1")
    page.get_by_role("button", name="Show").click()
    page.get_by_role("link", name="Elev-A1 Test").click()
    expect(page.get_by_role("heading", name="Elev-A1 Test")).to_be_visible()

    page.get_by_role("link", name="Show all data").click()
    expect(
        page.get_by_role("heading", name="Everything Reol holds about Elev-A1 Test")
    ).to_be_visible()
    expect(page.get_by_role("cell", name="Rejsen til Saturn")).to_be_visible()
    page.go_back()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download all data (JSON)").click()
    data = json.loads(open(download.value.path(), encoding="utf-8").read())  # noqa: SIM115
    assert data["person"]["username"] == "elev-a1" and data["loans"][0]["barcode"] == "S1"

    page.get_by_role("link", name="Erase…").click()
    expect(page.get_by_role("heading", name="1 loan is still out")).to_be_visible()
    page.get_by_role("button", name="Erase for good").click()
    expect(page.get_by_role("alert")).to_contain_text("Have them returned")
    page.get_by_label("Mark the loans still out as lost, then erase").check()
    page.get_by_role("button", name="Erase for good").click()
    expect(
        page.get_by_text("Everything about Elev-A1 Test at this school is erased.")
    ).to_be_visible()
    assert not User.objects.filter(username="elev-a1").exists()
    assert not Patron.objects.filter(pk=patrons.a1.pk).exists()
    assert Loan.objects.get(item__barcode="S1").patron is None


def test_a_teacher_signed_in_sees_only_their_own_classes(patrons, page):
    _lend(patrons)
    sign_in(page, "laerer-a", PASSWORD)
    _menu(page).get_by_role("link", name="My classes").click()
    expect(page.get_by_role("heading", name="5.A 2026/27")).to_be_visible()
    expect(page.get_by_role("cell", name="Rejsen til Saturn")).to_be_visible()
    assert page.get_by_text("Atlas").count() == 0
    assert page.get_by_text("6.A").count() == 0
    assert _menu(page).get_by_role("link", name="Patrons", exact=True).count() == 0
    response = page.goto(f"/staff/patrons/groups/{patrons.class_6a.pk}/")
    assert response is not None and response.status == 403


def test_the_patrons_pages_pass_axe_without_console_errors(patrons, page):
    _lend(patrons)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    sign_in(page, "admin-a", PASSWORD)
    axe = Axe()
    found: dict[str, list[str]] = {}
    paths = [
        "/staff/patrons/",
        "/staff/patrons/new/",
        f"/staff/patrons/{patrons.a1.pk}/",
        f"/staff/patrons/{patrons.a1.pk}/edit/",
        f"/staff/patrons/{patrons.a1.pk}/export/",
        f"/staff/patrons/{patrons.a1.pk}/erase/",
        "/staff/patrons/groups/",
        f"/staff/patrons/groups/{patrons.class_5a.pk}/",
        "/staff/patrons/my-classes/",
        "/staff/patrons/privacy/",
        "/staff/patrons/rollover/",
        "/staff/patrons/rollover/loans/",
        "/me/library/",
    ]
    for path in paths:
        page.goto(path)
        violations = axe.run(page).response["violations"]
        serious = [v["id"] for v in violations if v["impact"] in ("serious", "critical")]
        if serious:
            found[path] = serious
    assert found == {}
    assert problems == []
