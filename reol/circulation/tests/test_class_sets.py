"""Class sets: a teacher borrows copies of one title for a class in one action (scanned, or
picked by the system), each its own loan marked with the class; all or nothing; returned in a
batch; listed while out; the same through the API."""

from __future__ import annotations

import pytest
from django.test import Client

from conftest import PASSWORD
from reol.catalog import services as catalog
from reol.catalog.models import Item, ItemStatus
from reol.catalog.tests.helpers import book
from reol.circulation import selectors
from reol.circulation.actions import class_sets, holds
from reol.circulation.actions import loans as loan_actions
from reol.circulation.errors import CirculationError
from reol.circulation.models import Loan
from reol.core.models import AuditEvent
from reol.core.permissions import SYSTEM
from reol.patrons import services as patrons

from .conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def novel(library):  # type: ignore[no-untyped-def]
    """30 copies of a novel at school A (N01–N30), and class 7.A with its teacher."""
    record = catalog.create_record(SYSTEM, library.world.municipality, book("Drengen", control="n"))
    catalog.add_items(SYSTEM, record, library.school, barcodes=[f"N{n:02}" for n in range(1, 31)])
    group = patrons.create_group(SYSTEM, library.school, name="7.A", school_year="2026/27", grade=7)
    return record, group


def refused(code: str, call, *args, **kwargs) -> CirculationError:  # type: ignore[no-untyped-def]
    with pytest.raises(CirculationError) as info:
        call(*args, **kwargs)
    assert info.value.code == code, info.value.message
    return info.value


def test_the_system_picks_28_copies_each_its_own_loan(library, novel):
    w = library.world
    record, group = novel
    result = class_sets.lend_class_set(
        w.librarian_a, library.school, "laerer-a", group, record=record, count=28, today=TODAY
    )
    assert len(result.loans) == 28 and result.group == group
    loans = Loan.objects.filter(group=group, returned_at__isnull=True)
    assert loans.count() == 28 and {loan.patron for loan in loans} == {w.teacher_a}
    assert Item.objects.filter(record=record, status=ItemStatus.ON_LOAN).count() == 28
    assert AuditEvent.objects.filter(action="loan.checkout").count() == 28
    summary = AuditEvent.objects.get(action="loan.class_set")
    assert summary.details["group"] == "7.A" and len(summary.details["items"]) == 28
    [out] = selectors.class_sets_out(library.school)
    assert (out.group, out.record, out.patron, out.copies) == (group, record, w.teacher_a, 28)


def test_copies_held_for_someone_are_skipped_and_too_few_lends_none(library, novel):
    w = library.world
    record, group = novel
    holds.place_hold(w.librarian_a, library.school, "A0001", item="N01")
    result = class_sets.lend_class_set(
        w.librarian_a, library.school, "laerer-a", group, record=record, count=29, today=TODAY
    )
    assert "N01" not in {loan.item.barcode for loan in result.loans}  # held for a student
    e = refused("not_enough_copies", class_sets.lend_class_set, w.librarian_a, library.school,
                "laerer-a", group, record=record, count=2, today=TODAY)  # fmt: skip
    assert "Only 0 of the 2 copies" in e.message


def test_scanned_copies_all_or_nothing_with_every_problem_named(library, novel):
    w = library.world
    _record, group = novel
    loan_actions.checkout(w.librarian_a, library.school, "A0001", "N03", today=TODAY)
    e = refused("class_set_refused", class_sets.lend_class_set, w.librarian_a, library.school,
                "laerer-a", group, items=["N01", "N02", "N03", "NOPE"], today=TODAY)  # fmt: skip
    assert [p["item"] for p in e.details["problems"]] == ["N03", "NOPE"]
    assert [p["code"] for p in e.details["problems"]] == ["already_on_loan", "unknown_item"]
    assert not Loan.objects.filter(group=group).exists()  # nothing lent
    assert Item.objects.get(barcode="N01").status == ItemStatus.AVAILABLE
    result = class_sets.lend_class_set(
        w.librarian_a, library.school, "laerer-a", group, items=["N01", "N02", "N02"], today=TODAY
    )
    assert [loan.item.barcode for loan in result.loans] == ["N01", "N02"]  # a double scan
    refused("mixed_titles", class_sets.lend_class_set, w.librarian_a, library.school, "laerer-a",
            group, items=["N04", "S1"], today=TODAY)  # fmt: skip


def test_only_teachers_and_only_this_schools_classes(library, novel):
    w = library.world
    record, group = novel
    refused("class_set_for_staff", class_sets.lend_class_set, w.librarian_a, library.school,
            "A0001", group, record=record, count=2)  # fmt: skip
    other = patrons.create_group(SYSTEM, w.school_b, name="7.A", school_year="2026/27")
    refused("unknown_group", class_sets.lend_class_set, w.librarian_a, library.school,
            "laerer-a", other, record=record, count=2)  # fmt: skip


