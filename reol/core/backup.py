"""Backup and restore of the whole database.

SQLite: the online backup API (a consistent copy while the server keeps serving).
PostgreSQL: pg_dump's custom format and pg_restore, with the client binaries on the machine.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection
from django.utils.translation import gettext as _

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    pass


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    if candidates:
        return str(candidates[0])
    raise BackupError(
        _("%(name)s is not installed (Debian package postgresql-client).") % {"name": name}
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


def backup(target: Path) -> None:
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "sqlite":
        source = sqlite3.connect(connection.settings_dict["NAME"])
        try:
            dest = sqlite3.connect(target)
            with dest:
                source.backup(dest)
            dest.close()
        finally:
            source.close()
    elif connection.vendor == "postgresql":
        env, args = _pg_env_and_args()
        cmd = [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target), *args]
        _run(cmd, env)
    else:
        raise BackupError(
            _("There is no backup for a %(vendor)s database.") % {"vendor": connection.vendor}
        )


def restore(source: Path) -> None:
    source = source.resolve()
    if not source.is_file():
        raise BackupError(_("%(file)s is not a file.") % {"file": source})
    head = source.read_bytes()[:16]
    if connection.vendor == "sqlite":
        if head != SQLITE_MAGIC:
            raise BackupError(_("%(file)s is not a SQLite backup.") % {"file": source})
        connection.close()
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            check = src.execute("PRAGMA integrity_check").fetchone()[0]
            if check != "ok":
                raise BackupError(
                    _("%(file)s is damaged: %(check)s") % {"file": source, "check": check}
                )
            dest = sqlite3.connect(connection.settings_dict["NAME"])
            with dest:
                src.backup(dest)
            dest.close()
        finally:
            src.close()
    elif connection.vendor == "postgresql":
        if not head.startswith(PGDUMP_MAGIC):
            raise BackupError(
                _("%(file)s is not a pg_dump custom-format backup.") % {"file": source}
            )
        connection.close()
        env, args = _pg_env_and_args()
        cmd = [
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            *args,
            str(source),
        ]
        _run(cmd, env)
    else:
        raise BackupError(
            _("There is no restore for a %(vendor)s database.") % {"vendor": connection.vendor}
        )


def _run(cmd: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(result.stderr.strip() or _("%(program)s failed") % {"program": cmd[0]})
