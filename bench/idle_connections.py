"""Does an idle connection stall the desk? API checkout latency with and without 20 idle
connections open, side by side, for gunicorn's sync workers (``make run`` before), its stock
threaded workers (gthread, 2 workers x 4 threads), and Reol's gthread worker (``make run`` now:
``reol.server.ThreadWorker``, which waits 50 ms rather than 5 s for a new connection's first
byte before it parks the socket in its poller).

    .venv/bin/python bench/idle_connections.py [--ops N] [--idle 20] [--timeout 10]

One SQLite database in a temporary REOL_VAR_DIR: a school, a librarian with an API token, a
teacher and the copies. For each server, one client lends ``--ops`` copies (``POST
/api/v1/circulation/checkout``, a new connection per request) and returns them, three times:

* quiet — nothing else connected;
* keep-alive — first ``--idle`` connections each make one complete request with ``Connection:
  keep-alive`` and then stay open, saying nothing (a browser's tab between two clicks);
* pre-connected — ``--idle`` connections opened but no byte sent (a browser's speculative
  pre-connect, or a slow client still sending its request).

gunicorn's ``--timeout`` is set to ``--timeout`` seconds (default 5 s, not gunicorn's 30 s,
to keep the run short): a sync worker stuck reading a silent socket is killed and restarted
only then, so that is what a checkout behind one waits.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

THREADED = ["--workers", "2", "--threads", "4"]
SERVERS = {
    "reol gthread, 2 x 4": ["--worker-class", "reol.server.ThreadWorker", *THREADED],
    "gthread, 2 x 4": ["--worker-class", "gthread", *THREADED],
    "sync, 3 workers": ["--workers", "3"],
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _world(ops: int) -> dict[str, Any]:
    """Migrate a fresh database and make what the checkouts need (run with Django set up)."""
    from django.core.management import call_command

    from reol.catalog import services as catalog
    from reol.catalog.tests.helpers import book
    from reol.circulation.actions import rules
    from reol.core import services
    from reol.core.permissions import SYSTEM

    call_command("migrate", verbosity=0, interactive=False)
    municipality = services.create_municipality(SYSTEM, code="bench", name="Bench")
    school = services.create_school(SYSTEM, municipality=municipality, code="bench", name="Bench")
    librarian = services.create_person(
        SYSTEM, school, username="bib", role="librarian", first_name="Bib"
    )
    _token, secret = services.create_api_token(SYSTEM, librarian)
    rules.adopt_default_rules(SYSTEM, school)
    for rule in school.loan_rules.filter(patron_category="staff"):
        rules.save_rule(SYSTEM, school, rule, max_loans=10_000)
    teacher = services.create_person(
        SYSTEM, school, username="laerer", role="teacher", first_name="Lærer"
    )
    record = catalog.create_record(SYSTEM, municipality, book("Bog", control="b1"))
    copies = catalog.add_items(SYSTEM, record, school, count=ops)
    return {"token": secret, "patron": teacher.username, "items": [c.barcode for c in copies]}


def _server(port: int, args: list[str], timeout: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ, REOL_STATIC_MANIFEST="0", DJANGO_SETTINGS_MODULE="reol.settings")
    command = [str(Path(sys.executable).parent / "gunicorn"), "reol.wsgi"]
    command += ["--bind", f"127.0.0.1:{port}", "--timeout", str(timeout), *args]
    server = subprocess.Popen([*command, "--log-level", "error"], env=env, cwd=ROOT)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/api/v1/health")
            if connection.getresponse().status == 200:
                connection.close()
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def _post(port: int, path: str, token: str, body: dict[str, str]) -> int:
    """The answer's status; 0 when none came within a minute (counted as an error)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    try:
        connection.request("POST", path, body=json.dumps(body), headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    except OSError:
        return 0
    finally:
        connection.close()


def _idle(port: int, n: int, kind: str) -> list[socket.socket]:
    """``n`` open connections, quiet from now on."""
    sockets = []
    for _ in range(n):
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        if kind == "keep-alive":
            sock.sendall(
                b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n"
            )
            sock.recv(65536)  # the answer; the connection stays open
        sockets.append(sock)
    time.sleep(0.2)  # let the server take them in
    return sockets


def _round(port: int, world: dict[str, Any], idle: int, kind: str) -> dict[str, float]:
    """Lend every copy and return it, with ``idle`` connections of ``kind`` open."""
    sockets = _idle(port, idle, kind) if idle else []
    samples: list[float] = []
    errors = 0
    try:
        for barcode in world["items"]:
            t = time.perf_counter()
            status = _post(
                port,
                "/api/v1/circulation/checkout",
                world["token"],
                {"patron": world["patron"], "item": barcode},
            )
            samples.append(time.perf_counter() - t)
            errors += status != 201
    finally:
        for sock in sockets:
            sock.close()
    for barcode in world["items"]:  # the copies go back for the next round (not timed)
        _post(port, "/api/v1/circulation/checkin", world["token"], {"item": barcode})
    ordered = sorted(samples)
    return {
        "p50": ordered[len(ordered) // 2] * 1000,
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
        "max": ordered[-1] * 1000,
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ops", type=int, default=60, help="checkouts a round")
    parser.add_argument("--idle", type=int, default=20, help="idle connections held open")
    parser.add_argument("--timeout", type=int, default=5, help="gunicorn --timeout, seconds")
    parser.add_argument("--only", choices=["reol", "gthread", "sync"], help="one server only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reol-bench-idle-") as tmp:
        os.environ["REOL_VAR_DIR"] = tmp
        os.environ.pop("REOL_DATABASE_URL", None)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reol.settings")
        import django

        django.setup()
        world = _world(args.ops)
        from django.db import connections

        connections.close_all()
        rows = []
        for name, server_args in SERVERS.items():
            if args.only and not name.startswith(args.only):
                continue
            port = _free_port()
            server = _server(port, server_args, args.timeout)
            try:
                _round(port, world, 0, "quiet")  # warm up every worker
                for kind in ("quiet", "keep-alive", "pre-connected"):
                    stats = _round(port, world, 0 if kind == "quiet" else args.idle, kind)
                    rows.append((name, kind, stats))
            finally:
                server.terminate()
                server.wait(timeout=30)
    print(
        f"\nAPI checkout, one client, {args.ops} requests a round, SQLite; "
        f"{args.idle} idle connections; gunicorn --timeout {args.timeout}"
    )
    print(f"{'server':24} {'idle connections':18} {'p50 ms':>9} {'p99 ms':>9} {'max ms':>9} errors")
    for name, kind, s in rows:
        print(
            f"{name:24} {kind:18} {s['p50']:>9.2f} {s['p99']:>9.2f} {s['max']:>9.1f} "
            f"{s['errors']:>6}"
        )


if __name__ == "__main__":
    main()