def test_batch_return_takes_back_what_it_can(library, novel):
    w = library.world
    record, group = novel
    class_sets.lend_class_set(
        w.librarian_a, library.school, "laerer-a", group, record=record, count=3, today=TODAY
    )
    outcome = class_sets.return_class_set(
        w.librarian_a, library.school, ["N01", "N02", "N03", "NOPE"], today=TODAY
    )
    assert [r.item.barcode for r in outcome.returned] == ["N01", "N02", "N03"]
    assert [p["item"] for p in outcome.problems] == ["NOPE"]
    assert selectors.class_sets_out(library.school) == []


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_the_page_lends_lists_and_returns_all(library, novel, django_assert_max_num_queries):
    w = library.world
    _record, group = novel
    client = signed_in(w.librarian_a)
    form = {"patron": "laerer-a", "group": group.pk, "sample": "N10", "count": "28"}
    r = client.post("/staff/desk/class-sets/", form, follow=True)
    html = r.content.decode()
    assert "Lent 28 copies of “Drengen” to Laerer-A Test for 7.A, due" in html
    assert "Return all 28" in html
    with django_assert_max_num_queries(20):
        client.get("/staff/desk/class-sets/")
    html = client.post(
        "/staff/desk/class-sets/", {"patron": "laerer-a", "group": group.pk, "items": "N29\nN01\n"}
    ).content.decode()
    assert "cannot be lent, so none were" in html and "N01" in html
    # The refusal is said once: a sentence, then one line per copy (not the copies twice).
    main = html.split('<main id="main"', 1)[1]
    form = main.split('id="class-set-form"', 1)[1].split("</form>", 1)[0]
    assert form.count("<strong>N01</strong>") == 1 and main.count("so none were") == 2
    assert "none were: N" not in main  # the summary at the top and the form's own line
    r = client.post(
        "/staff/desk/class-sets/return/",
        {"group": group.pk, "record": novel[0].pk, "patron": w.teacher_a.pk},
        follow=True,
    )
    assert "28 copies are back." in r.content.decode()
    assert not Loan.objects.filter(group=group, returned_at__isnull=True).exists()
    assert signed_in(w.librarian_b).get("/staff/desk/class-sets/").status_code == 200
    assert signed_in(w.teacher_a).get("/staff/desk/class-sets/").status_code == 403


def test_the_api_lends_and_returns_a_class_set(library, novel, token_for):
    w = library.world
    record, group = novel
    auth = token_for(w.librarian_a)
    client = Client()
    url = "/api/v1/circulation/class-sets"
    body = {"patron": "laerer-a", "group": group.pk, "record": record.pk, "count": 28}
    r = client.post(url, body, content_type="application/json", **auth)
    assert r.status_code == 201, r.content
    data = r.json()
    assert len(data["loans"]) == 28 and data["group_name"] == "7.A" and data["patron"] == "laerer-a"
    listed = client.get(url, **auth).json()["items"]
    assert listed[0]["copies"] == 28 and listed[0]["title"] == "Drengen"
    r = client.post(url, {**body, "count": 5}, content_type="application/json", **auth)
    assert r.status_code == 409 and r.json()["code"] == "not_enough_copies"
    r = client.post(url, {"patron": "laerer-a", "group": group.pk, "items": ["N01", "ZZ"]},
                    content_type="application/json", **auth)  # fmt: skip
    assert r.status_code == 409 and [p["item"] for p in r.json()["problems"]] == ["N01", "ZZ"]
    items = [loan["item"] for loan in data["loans"]]
    r = client.post(f"{url}/return", {"items": items}, content_type="application/json", **auth)
    assert r.status_code == 200 and len(r.json()["returned"]) == 28
    student = token_for(w.student_a1)
    mine = {**body, "school": "nord"}
    assert client.post(url, mine, content_type="application/json", **student).status_code == 403


def test_the_api_pages_class_sets_and_a_teachers_loans(library, novel, token_for):
    from reol.core.tests.test_paging import assert_pages

    w = library.world
    record, first = novel
    for group in (
        first,
        patrons.create_group(SYSTEM, library.school, name="7.B", school_year="2026/27", grade=7),
        patrons.create_group(SYSTEM, library.school, name="7.C", school_year="2026/27", grade=7),
    ):
        class_sets.lend_class_set(
            w.librarian_a, library.school, "laerer-a", group, record=record, count=5, today=TODAY
        )
    client, auth = Client(), token_for(w.librarian_a)
    sets = assert_pages(client, "/api/v1/circulation/class-sets", auth)
    assert [(s["group_name"], s["copies"]) for s in sets] == [("7.A", 5), ("7.B", 5), ("7.C", 5)]
    loans = assert_pages(client, "/api/v1/patrons/laerer-a/loans", auth)
    assert len(loans) == 15 and len({loan["id"] for loan in loans}) == 15
    # Desks at two schools and no school named: the API's one 422, naming the parameter.
    from reol.core.models import Role
    from reol.core.services import grant_role

    grant_role(SYSTEM, w.librarian_a, w.school_b, Role.LIBRARIAN)
    answer = client.get("/api/v1/circulation/class-sets", **auth)
    assert answer.status_code == 422 and list(answer.json()["fields"]) == ["school"]
    assert client.get("/api/v1/circulation/class-sets", {"school": "nord"}, **auth).json() == {
        "count": 3,
        "items": sets,
    }
