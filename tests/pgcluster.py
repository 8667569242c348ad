"""Run a command against a throwaway PostgreSQL cluster, then remove the cluster.

    python -m tests.pgcluster -- pytest ...

Finds the server binaries (pg_ctl on PATH, else Debian's /usr/lib/postgresql/N/bin), makes a
cluster in a temporary folder with durability off (it is thrown away), listens on a free port on
127.0.0.1 only, and runs the command with REOL_DATABASE_URL pointing at it. PostgreSQL refuses
to run as root, so as root the cluster runs as the `postgres` user (or a `reol-pg` system user
made for it).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path


def _bin_dir() -> Path:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name)
    )
    if not candidates:
        sys.exit("No PostgreSQL server binaries: run scripts/ensure-system-deps (make test does).")
    return candidates[-1].parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run_as() -> list[str]:
    if os.geteuid() != 0:
        return []
    for name in ("postgres", "reol-pg"):
        try:
            pwd.getpwnam(name)
            return ["runuser", "-u", name, "--"]
        except KeyError:
            continue
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "reol-pg"],
        check=True,
    )
    return ["runuser", "-u", "reol-pg", "--"]


def main(argv: list[str]) -> int:
    if "--" in argv:
        argv = argv[argv.index("--") + 1 :]
    if not argv:
        sys.exit("usage: python -m tests.pgcluster -- COMMAND [ARGS...]")
    bin_dir, prefix, port = _bin_dir(), _run_as(), _free_port()
    root = Path(tempfile.mkdtemp(prefix="reol-pg-"))
    data = root / "data"
    if prefix:
        shutil.chown(root, user=prefix[2])
    root.chmod(0o755)

    def pg(*args: str) -> None:
        subprocess.run(
            [*prefix, str(bin_dir / args[0]), *args[1:]], check=True, stdout=subprocess.DEVNULL
        )

    try:
        pg(
            "initdb",
            "-D",
            str(data),
            "-U",
            "reol",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        options = (
            f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
        )
        pg("pg_ctl", "-D", str(data), "-o", options, "-l", str(root / "server.log"), "-w", "start")
        pg("createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "reol", "reol")
        env = dict(os.environ, REOL_DATABASE_URL=f"postgres://reol@127.0.0.1:{port}/reol")
        print(f"PostgreSQL test cluster on 127.0.0.1:{port} ({bin_dir})", flush=True)
        return subprocess.run(argv, env=env, check=False).returncode
    finally:
        subprocess.run(
            [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
