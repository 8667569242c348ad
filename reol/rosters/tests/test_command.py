"""``reol import-patrons``: the same importer from the command line."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from reol.core.models import AuditEvent
from reol.core.permissions import SYSTEM
from reol.patrons.models import Patron
from reol.rosters import services

from .helpers import csv_bytes, oneroster_11

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
    assert "Windows-1252" in out and "create           Anna Ærø" in out and "Dry run" in out
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
