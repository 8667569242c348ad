"""``reol import-patrons``: the same importer from the command line."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from reol.core.models import AuditEvent
from reol.core.permissions import SYSTEM
from reol.patrons.models import Patron
from reol.rosters import services

from .helpers import ONEROSTER_11, bundle, csv_bytes, oneroster_11

pytestmark = pytest.mark.django_db

ROWS = [
    ["Id", "Fornavn", "Efternavn", "Klasse"],
    ["1", "Anna", "Ærø", "5.B"],
    ["2", "Bo", "Ø", "5.B"],
]


def test_dry_run_then_import_with_a_saved_mapping(world, tmp_path, capsys):
    path = tmp_path / "elever.csv"
    path.write_bytes(csv_bytes(ROWS, encoding="cp1252", bom=True))
    services.save_preset(
        SYSTEM,
        world.school_a,
        name="Skolesystem",
        mapping={
            "source_id": "Id",
            "first_name": "Fornavn",
            "last_name": "Efternavn",
            "groups": "Klasse",
        },
    )

    call_command("import-patrons", str(path), school="nord", mapping="Skolesystem", dry_run=True)

    out = capsys.readouterr().out
    assert "Windows-1252" in out and "new              Anna Ærø" in out and "Dry run" in out
    assert not Patron.objects.exists()
    call_command("import-patrons", str(path), school="nord", mapping="Skolesystem")
    assert Patron.objects.filter(school=world.school_a).count() == 2
    event = AuditEvent.objects.get(action="roster.import")
    assert (event.via, event.details["patrons_created"]) == ("cli", 2)


def test_nothing_imported_is_a_non_zero_exit(world, tmp_path):
    path = tmp_path / "elever.csv"
    path.write_bytes(csv_bytes([["Navn"], ["Anna"]]))
    with pytest.raises(CommandError, match="Nothing"):
        call_command("import-patrons", str(path), school="nord", map=["full_name=Navn"])
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([*ROWS, ["2", "Dobbelt", "Id", "5.C"]]))
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command(
            "import-patrons",
            str(bad),
            school="nord",
            map=["source_id=Id", "first_name=Fornavn", "last_name=Efternavn"],
        )
    call_command(
        "import-patrons",
        str(bad),
        school="nord",
        good_rows=True,
        map=["source_id=Id", "first_name=Fornavn", "last_name=Efternavn"],
    )
    assert list(Patron.objects.values_list("source_id", flat=True)) == ["1"]
    with pytest.raises(CommandError, match="no mapping named"):
        call_command("import-patrons", str(bad), school="nord", mapping="Nope")
    with pytest.raises(CommandError, match="No school"):
        call_command("import-patrons", str(bad), school="nope")


def test_a_oneroster_zip(world, tmp_path, capsys):
    path = tmp_path / "oneroster.zip"
    path.write_bytes(oneroster_11())
    call_command("import-patrons", str(path), school="nord", format="oneroster")
    assert Patron.objects.filter(school=world.school_a).count() == 3
    call_command("import-patrons", str(path), school="nord")
    assert "0 new patrons, 0 changed, 3 unchanged" in capsys.readouterr().out


def test_a_bundle_of_several_schools_is_refused_with_its_orgs_and_the_option(
    world, tmp_path, capsys
):
    orgs = [
        ONEROSTER_11["orgs"][0],
        ["nord-org", "active", "Skole 1", "school", "", ""],
        ["syd-org", "active", "Skole 2", "school", "", ""],
    ]
    path = tmp_path / "kommune.zip"
    path.write_bytes(bundle({**ONEROSTER_11, "orgs": orgs}))

    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import-patrons", str(path), school="nord")

    out = capsys.readouterr().out
    assert "choose one with --org ID" in out
    assert "--org nord-org" in out and "Skole 1" in out
    assert "--org syd-org" in out and "Skole 2" in out
    call_command("import-patrons", str(path), school="nord", org="nord-org")
    assert Patron.objects.filter(school=world.school_a).count() == 3


def test_counts_as_data_only_behind_json(world, tmp_path, capsys):
    path = tmp_path / "oneroster.zip"
    path.write_bytes(oneroster_11())

    call_command("import-patrons", str(path), school="nord")
    human = capsys.readouterr().out
    call_command("import-patrons", str(path), school="nord", json=True)
    data = json.loads(capsys.readouterr().out)

    assert "patrons_created=" not in human and "people=" not in human
    assert "3 new patrons, 0 changed, 0 unchanged" in human
    assert data["counts"]["patrons_unchanged"] == 3
    assert data["facts"]["org"] == "Nordskolen (nord-org)"


def test_the_command_speaks_the_chosen_language(world, tmp_path, capsys, settings):
    settings.LANGUAGE_CODE = "da"
    path = tmp_path / "oneroster.zip"
    path.write_bytes(oneroster_11())

    call_command("import-patrons", str(path), school="nord")
    with pytest.raises(CommandError) as refused:
        call_command("import-patrons", str(path), school="ingen")

    out = capsys.readouterr().out
    assert "Skole i pakken: Nordskolen (nord-org)." in out
    assert str(refused.value) == "Ingen skole har koden »ingen«."
