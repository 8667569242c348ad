"""The reports framework end to end: filters, figures, suppression everywhere, exports, the
API, tenancy, query counts, the weeding list and the annual report."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from reol.catalog.models import ItemStatus
from reol.catalog.tests.helpers import signed_in
from reol.competence.services import pd
from reol.core.models import AuditEvent
from reol.patrons.models import Group
from reol.planning import services as planning
from reol.reports import framework, services
from reol.reports.framework import SUPPRESSED, Filters, Report, Row, Table
from reol.reports.titles import _ranked_with_titles
from reol.technology.tests.conftest import add_technology

from .helpers import class_set, lend, library

pytestmark = pytest.mark.django_db
WITHHELD = "fewer than 5"


def _get(client, key, **params):  # type: ignore[no-untyped-def]
    return client.get(f"/staff/reports/{key}/", params)


def _solo(lib):  # type: ignore[no-untyped-def]
    """The one student of 5B borrows three fiction books on one day (the borrower known)."""
    day = lib.day(80)
    for rec in lib.fiction:
        lend(lib, lib.students["5B"][0], rec, day, returned=False)
    return day


def test_grade_5_fiction_counts_the_class_loans(world):
    lib = library(world)
    client = signed_in(world.librarian_a)
    page = _get(client, "loans-by-grade", grade=5, fiction="fiction")
    assert page.status_code == 200
    rows = page.context["table"].rows
    assert [(r.values["label"], r.values["loans"], r.suppressed) for r in rows] == [
        ("grade 5", 16, False)
    ]
    # Non-fiction is the 3B class's volcano book only, and grade 5 has none.
    facts = _get(client, "loans-by-grade", fiction="nonfiction").context["table"].rows
    assert [(r.values["label"], r.values["loans"]) for r in facts] == [("grade 3", 6)]
    assert lib.year in page.content.decode()


def test_one_student_cannot_be_reidentified_by_combining_filters(world, token_for):
    lib = library(world)
    day = _solo(lib)
    client = signed_in(world.librarian_a)
    narrow = {"grade": 5, "group": "5B", "fiction": "fiction", "material_type": "book"}
    narrow |= {"date_from": day.isoformat(), "date_to": day.isoformat()}
    for key in ("loans-by-month", "loans-by-material", "top-titles", "busiest-hours"):
        page = _get(client, key, **narrow)
        table = page.context["table"]
        assert table.rows and all(r.suppressed for r in table.rows), key
        text = page.content.decode()
        assert WITHHELD in text
        assert '<td class="num">3</td>' not in text
    # Without the group the grade still narrows to the three loans of one day: withheld.
    no_group = {k: v for k, v in narrow.items() if k != "group"}
    rows = _get(client, "loans-by-month", **no_group).context["table"].rows
    assert [r.suppressed for r in rows] == [True]
    # By group over the year: 5B's row is one child; 5A's row goes too, or the total of
    # grade 5 (which another report shows) minus 5A would give 5B's three loans back.
    by_group = _get(client, "loans-by-group", grade=5).context["table"].rows
    assert {r.values["label"]: r.suppressed for r in by_group} == {"5A": True, "5B": True}
    # The exports and the API say the same words, never the number.
    csv = _get(client, "loans-by-month", **no_group, format="csv").content.decode("utf-8-sig")
    assert WITHHELD in csv and ";3;" not in csv
    sheet = load_workbook(
        io.BytesIO(_get(client, "loans-by-month", **no_group, format="xlsx").content)
    ).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row]
    assert WITHHELD in values and 3 not in values
    dates = {"from": day.isoformat(), "to": day.isoformat()}
    api_query = {k: v for k, v in no_group.items() if not k.startswith("date_")} | dates
    api = client.get(
        "/api/v1/reports/loans-by-month", api_query, **token_for(world.librarian_a)
    ).json()
    assert api["items"][0]["suppressed"] is True
    assert api["items"][0]["values"]["loans"] == WITHHELD


def test_xlsx_has_the_numbers_the_page_shows(world):
    library(world)
    client = signed_in(world.librarian_a)
    params = {"grade": 5, "fiction": "fiction"}
    table = _get(client, "loans-by-month", **params).context["table"]
    shown = {r.values["label"]: r.values["loans"] for r in table.rows}
    assert sum(shown.values()) == 16
    book = load_workbook(
        io.BytesIO(_get(client, "loans-by-month", **params, format="xlsx").content)
    )
    lines = list(book.active.iter_rows(values_only=True))
    start = next(i for i, line in enumerate(lines) if line[:2] == ("Month", "Loans"))
    assert {line[0]: line[1] for line in lines[start + 1 :]} == shown


def test_top_titles_per_age_band(world):
    library(world)
    rows = _get(signed_in(world.librarian_a), "top-titles").context["table"].rows
    assert [(r.values["band"], r.values["title"], r.values["loans"]) for r in rows] == [
        ("age 9–11", "Eventyr 1", 6),
        ("age 9–11", "Vulkaner", 6),
        ("age 9–11", "Eventyr 0", 5),
        ("age 9–11", "Eventyr 2", 5),
    ]


def test_a_report_about_people_must_count_them():
    def careless(filters: Filters) -> Table:
        return Table(columns=[], rows=[Row({"loans": 1})])

    report = Report("careless", "Careless", "", "Test", careless)
    filters = Filters(schools=(), starts=dt.date(2026, 8, 1), ends=dt.date(2027, 7, 31))
    with pytest.raises(ValueError, match="how many people"):
        framework.result(report, filters)
    assert str(SUPPRESSED) == WITHHELD


def test_a_librarian_cannot_report_on_another_school(world, token_for):
    library(world)
    library(world, world.school_b)
    client = signed_in(world.librarian_a)
    page = _get(client, "loans-by-grade", school=world.school_b.pk)
    assert page.status_code == 200
    assert "table" not in page.context and page.context["form"].errors["school"]
    api = client.get(
        "/api/v1/reports/loans-by-grade",
        {"school": world.school_b.pk},
        **token_for(world.librarian_a),
    )
    assert api.status_code == 422
    # The consultant compares both schools; the totals add up.
    consultant = signed_in(world.consultant)
    rows = _get(consultant, "schools-side-by-side", school="all").context["table"].rows
    by_name = {r.values["label"]: r for r in rows}
    assert set(by_name) == {"Nordskolen", "Sydskolen", "All schools"}
    assert by_name["All schools"].values["loans"] == 2 * by_name["Nordskolen"].values["loans"]
    assert by_name["Nordskolen"].values["students"] == 15
    assert not any(r.suppressed for r in rows)
    assert signed_in(world.teacher_a).get("/staff/reports/").status_code == 403


def test_every_registered_report_answers_on_its_page_and_in_the_api(world, token_for):
    lib = library(world)
    planning.create_collaboration(
        world.librarian_a,
        world.school_a,
        kind="course",
        title="Kildekritik",
        subject="Dansk",
        group=Group.objects.get(school=world.school_a, name="5A"),
        starts=lib.day(50),
        ends=lib.day(50),
    )
    pd.record_workshop(
        world.librarian_a,
        world.school_a,
        title="Læsning i fagene",
        held_on=lib.day(50),
        committee="Dansk",
        participants=[world.librarian_a, world.teacher_a],
    )
    class_set(lib)
    result = f"Class;Test;Date;Tested;Mean\n5A;Reading;{lib.starts.isoformat()};8;30\n"
    services.import_reading_results(
        world.librarian_a, world.school_a, name="r.csv", data=result.encode()
    )
    client = signed_in(world.librarian_a)
    languages = _get(client, "loans-by-language").context["table"].rows
    assert [(r.values["label"], r.values["loans"]) for r in languages] == [("Danish", 22)]
    assert not _get(client, "loans-by-month", language="eng").context["table"].rows
    assert _get(client, "loans-by-month", language="dan").context["table"].rows
    # The technology reports need devices (lent to 5A), a repair and a licence.
    five_a = Group.objects.get(school=world.school_a, name="5A")
    add_technology(world.librarian_a, world.school_a, five_a, [p.user for p in lib.students["5A"]])
    auth = token_for(world.librarian_a)
    listed = client.get("/api/v1/reports", **auth).json()
    assert {r["key"] for r in listed} == {r.key for r in framework.reports()}
    for report in framework.reports():
        page = _get(client, report.key)
        assert page.status_code == 200, report.key
        assert page.context["table"].rows, report.key
        assert client.get(f"/api/v1/reports/{report.key}", {"size": 2}, **auth).status_code == 200


def test_report_pages_read_in_few_queries(world, django_assert_max_num_queries):
    library(world)
    client = signed_in(world.librarian_a)
    client.get("/staff/reports/")  # warm the session and the caches
    with django_assert_max_num_queries(20):
        assert client.get("/staff/reports/").status_code == 200
    for key in ("loans-by-month", "loans-by-group", "top-titles", "overdue", "collection-age"):
        with django_assert_max_num_queries(14):
            assert _get(client, key, grade=5).status_code == 200


def test_weeding_list_withdraws_the_marked_copies_through_the_catalogue(world):
    lib = library(world)
    old = [lib.copy(lib.facts), lib.copy(lib.facts)]  # 1990 science, never lent
    client = signed_in(world.librarian_a)
    dead = {r.values["label"]: r.values for r in _get(client, "dead-stock").context["table"].rows}
    # Volcanoes: six copies lent this autumn, two never; the fairy tales all lent.
    assert (dead["55"]["copies"], dead["55"]["dead"], dead["55"]["never"]) == (8, 2, 2)
    assert (dead["sk"]["dead"], dead["sk"]["years"]) == (0, 3)
    page = client.get("/staff/reports/weeding/")
    listed = {c.item.pk for c in page.context["candidates"]}
    assert {i.pk for i in old} <= listed
    assert not listed & {i.pk for i in lib.items if i.loans.exists()}
    client.post("/staff/reports/weeding/", {"item": [old[0].pk], "note": "outdated"})
    old[0].refresh_from_db()
    old[1].refresh_from_db()
    assert (old[0].status, old[1].status) == (ItemStatus.WITHDRAWN, ItemStatus.AVAILABLE)
    assert AuditEvent.objects.filter(action="reports.weeding").count() == 1
    # Another school's copy cannot be slipped into the batch.
    other = library(world, world.school_b)
    stranger = other.copy(other.facts)
    client.post("/staff/reports/weeding/", {"item": [old[1].pk, stranger.pk]})
    stranger.refresh_from_db()
    old[1].refresh_from_db()
    assert (old[1].status, stranger.status) == (ItemStatus.AVAILABLE, ItemStatus.AVAILABLE)


def test_a_school_edits_its_weeding_guidance(world):
    lib = library(world)
    old = lib.copy(lib.facts)  # 1990 science: older than the default five years
    client = signed_in(world.librarian_a)
    assert old.pk in {
        c.item.pk for c in client.get("/staff/reports/weeding/").context["candidates"]
    }
    client.post(
        "/staff/reports/weeding/",
        {"action": "rule", "section": "55", "max_age_years": "50", "unused_years": "3"},
    )
    page = client.get("/staff/reports/weeding/")
    assert old.pk not in {c.item.pk for c in page.context["candidates"]}
    rule = next(r for r in page.context["rules"] if r.section == "55")
    assert (rule.max_age_years, rule.own) == (50, True)
    # School B still weeds by the defaults; a bad number changes nothing.
    assert not world.school_b.weeding_rules.exists()
    client.post(
        "/staff/reports/weeding/",
        {"action": "rule", "section": "55", "max_age_years": "500", "unused_years": "3"},
    )
    assert world.school_a.weeding_rules.get(section="55").max_age_years == 50


def test_the_reports_are_in_the_openapi_document(world):
    schema = signed_in(world.librarian_a).get("/api/v1/openapi.json").json()
    assert {"/api/v1/reports", "/api/v1/reports/{key}"} <= set(schema["paths"])
    names = {p["name"] for p in schema["paths"]["/api/v1/reports/{key}"]["get"]["parameters"]}
    assert {"grade", "group", "fiction", "language", "page", "size"} <= names


def test_annual_report_is_a_pdf_with_the_charts(world):
    library(world)
    response = signed_in(world.librarian_a).get("/staff/reports/annual-report.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert len(response.content) > 2000


def test_top_titles_keep_every_tie_on_the_last_place_then_order_by_title(world):
    lib = library(world)
    first, second, third = sorted(lib.fiction, key=lambda r: r.title)[:3]
    merged = {
        (1, third.pk): {"n": 3, "people": 3},
        (1, first.pk): {"n": 7, "people": 7},
        (1, second.pk): {"n": 3, "people": 3},
        (2, third.pk): {"n": 1, "people": 1},
        (1, lib.facts.pk): {"n": 2, "people": 2},  # below the second place: not a candidate
    }
    ranked = _ranked_with_titles(merged, per_band=2)
    assert [(band, r["title"], r["n"]) for (band, _pk), r in ranked] == [
        (1, first.title, 7),
        (1, second.title, 3),
        (1, third.title, 3),
        (2, third.title, 1),
    ]
