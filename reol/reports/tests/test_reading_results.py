"""Imported reading-test results beside reading volume: the import (CSV and XLSX, every wrong
row named, nothing written unless all are right, never a student's result, bounded), the
report, suppression and tenancy."""

from __future__ import annotations

import io
import re

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook

from reol.catalog.tests.helpers import signed_in
from reol.core.models import AuditEvent
from reol.core.uploads import UploadRefused
from reol.reports import results_import, services
from reol.reports.models import ReadingResult

from .helpers import library

pytestmark = pytest.mark.django_db
URL = "/staff/reports/results/import/"
REPORT = "/staff/reports/reading-results/"


def _csv(lib, *lines: str) -> bytes:  # type: ignore[no-untyped-def]
    day = lib.starts.strftime("%d.%m.%Y")
    head = "Klasse;Test;Dato;Testede;Gennemsnit;Niveau 1;Niveau 2"
    return "\n".join([head, *(line.replace("DAY", day) for line in lines)]).encode("utf-8")


def _upload(client, data: bytes, name: str = "results.csv"):  # type: ignore[no-untyped-def]
    stream = io.BytesIO(data)
    stream.name = name
    return client.post(URL, {"file": stream})


def test_a_librarian_imports_results_and_sees_them_beside_loans_per_student(world):
    lib = library(world)
    client = signed_in(world.librarian_a)
    answer = _upload(client, _csv(lib, "5A;Læseprøve;DAY;8;31,5;3;5"))
    assert answer.status_code == 302
    row = ReadingResult.objects.get()
    assert (row.school, row.group_name, row.grade, row.tested) == (world.school_a, "5A", 5, 8)
    assert str(row.mean) == "31.50" and row.levels == [["1", 3], ["2", 5]]
    assert row.school_year == lib.year
    assert AuditEvent.objects.filter(action="reports.reading_results").count() == 1
    table = client.get(REPORT).context["table"]
    [shown] = table.rows
    # 5A: eight students, sixteen loans in the autumn: two a student.
    assert not shown.suppressed
    assert shown.values["label"] == "5A" and shown.values["loans"] == 16
    assert str(shown.values["per_student"]) == "2.0" and shown.values["students"] == 8
    assert "correlation, not a cause" in str(table.note)
    # The same class, test and date again replaces the row.
    _upload(client, _csv(lib, "5A;Læseprøve;DAY;8;33;2;6"))
    assert ReadingResult.objects.get().levels == [["1", 2], ["2", 6]]


def test_every_wrong_row_is_named_and_nothing_is_imported(world):
    lib = library(world)
    client = signed_in(world.librarian_a)
    data = _csv(
        lib,
        "5A;Læseprøve;DAY;8;31;3;5",
        "3B;Læseprøve;31.02.2026;6;20;1;2",
        "4C;;DAY;3;20;1;2",
        "5A;Læseprøve;DAY;8;30;3;5",
        "6A;Læseprøve;DAY;7;;5;6",
    )
    answer = _upload(client, data)
    assert answer.status_code == 400
    assert sorted({line for line, _text in answer.context["errors"]}) == [3, 4, 5, 6]
    text = answer.content.decode()
    assert "is not a date in the calendar" in text
    assert "The test is missing." in text
    assert "too close to one child" in text
    assert "as line 2" in text
    assert "more students than took the test" in text
    assert not ReadingResult.objects.exists()


def test_a_student_column_refuses_the_file(world):
    lib = library(world)
    day = lib.starts.isoformat()
    data = f"Class,Test,Date,Name,Score\n5A,Reading,{day},Anna,17\n".encode()
    with pytest.raises(UploadRefused, match="never a student"):
        services.import_reading_results(world.librarian_a, world.school_a, name="x.csv", data=data)
    assert not ReadingResult.objects.exists()


def test_an_xlsx_file_imports_like_a_csv(world):
    lib = library(world)
    book = Workbook()
    sheet = book.active
    sheet.append(["Class", "Test", "Date", "Tested", "Mean"])
    sheet.append(["3B", "Reading", lib.starts, 6, 24.5])
    out = io.BytesIO()
    book.save(out)
    done = services.import_reading_results(
        world.librarian_a, world.school_a, name="r.xlsx", data=out.getvalue()
    )
    assert (done.created, done.replaced) == (1, 0)
    row = ReadingResult.objects.get()
    assert (row.group_name, row.taken_on, row.tested, str(row.mean)) == (
        "3B",
        lib.starts,
        6,
        "24.50",
    )


def test_the_upload_cost_is_bounded(world):
    too_big = b"Class;Test;Date;Mean\n" + b"x" * results_import.MAX_BYTES
    with pytest.raises(UploadRefused, match="larger than"):
        services.import_reading_results(world.librarian_a, world.school_a, name="b", data=too_big)
    lib = library(world)
    rows = [f"{i}A;T;DAY;9;1" for i in range(results_import.MAX_ROWS + 1)]
    data = _csv(lib, *rows).replace(b";Niveau 1;Niveau 2", b"")
    with pytest.raises(UploadRefused, match="At most"):
        services.import_reading_results(world.librarian_a, world.school_a, name="m", data=data)


def test_a_class_of_one_is_withheld_whatever_the_file_says(world):
    lib = library(world)
    services.import_reading_results(
        world.librarian_a, world.school_a, name="r.csv", data=_csv(lib, "5B;Læseprøve;DAY;5;28;2;3")
    )
    page = signed_in(world.librarian_a).get(REPORT)
    [row] = page.context["table"].rows
    assert row.suppressed  # 5B has one student on the roster: that child's result
    html = page.content.decode()
    # a cell of exactly 28, not a bare "28" (a date or a CSRF token may hold that)
    assert "fewer than 5" in html and not re.search(r">\s*28\s*<", html)


def test_results_stay_within_their_school(world):
    lib = library(world)
    library(world, world.school_b)
    services.import_reading_results(
        world.librarian_a, world.school_a, name="r.csv", data=_csv(lib, "5A;Læseprøve;DAY;8;31;3;5")
    )
    other = signed_in(world.librarian_b)
    assert other.get(REPORT).context["table"].rows == []
    refused = other.get(REPORT, {"school": world.school_a.pk})
    assert "table" not in refused.context and refused.context["form"].errors["school"]
    with pytest.raises(PermissionDenied):
        services.import_reading_results(
            world.librarian_b, world.school_a, name="r.csv", data=_csv(lib, "3B;T;DAY;6;1;1;1")
        )
    # The consultant sees the aggregates of every school but imports nothing.
    consultant = signed_in(world.consultant)
    assert consultant.get(URL).status_code == 403
    rows = consultant.get(REPORT, {"school": "all"}).context["table"].rows
    assert [r.values["label"] for r in rows] == ["Nordskolen 5A"]


def test_a_consultant_of_a_municipality_without_schools_is_refused_not_crashed(world):
    client = signed_in(world.other_consultant)
    assert client.get("/staff/reports/").status_code == 403
    assert client.get(REPORT).status_code == 403
