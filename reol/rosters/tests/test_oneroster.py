"""OneRoster bundles: the real public samples, a 1.1 bundle of a Danish municipality, a 1.2
bundle with roles.csv, and the bad input the issue names."""

from __future__ import annotations

import pytest

from reol.core.models import Membership
from reol.patrons.models import Group, GroupMember, Patron

from .helpers import ONEROSTER_11, SHARED, bundle, oneroster_11, run

pytestmark = pytest.mark.django_db


def _shared(path: str):
    folder = SHARED / path
    if not folder.is_dir():
        pytest.skip(f"the shared OneRoster samples are not at {folder}")
    return folder


def _import_folder(school, folder, **kwargs):
    from reol.core.permissions import SYSTEM
    from reol.rosters.importer import import_roster
    from reol.rosters.sources import Choices, load

    dry_run = kwargs.pop("dry_run", False)
    roster = load(folder, school, Choices(**kwargs))
    return import_roster(SYSTEM, school, roster, dry_run=dry_run)


def test_a_municipality_bundle_imports_the_school_its_classes_and_teachers(world, tmp_path):
    school = world.school_a
    report = run(school, tmp_path, oneroster_11(), name="roster.zip")
    assert report.saved, report.problems
    assert report.facts["org"] == "Nordskolen (nord-org)"
    assert report.facts["version"] == "1.1"
    assert report.counts["patrons_created"] == 3  # u1, u2, u3; not the parent, not Sydskolen's
    anna = Patron.objects.get(school=school, source_id="u1")
    assert (anna.category, anna.grade, anna.user.username) == ("student", 5, "anna.h")
    assert anna.guardians == ["mor@hjem.dk"]  # from agentSourcedIds
    teacher = Patron.objects.get(source_id="u3")
    assert teacher.category == "teacher" and teacher.grade is None
    assert Membership.objects.filter(user=teacher.user, school=school, role="teacher").exists()
    groups = {g.source_id: g for g in Group.objects.filter(school=school)}
    assert set(groups) == {"c5b", "c5b-ma", "c5a-ma"}
    assert groups["c5b"].school_year == "2026/27" and groups["c5b"].grade == 5
    # two classes titled "Matematik": told apart by their class codes
    assert {groups["c5b-ma"].name, groups["c5a-ma"].name} == {
        "Matematik (5B-ma)",
        "Matematik (5A-ma)",
    }
    assert GroupMember.objects.get(group=groups["c5b"], patron=teacher).role == "teacher"
    assert set(groups["c5b"].patrons.values_list("source_id", flat=True)) == {"u1", "u2", "u3"}
    assert not Patron.objects.filter(source_id="u4").exists()

    again = run(school, tmp_path, oneroster_11(), name="roster.zip")
    assert again.saved and not again.changed_anything
    assert again.counts["patrons_unchanged"] == 3


def test_the_org_can_be_named_by_its_identifier(world, tmp_path):
    report = run(world.school_b, tmp_path, oneroster_11(), name="r.zip", org="280102")
    assert report.saved and report.facts["org"] == "Sydskolen (syd-org)"
    assert Patron.objects.get(source_id="u4").school == world.school_b


def test_several_schools_and_no_choice_is_a_clear_refusal(world, tmp_path):
    orgs = [
        ONEROSTER_11["orgs"][0],
        ["nord-org", "active", "Skole 1", "school", "", ""],
        ["syd-org", "active", "Skole 2", "school", "", ""],
    ]
    data = bundle({**ONEROSTER_11, "orgs": orgs})
    report = run(world.school_a, tmp_path, data, name="r.zip")
    assert not report.saved
    assert "several schools" in report.errors[0].reason
    assert report.errors[0].file == "orgs.csv"


def test_bad_input_rows_are_named_with_file_and_line(world, tmp_path):
    users = [*ONEROSTER_11["users"], ONEROSTER_11["users"][1]]  # u1 again, on line 7
    enrollments = [
        *ONEROSTER_11["enrollments"],
        ["e7", "no-such-class", "nord-org", "u2", "student", ""],  # line 8
        ["e8", "c5b", "nord-org", "ghost", "student", ""],  # line 9
        ["e1", "c5b", "nord-org", "u2", "student", ""],  # line 10: e1 again
    ]
    data = oneroster_11(users=users, enrollments=enrollments)
    report = run(world.school_a, tmp_path, data, name="r.zip")
    assert not report.saved
    where = {(p.file, p.line): p.reason for p in report.errors}
    assert "also on line 7" in where[("users.csv", 2)]
    assert "also on line 2" in where[("users.csv", 7)]
    assert where[("enrollments.csv", 8)] == "The class “no-such-class” is not in classes.csv."
    assert where[("enrollments.csv", 9)] == "The user “ghost” is not in users.csv."
    assert "also on line 2" in where[("enrollments.csv", 10)]
    assert Patron.objects.count() == 0

    good = run(world.school_a, tmp_path, data, name="r.zip", good_rows=True)
    assert good.saved
    assert set(Patron.objects.values_list("source_id", flat=True)) == {"u2", "u3"}


def test_missing_required_columns_and_files(world, tmp_path):
    users = [[c for c in row if c != "x"] for row in ONEROSTER_11["users"]]
    users[0][0] = "id"  # no sourcedId column
    report = run(world.school_a, tmp_path, oneroster_11(users=users), name="r.zip")
    assert not report.saved
    assert report.errors[0].file == "users.csv" and "sourcedId" in report.errors[0].reason
    no_users = bundle({k: v for k, v in ONEROSTER_11.items() if k != "users"})
    report = run(world.school_a, tmp_path, no_users, name="r.zip")
    assert "no users.csv" in report.errors[0].reason
    report = run(world.school_a, tmp_path, b"just text", name="r.zip", format="oneroster")
    assert "zip file or a folder" in report.errors[0].reason


