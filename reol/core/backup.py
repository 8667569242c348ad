"""Backup and restore of the whole database, so that a restore cannot destroy.

SQLite: the online backup API (a consistent copy while the server keeps serving) into a file
made readable by its owner only, switched out of WAL so that it is one self-contained file.
PostgreSQL: pg_dump's custom format and pg_restore, with the client binaries on the machine,
into a file of the same mode.

A backup holds password hashes and children's data: it is written under a temporary name with
mode 0600 from the first byte and renamed into place when complete, so a reader never finds a
half-written or world-readable backup.

``inspect`` reads a file before anything is replaced: a backup of this installation's kind of
database, whole (not cut short), with Django's migration table, Reol's apps in it, and no
migration this version of Reol does not know (a backup of an older version is restored and
then migrated forward). ``restore`` inspects, then writes a safety copy of the current
database under ``var/backups/``, then replaces it.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils.translation import gettext as _

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
MIGRATIONS_TABLE = "django_migrations"


class BackupError(Exception):
    pass


@dataclass
class BackupInfo:
    """What ``inspect`` found in a backup file."""

    path: Path
    vendor: str
    migrations: set[tuple[str, str]] = field(default_factory=set)
    missing: set[tuple[str, str]] = field(default_factory=set)  # of the code: migrate after

    @property
    def behind(self) -> bool:
        return bool(self.missing)


# --- Helpers ----------------------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    if candidates:
        return str(candidates[0])
    raise BackupError(
        _("%(tool)s is not installed (Debian package postgresql-client).") % {"tool": name}
    )


def _pg_env_and_args() -> tuple[dict[str, str], list[str]]:
    s = connection.settings_dict
    env = dict(os.environ)
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = s["PASSWORD"]
    args = ["--dbname", s["NAME"]]
    if s.get("HOST"):
        args += ["--host", s["HOST"]]
    if s.get("PORT"):
        args += ["--port", str(s["PORT"])]
    if s.get("USER"):
        args += ["--username", s["USER"]]
    return env, args


def _run(cmd: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(result.stderr.strip() or f"{cmd[0]} failed")
    return result.stdout


def _private_file(target: Path) -> Path:
    """A new, empty file beside ``target``, readable and writable by its owner only."""
    partial = target.parent / f".{target.name}.{uuid.uuid4().hex[:8]}.partial"
    os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    return partial


def code_migrations() -> set[tuple[str, str]]:
    """Every migration this version of Reol (and the Django apps it runs) has on disk."""
    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def _reol_apps() -> set[str]:
    return {
        a.label
        for a in apps.get_app_configs()
        if a.name.startswith("reol.") and (Path(a.path) / "migrations").is_dir()
    }


# --- Backup -----------------------------------------------------------------------------------


def backup(target: Path) -> None:
    """Write the whole database to ``target`` (mode 0600, one self-contained file)."""
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    if connection.vendor not in ("sqlite", "postgresql"):
        raise BackupError(
            _("No backup for the %(vendor)s database.") % {"vendor": connection.vendor}
        )
    partial = _private_file(target)
    try:
        if connection.vendor == "sqlite":
            _sqlite_backup(partial)
        else:
            env, args = _pg_env_and_args()
            cmd = [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(partial)]
            _run([*cmd, *args], env)
        os.chmod(partial, 0o600)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _sqlite_backup(partial: Path) -> None:
    source = sqlite3.connect(connection.settings_dict["NAME"])
    try:
        dest = sqlite3.connect(partial)
        try:
            source.backup(dest)
            # the copy took the live database's WAL flag; a backup is one file, no -wal/-shm
            dest.execute("PRAGMA journal_mode=DELETE")
        finally:
            dest.close()
    finally:
        source.close()


# --- Inspect ----------------------------------------------------------------------------------


def inspect(source: Path) -> BackupInfo:
    """What the file is, or a BackupError that says why it is not a backup to restore here."""
    source = source.resolve()
    if not source.is_file():
        raise BackupError(_("There is no file %(path)s.") % {"path": source})
    with source.open("rb") as stream:
        head = stream.read(100)
    if connection.vendor == "sqlite":
        if head.startswith(PGDUMP_MAGIC):
            raise BackupError(
                _("%(path)s is a PostgreSQL backup; this installation runs on SQLite.")
                % {"path": source}
            )
        if not head.startswith(SQLITE_MAGIC):
            raise BackupError(_("%(path)s is not a Reol backup.") % {"path": source})
        info = BackupInfo(source, "sqlite", _sqlite_migrations(source, head))
    elif connection.vendor == "postgresql":
        if head.startswith(SQLITE_MAGIC):
            raise BackupError(
                _("%(path)s is a SQLite backup; this installation runs on PostgreSQL.")
                % {"path": source}
            )
        if not head.startswith(PGDUMP_MAGIC):
            raise BackupError(_("%(path)s is not a Reol backup.") % {"path": source})
        info = BackupInfo(source, "postgresql", _pg_migrations(source))
    else:
        raise BackupError(
            _("No restore for the %(vendor)s database.") % {"vendor": connection.vendor}
        )
    _check_schema(info)
    return info


def _damaged(source: Path) -> BackupError:
    return BackupError(
        _("%(path)s is damaged or cut short (an interrupted copy?); nothing was restored.")
        % {"path": source}
    )


def _sqlite_migrations(source: Path, head: bytes) -> set[tuple[str, str]]:
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(head[28:32], "big")
    if len(head) < 100 or source.stat().st_size < page_size * pages:
        raise _damaged(source)
    try:
        db = sqlite3.connect(f"file:{source}?mode=ro&immutable=1", uri=True)
        try:
            if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise _damaged(source)
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if MIGRATIONS_TABLE not in tables:
                raise _not_reol(source)
            rows = db.execute("SELECT app, name FROM django_migrations").fetchall()
        finally:
            db.close()
    except sqlite3.DatabaseError:
        raise _damaged(source) from None
    return {(str(app), str(name)) for app, name in rows}


def _pg_migrations(source: Path) -> set[tuple[str, str]]:
    env, _args = _pg_env_and_args()
    tool = _pg_tool("pg_restore")
    try:
        listing = _run([tool, "--list", str(source)], env)
    except BackupError:
        raise _damaged(source) from None
    if f"TABLE public {MIGRATIONS_TABLE} " not in listing:
        raise _not_reol(source)
    try:
        data = _run(
            [tool, "--data-only", "--table", MIGRATIONS_TABLE, "--file", "-", str(source)], env
        )
    except BackupError:
        raise _damaged(source) from None
    found: set[tuple[str, str]] = set()
    copying = False
    for line in data.splitlines():
        if line.startswith("COPY ") and MIGRATIONS_TABLE in line:
            copying = True
        elif copying and line == "\\.":
            copying = False
        elif copying:
            cells = line.split("\t")
            if len(cells) >= 3:
                found.add((cells[1], cells[2]))
    return found


def _not_reol(source: Path) -> BackupError:
    return BackupError(
        _("%(path)s is a database, but not a backup of Reol; nothing was restored.")
        % {"path": source}
    )


def _check_schema(info: BackupInfo) -> None:
    ours = code_migrations()
    if not _reol_apps() <= {app for app, _name in info.migrations}:
        raise _not_reol(info.path)
    unknown = sorted(info.migrations - ours)
    if unknown:
        names = ", ".join(f"{app}.{name}" for app, name in unknown[:5])
        raise BackupError(
            _(
                "%(path)s was made by a newer version of Reol (it has changes to the database "
                "this version does not know: %(names)s). Upgrade Reol first; nothing was restored."
            )
            % {"path": info.path, "names": names}
        )
    info.missing = ours - info.migrations


# --- Restore ----------------------------------------------------------------------------------


def safety_copy_path() -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    suffix = "sqlite3" if connection.vendor == "sqlite" else "dump"
    folder = Path(settings.VAR_DIR) / "backups"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder / f"before-restore-{stamp}-{uuid.uuid4().hex[:6]}.{suffix}"


def restore(source: Path) -> tuple[BackupInfo, Path]:
    """Inspect ``source``, write a safety copy of the current database, then replace it.
    Returns what was restored and where the safety copy is."""
    info = inspect(source)
    safety = safety_copy_path()
    backup(safety)
    connection.close()
    if info.vendor == "sqlite":
        src = sqlite3.connect(f"file:{info.path}?mode=ro", uri=True)
        try:
            dest = sqlite3.connect(connection.settings_dict["NAME"])
            with dest:
                src.backup(dest)
            dest.close()
        finally:
            src.close()
    else:
        env, args = _pg_env_and_args()
        cmd = [
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            *args,
            str(info.path),
        ]
        _run(cmd, env)
    return info, safety
