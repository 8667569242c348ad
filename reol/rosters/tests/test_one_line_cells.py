"""A roster is a front door too: a quoted cell of a CSV or a OneRoster bundle may hold line
breaks and control characters, and every field Reol reads from one (names, usernames, cards,
classes) is one line. Before, "Anna\\r\\nBcc: …" became a patron's first name as it was."""

from __future__ import annotations

import copy

import pytest

from reol.patrons.models import Group, Patron

from .helpers import ONEROSTER_11, bundle, csv_bytes, run

pytestmark = pytest.mark.django_db


def test_a_csv_cell_with_line_breaks_becomes_one_line(world, tmp_path):
    rows = [
        ["Id", "Fornavn", "Efternavn", "Klasse"],
        ["1", "Anna\r\nBcc: x@example.org", "Han\x07sen\x1b[31m", "5.B\n"],
    ]
    mapping = {"source_id": "Id", "first_name": "Fornavn", "last_name": "Efternavn"}
    mapping["groups"] = "Klasse"
    report = run(world.school_a, tmp_path, csv_bytes(rows), mapping=mapping, school_year="2026/27")
    assert report.saved, report.problems
    person = Patron.objects.get(source_id="1").user
    assert (person.first_name, person.last_name) == ("Anna Bcc: x@example.org", "Hansen[31m")
    assert list(Group.objects.filter(school=world.school_a).values_list("name", flat=True)) == [
        "5.B"
    ]


def test_a_oneroster_value_with_line_breaks_becomes_one_line(world, tmp_path):
    files = copy.deepcopy(ONEROSTER_11)
    header = files["users"][0]
    given = header.index("givenName")
    files["users"][1][given] = "Anna\r\nBcc: x@example.org"
    report = run(world.school_a, tmp_path, bundle(files), name="roster.zip")
    assert report.saved, report.problems
    assert Patron.objects.get(source_id="u1").user.first_name == "Anna Bcc: x@example.org"