def test_a_manifest_naming_missing_files_is_a_warning(world, tmp_path):
    manifest = [*ONEROSTER_11["manifest"], ["file.roles", "bulk"]]
    report = run(world.school_a, tmp_path, oneroster_11(manifest=manifest), name="r.zip")
    assert report.saved
    assert any("roles.csv" in p.reason for p in report.warnings)


def test_leavers_and_tobedeleted(world, tmp_path):
    school = world.school_a
    run(school, tmp_path, oneroster_11(), name="r.zip")
    users = [row for row in ONEROSTER_11["users"] if row[0] != "u2"]
    report = run(
        school,
        tmp_path,
        oneroster_11(
            users=users, enrollments=[row for row in ONEROSTER_11["enrollments"] if row[3] != "u2"]
        ),
        name="r.zip",
    )
    assert report.counts["patrons_deactivated"] == 1
    assert not Patron.objects.get(source_id="u2").active
    delta = [["propertyName", "value"], ["oneroster.version", "1.1"], ["file.users", "delta"]]
    users = [ONEROSTER_11["users"][0], ["u1", "tobedeleted", *ONEROSTER_11["users"][1][2:]]]
    report = run(
        school,
        tmp_path,
        bundle({"manifest": delta, "users": users, "orgs": ONEROSTER_11["orgs"]}),
        name="d.zip",
        org="nord-org",
    )
    assert report.saved and report.counts["patrons_deactivated"] == 1
    assert not Patron.objects.get(source_id="u1").active
    assert Patron.objects.get(source_id="u3").active  # a delta file: absent is not gone


def test_oneroster_12_roles_csv(world, tmp_path):
    users = [
        [
            "sourcedId",
            "status",
            "enabledUser",
            "username",
            "givenName",
            "familyName",
            "identifier",
            "email",
            "grades",
            "primaryOrgSourcedId",
        ],
        ["a", "active", "true", "a.user", "Ada", "Ås", "A-1", "", "03", "nord-org"],
        ["b", "active", "true", "b.user", "Bent", "Bo", "B-1", "b@x.dk", "", "nord-org"],
    ]
    roles = [
        ["sourcedId", "status", "userSourcedId", "roleType", "role", "orgSourcedId"],
        ["r1", "active", "a", "primary", "student", "nord-org"],
        ["r2", "active", "b", "primary", "teacher", "nord-org"],
    ]
    manifest = [["propertyName", "value"], ["oneroster.version", "1.2"]]
    data = bundle(
        {"manifest": manifest, "orgs": ONEROSTER_11["orgs"], "users": users, "roles": roles},
        folder="export/",
    )
    report = run(
        world.school_a, tmp_path, data, name="r.zip", org="nord-org", card_from="identifier"
    )
    assert report.saved, report.problems
    ada = Patron.objects.get(source_id="a")
    assert (ada.category, ada.grade, ada.user.card_barcode) == ("student", 3, "A-1")
    assert Patron.objects.get(source_id="b").category == "teacher"


def test_the_public_oat_sample_with_its_empty_files(world):
    folder = _shared("oat-sa/data/samples/OneRosterv1p1BaseCSV")
    report = _import_folder(world.school_a, folder, org="12345")
    assert report.saved, report.problems
    assert report.counts["patrons_created"] == 1
    assert report.counts["groups_created"] == 2  # class1, class2; class3 is School 2's
    assert any("academicSessions" in p.reason for p in report.warnings)  # term "1" is not there
    again = _import_folder(world.school_a, folder, org="12345")
    assert not again.changed_anything


def test_school_data_sync_v2_and_v21(world):
    v2 = _shared("microsoft-sds/SDS v2")
    report = _import_folder(world.school_a, v2, org="10002")
    assert report.saved, report.problems
    assert report.counts["patrons_created"] == 8  # 7 students + 1 teacher of Fabrikam
    assert report.facts["skipped_other_roles"] == 3  # staff, faculty, aide
    v21 = _shared("microsoft-sds/SDS v2.1")
    report = _import_folder(world.school_b, v21)  # the bundle's only school
    assert report.saved, report.problems
    # 114006 and 114008 are of other orgs; 114002 and 114005 are guardians, with no role
    assert report.facts["skipped_other_schools"] == 2
    assert report.facts["skipped_other_roles"] == 2
    jack = Patron.objects.get(school=world.school_b, source_id="114001")
    assert jack.guardians == ["jean.craig@outlook.com"]  # relationships.csv
    assert jack.grade == 10
    biology = Group.objects.get(school=world.school_b, source_id="112002")
    assert biology.school_year == "2021/22"  # from academicSessions' dates
    assert biology.members.filter(role="teacher").count() == 1


def test_the_dry_run_says_exactly_what_the_import_then_does(world, tmp_path):
    school = world.school_a
    run(school, tmp_path, oneroster_11(), name="r.zip")
    users = [row for row in ONEROSTER_11["users"] if row[0] != "u2"]
    users[1] = [*users[1][:8], "Hansen-Berg", *users[1][9:]]  # Anna's new family name
    enrollments = [row for row in ONEROSTER_11["enrollments"] if row[3] != "u2"]
    data = oneroster_11(users=users, enrollments=enrollments)
    dry = run(school, tmp_path, data, name="r.zip", dry_run=True)
    real = run(school, tmp_path, data, name="r.zip")
    assert real.saved and not real.errors
    assert dry.counts == real.counts
    assert dry.changes == real.changes
    assert dry.counts["patrons_updated"] == 1 and dry.counts["patrons_deactivated"] == 1
