"""``reol backup`` and ``reol restore`` cannot destroy: a foreign, cut-short or too new file is
refused with the current data untouched; without a terminal the command asks for ``--yes``
instead of crashing; a successful restore keeps a safety copy of what it replaced; a backup is
one file readable by its owner only.

Before, ``reol restore other.db --yes`` replaced the database with any SQLite file, a cut-short
backup gave a traceback, ``restore`` without a terminal crashed with ``EOFError``, and backups
were mode 644 with the live database's WAL flag (a -wal and -shm beside them when opened)."""

from __future__ import annotations

import io
import sqlite3
import stat
import subprocess
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from reol.core import backup as backups
from reol.core.models import School

pytestmark = pytest.mark.django_db(transaction=True)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def var(settings, tmp_path) -> Path:
    settings.VAR_DIR = tmp_path / "var"
    return settings.VAR_DIR


@pytest.fixture
def vest(var) -> None:
    run("school", "add", "--code", "vest", "--name", "Vestskolen")


def _untouched() -> None:
    assert School.objects.get(code="vest").name == "Vestskolen"


def _foreign_database(path: Path) -> Path:
    """Another program's database: one table, no rows (on PostgreSQL, a dump of one table)."""
    if connection.vendor == "sqlite":
        db = sqlite3.connect(path)
        db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
        db.commit()
        db.close()
    else:
        env, args = backups._pg_env_and_args()
        tool = backups._pg_tool("pg_dump")
        cmd = [tool, "--format=custom", "--table", "core_school", "--file", str(path), *args]
        subprocess.run(cmd, env=env, check=True)
    return path


def test_a_foreign_database_is_refused_and_nothing_changes(vest, tmp_path):
    other = _foreign_database(tmp_path / "other.db")
    with pytest.raises(CommandError, match="not a backup of Reol; nothing was restored"):
        run("restore", str(other), "--yes")
    _untouched()
    assert School.objects.count() == 1


def test_a_file_of_the_other_database_kind_is_refused(vest, tmp_path):
    other = tmp_path / "other.db"
    other.write_bytes(
        backups.PGDUMP_MAGIC + b"\x00" * 200
        if connection.vendor == "sqlite"
        else backups.SQLITE_MAGIC + b"\x00" * 200
    )
    with pytest.raises(CommandError, match="this installation runs on"):
        run("restore", str(other), "--yes")
    _untouched()


def test_a_cut_short_backup_is_refused_with_a_message(vest, tmp_path):
    whole = tmp_path / "reol.backup"
    run("backup", str(whole))
    cut = tmp_path / "cut.backup"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 3])
    School.objects.filter(code="vest").update(name="Vestskolen")
    with pytest.raises(CommandError, match="damaged or cut short"):
        run("restore", str(cut), "--yes")
    _untouched()


def test_a_backup_of_a_newer_reol_is_refused(vest, tmp_path):
    future = MigrationRecorder.Migration.objects.create(app="core", name="9999_from_the_future")
    made = tmp_path / "newer.backup"
    run("backup", str(made))
    future.delete()
    with pytest.raises(CommandError, match=r"newer version of Reol.*core\.9999_from_the_future"):
        run("restore", str(made), "--yes")
    _untouched()


def test_without_a_terminal_and_without_yes_it_asks_for_yes(vest, tmp_path, monkeypatch):
    made = tmp_path / "reol.backup"
    run("backup", str(made))
    School.objects.filter(code="vest").update(name="Changed")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # no terminal, nothing to read
    with pytest.raises(CommandError, match="run again with --yes"):
        run("restore", str(made))
    assert School.objects.get(code="vest").name == "Changed"


def test_a_missing_file_is_named_before_anything_is_asked(vest, tmp_path, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(CommandError, match=r"There is no file .*nowhere\.backup"):
        run("restore", str(tmp_path / "nowhere.backup"))
    _untouched()


def test_a_restore_keeps_a_safety_copy_of_what_it_replaced(vest, var, tmp_path):
    made = tmp_path / "reol.backup"
    run("backup", str(made))
    School.objects.filter(code="vest").update(name="Changed after the backup")
    out = run("restore", str(made), "--yes")
    _untouched()
    (safety,) = (var / "backups").iterdir()
    assert str(safety) in out and stat.S_IMODE(safety.stat().st_mode) == 0o600
    run("restore", str(safety), "--yes")  # the safety copy is itself a backup
    assert School.objects.get(code="vest").name == "Changed after the backup"


def test_a_backup_is_one_file_for_its_owner_only(vest, tmp_path):
    made = tmp_path / "reol.backup"
    run("backup", str(made))
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    if connection.vendor == "sqlite":
        assert made.read_bytes()[18:20] == b"\x01\x01"  # not WAL: opening it makes no -wal
        db = sqlite3.connect(made)
        assert db.execute("SELECT name FROM core_school").fetchall() == [("Vestskolen",)]
        db.close()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("reol")) == [
        "reol.backup"
    ]
