"""Checkouts and check-ins per second, and their p50/p99 latency, through the service and through
the HTTP API with 1, 4 and 8 concurrent clients, each beside two floors measured in the same run
on the same server: the raw SQL checkout transaction and a trivial API endpoint.

    .venv/bin/python bench/circulation.py [--ops N] [--workers W] [--skip-sqlite]
                                          [--skip-postgres] [--class-sets K] [--threads T]

For each database (a fresh SQLite file in a temporary REOL_VAR_DIR; a throwaway PostgreSQL
cluster made by tests.pgcluster) a worker process migrates, makes a school, a librarian with an
API token, 8 teachers (staff: no limit of one copy per title) and N copies per client, then:

* service — ``circulation.actions.loans.checkout``/``checkin`` called in-process, one client;
* raw SQL — the same transaction with no Django (sqlite3 / psycopg): look up the copy (locked on
  PostgreSQL) and the patron, count their loans, insert the loan, update the copy, queue the
  record for search, write the audit event; check-in likewise. 1, 4 and 8 client processes;
* API — ``POST /api/v1/circulation/checkout`` and ``/checkin`` (bearer token) against gunicorn
  started as ``make run`` starts it (``reol.server.ThreadWorker``, ``--workers W`` × ``--threads
  T``, default 2 × 4), 1, 4 and 8 client processes, each with its own teacher and copies, a new
  connection per request;
* trivial — ``GET /bench/pk/<id>`` on the same gunicorn: the same middleware and token
  authentication, then one primary-key read of a copy, as JSON (served by this module's URLs
  put in front of Reol's);
* class set — ``POST /api/v1/circulation/class-sets`` lending 28 copies to a teacher for a
  class in one request, then the batch return, K times.

Each client times every request itself; ops/s is all requests over the wall time from the first
start to the last finish. Targets (issue 5): a single client's API checkout p50 ≤ 5 ms and p99 ≤
15 ms; with 8 clients the API checks out at ≥ 50 % of the trivial endpoint's rate; a class set of
28 copies in one request ≤ 300 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import multiprocessing
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

CLIENTS = (1, 4, 8)
CLASS_SET = 28


def _stats(samples: list[float], wall: float) -> dict[str, float]:
    ordered = sorted(samples)
    if not ordered:
        return {"n": 0, "rate": 0.0, "p50": 0.0, "p99": 0.0}
    return {
        "n": len(ordered),
        "rate": len(ordered) / wall if wall > 0 else 0.0,
        "p50": ordered[len(ordered) // 2] * 1000,
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
    }


# --- The trivial endpoint, served by gunicorn in front of Reol's own URLs ----------------------


def wsgi_app() -> Any:
    """gunicorn 'bench.circulation:wsgi_app()': Reol, with /bench/pk/<id> added in front."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reol.settings")
    import django
    from django.conf import settings

    django.setup()
    settings.ROOT_URLCONF = "bench.circulation"
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


def _urlpatterns() -> list[Any]:
    from django.urls import path
    from ninja import NinjaAPI

    import reol.urls
    from reol.api.api import BearerToken
    from reol.catalog.models import Item

    floor = NinjaAPI(auth=[BearerToken()], urls_namespace="bench", docs_url=None)

    @floor.get("/pk/{int:pk}")
    def by_pk(request: Any, pk: int) -> dict[str, Any]:
        item = Item.objects.only("id", "barcode", "status").get(pk=pk)
        return {"id": item.pk, "barcode": item.barcode, "status": item.status}

    return [path("bench/", floor.urls), *reol.urls.urlpatterns]


def __getattr__(name: str) -> Any:
    # Django reads ``urlpatterns`` of the ROOT_URLCONF module; built on first use (after setup).
    if name == "urlpatterns":
        patterns = _urlpatterns()
        globals()["urlpatterns"] = patterns
        return patterns
    raise AttributeError(name)


# --- Clients (processes of their own; none of them uses Django) -------------------------------


def _http(port: int, method: str, path: str, token: str, body: Any = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {token}"}
    payload = None
    if body is not None:
        payload = json.dumps(body)
        headers["Content-Type"] = "application/json"
    connection.request(method, path, body=payload, headers=headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, data


def api_client(job: dict[str, Any], barrier: Any, out: Any) -> None:
    """Lend then return this client's copies through the API (or read them, ``trivial``)."""
    port, token, kind = job["port"], job["token"], job["kind"]
    samples: list[float] = []
    errors = 0
    barrier.wait()
    started = time.perf_counter()
    for n, barcode in enumerate(job["items"]):
        t = time.perf_counter()
        if kind == "checkout":
            status, _ = _http(
                port,
                "POST",
                "/api/v1/circulation/checkout",
                token,
                {"patron": job["patron"], "item": barcode},
            )
            ok = status == 201
        elif kind == "checkin":
            status, _ = _http(port, "POST", "/api/v1/circulation/checkin", token, {"item": barcode})
            ok = status == 200
        else:
            status, _ = _http(port, "GET", f"/bench/pk/{job['ids'][n]}", token)
            ok = status == 200
        samples.append(time.perf_counter() - t)
        errors += 0 if ok else 1
    out.put({"samples": samples, "start": started, "end": time.perf_counter(), "errors": errors})


def _raw_connection(job: dict[str, Any]) -> Any:
    if job["vendor"] == "sqlite":
        import sqlite3

        connection = sqlite3.connect(job["path"], isolation_level=None, timeout=20)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA foreign_keys=ON")
        return connection
    import psycopg

    return psycopg.connect(job["url"], autocommit=True)


def _now(job: dict[str, Any]) -> Any:
    now = dt.datetime.now(dt.UTC)
    if job["vendor"] == "sqlite":  # as Django stores it: naive UTC text
        return now.replace(tzinfo=None).isoformat(" ")
    return now


def _sql(job: dict[str, Any], sql: str) -> str:
    """Our statements are written with SQLite's ``?``; psycopg takes ``%s``."""
    return sql if job["vendor"] == "sqlite" else sql.replace("?", "%s")


ITEM_BY_BARCODE = "SELECT id, status, school_id, record_id FROM catalog_item WHERE barcode = ?"
ITEM_BY_BARCODE_LOCKED = ITEM_BY_BARCODE + " FOR UPDATE"  # PostgreSQL; SQLite's BEGIN IMMEDIATE
PATRON = "SELECT id FROM core_user WHERE username = ?"
COUNT_LOANS = "SELECT COUNT(*) FROM circulation_loan WHERE patron_id = ? AND returned_at IS NULL"
INSERT_LOAN = (
    "INSERT INTO circulation_loan (school_id, item_id, patron_id, patron_category, state, "
    "loan_date, checked_out_at, due_date, renewals) "
    "VALUES (?, ?, ?, 'staff', 'active', ?, ?, ?, 0) RETURNING id"
)
LEND_ITEM = "UPDATE catalog_item SET status = 'on_loan', updated_at = ? WHERE id = ?"
OPEN_LOAN = "SELECT id FROM circulation_loan WHERE item_id = ? AND returned_at IS NULL"
RETURN_LOAN = (
    "UPDATE circulation_loan SET state = 'returned', returned_at = ?, returned_school_id = ? "
    "WHERE id = ?"
)
SHELVE_ITEM = "UPDATE catalog_item SET status = 'available', updated_at = ? WHERE id = ?"
QUEUE = "INSERT INTO catalog_searchoutbox (record_id, created_at) VALUES (?, ?)"
AUDIT = (
    "INSERT INTO core_auditevent (at, actor_id, actor_name, action, object_type, object_id, "
    "object_repr, object_key, school_id, municipality_id, ip_address, via, details) VALUES "
    "(?, ?, ?, ?, 'loan', ?, ?, ?, ?, ?, NULL, 'api', ?)"
)


def _item(cur: Any, job: dict[str, Any], barcode: str) -> tuple[int, str, int, int]:
    sql = ITEM_BY_BARCODE if job["vendor"] == "sqlite" else ITEM_BY_BARCODE_LOCKED
    cur.execute(_sql(job, sql), (barcode,))
    row: tuple[int, str, int, int] = cur.fetchone()
    return row


def raw_checkout(cur: Any, job: dict[str, Any], barcode: str) -> None:
    item_id, status, school_id, record_id = _item(cur, job, barcode)
    assert status == "available", status
    cur.execute(_sql(job, PATRON), (job["patron"],))
    (patron_id,) = cur.fetchone()
    cur.execute(_sql(job, COUNT_LOANS), (patron_id,))
    cur.fetchone()
    now, today = _now(job), dt.datetime.now(dt.UTC).date()  # what a bare SQL desk would write
    due = today + dt.timedelta(days=28)
    dates: tuple[Any, Any] = (today, due)
    if job["vendor"] == "sqlite":
        dates = (today.isoformat(), due.isoformat())
    cur.execute(_sql(job, INSERT_LOAN), (school_id, item_id, patron_id, dates[0], now, dates[1]))
    (loan_id,) = cur.fetchone()
    cur.execute(_sql(job, LEND_ITEM), (now, item_id))
    _raw_tail(cur, job, now, record_id, school_id, "loan.checkout", loan_id, barcode)


def raw_checkin(cur: Any, job: dict[str, Any], barcode: str) -> None:
    item_id, _status, school_id, record_id = _item(cur, job, barcode)
    cur.execute(_sql(job, OPEN_LOAN), (item_id,))
    (loan_id,) = cur.fetchone()
    now = _now(job)
    cur.execute(_sql(job, RETURN_LOAN), (now, school_id, loan_id))
    cur.execute(_sql(job, SHELVE_ITEM), (now, item_id))
    _raw_tail(cur, job, now, record_id, school_id, "loan.checkin", loan_id, barcode)


def _raw_tail(
    cur: Any,
    job: dict[str, Any],
    now: Any,
    record_id: int,
    school_id: int,
    action: str,
    loan_id: int,
    barcode: str,
) -> None:
    cur.execute(_sql(job, QUEUE), (record_id, now))
    details = json.dumps({"item": barcode})
    cur.execute(
        _sql(job, AUDIT),
        (
            now,
            job["actor_id"],
            job["actor_name"],
            action,
            str(loan_id),
            barcode,
            barcode.casefold(),
            school_id,
            job["municipality_id"],
            details,
        ),
    )


def raw_client(job: dict[str, Any], barrier: Any, out: Any) -> None:
    connection = _raw_connection(job)
    step = raw_checkout if job["kind"] == "checkout" else raw_checkin
    samples: list[float] = []
    barrier.wait()
    started, cpu = time.perf_counter(), time.process_time()
    for barcode in job["items"]:
        t = time.perf_counter()
        cur = connection.cursor()
        cur.execute("BEGIN IMMEDIATE" if job["vendor"] == "sqlite" else "BEGIN")
        try:
            step(cur, job, barcode)
            cur.execute("COMMIT")
        except Exception:
            cur.execute("ROLLBACK")
            raise
        samples.append(time.perf_counter() - t)
    cpu = time.process_time() - cpu
    connection.close()
    out.put(
        {"samples": samples, "start": started, "end": time.perf_counter(), "errors": 0, "cpu": cpu}
    )


def _parallel(target: Any, jobs: list[dict[str, Any]]) -> dict[str, float]:
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(len(jobs))
    out = context.Queue()
    processes = [context.Process(target=target, args=(job, barrier, out)) for job in jobs]
    for process in processes:
        process.start()
    results = [out.get(timeout=600) for _ in processes]
    for process in processes:
        process.join()
    samples = [s for r in results for s in r["samples"]]
    wall = max(r["end"] for r in results) - min(r["start"] for r in results)
    stats = _stats(samples, wall)
    stats["errors"] = sum(r["errors"] for r in results)
    if all("cpu" in r for r in results) and samples:
        stats["cpu_ms"] = 1000 * sum(r["cpu"] for r in results) / len(samples)
    return stats


def _tree_cpu(pid: int) -> float:
    """CPU seconds used so far by a process and its children (gunicorn's master and workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    with contextlib.suppress(OSError):
        pids += [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for one in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def _served(server: Any, target: Any, jobs: list[dict[str, Any]]) -> dict[str, float]:
    """``_parallel`` against the server, with the server's CPU time per request."""
    before = _tree_cpu(server.pid)
    stats = _parallel(target, jobs)
    if stats["n"]:
        stats["cpu_ms"] = 1000 * (_tree_cpu(server.pid) - before) / stats["n"]
    return stats


# --- The worker: one database --------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _world(clients: int, ops: int) -> dict[str, Any]:
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
    teachers, items, ids = [], [], []
    for n in range(max(clients, 1)):
        teacher = services.create_person(
            SYSTEM, school, username=f"laerer{n}", role="teacher", first_name=f"Lærer {n}"
        )
        teachers.append(teacher.username)
        record = catalog.create_record(SYSTEM, municipality, book(f"Bog {n}", control=f"b{n}"))
        copies = catalog.add_items(SYSTEM, record, school, count=ops)
        items.append([c.barcode for c in copies])
        ids.append([c.pk for c in copies])
    analyzed()
    return {
        "school": school,
        "librarian": librarian,
        "municipality": municipality,
        "token": secret,
        "teachers": teachers,
        "items": items,
        "ids": ids,
    }


def analyzed() -> None:
    """Give PostgreSQL's planner the statistics a school's database has.

    A cluster made seconds ago has none until autovacuum's first round (a minute): its planner
    then guesses one row for any condition, and a teacher's count of open loans, once they have
    hundreds, ran as a nested loop over every copy (10 ms instead of 0.4). A database in use is
    analyzed by autovacuum as its tables grow. SQLite keeps no statistics unless asked (Reol
    does not ask), so there is nothing to do there.
    """
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _class_set_world(school: Any, municipality: Any, copies: int) -> tuple[int, str, int]:
    """A class with a teacher, and a title with enough copies for a class set."""
    from reol.catalog import services as catalog
    from reol.catalog.tests.helpers import book
    from reol.core.permissions import SYSTEM
    from reol.patrons import services as patrons

    teacher = patrons.create_patron(
        SYSTEM, school, category="teacher", username="klasselaerer", first_name="Klasse"
    )
    group = patrons.create_group(SYSTEM, school, name="7.A", school_year="2026/27", grade=7)
    patrons.add_member(SYSTEM, group, teacher, role="teacher")
    record = catalog.create_record(SYSTEM, municipality, book("Klassesættet", control="ks"))
    catalog.add_items(SYSTEM, record, school, count=copies)
    return record.pk, teacher.user.username, group.pk


def _server(port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ, REOL_STATIC_MANIFEST="0", DJANGO_SETTINGS_MODULE="reol.settings")
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "bench.circulation:wsgi_app()",
            "--bind",
            f"127.0.0.1:{port}",
            "--worker-class",
            "reol.server.ThreadWorker",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--pythonpath",
            str(ROOT),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/api/v1/health")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def worker(ops: int, workers: int, threads: int, class_sets: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reol.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, connections

    from reol.circulation.actions import loans as loan_actions

    load_before = os.getloadavg()[0]
    world = _world(max(CLIENTS), ops)
    school, librarian = world["school"], world["librarian"]
    vendor = connection.vendor
    base: dict[str, Any] = {
        "vendor": vendor,
        "actor_id": librarian.pk,
        "actor_name": librarian.username,
        "municipality_id": world["municipality"].pk,
    }
    if vendor == "sqlite":
        base["path"] = str(settings.DATABASES["default"]["NAME"])
    else:
        base["url"] = os.environ["REOL_DATABASE_URL"]
    rows: list[dict[str, Any]] = []

    # (a) the service, in-process, one client.
    for kind in ("checkout", "checkin"):
        samples = []
        started, cpu = time.perf_counter(), time.process_time()
        for barcode in world["items"][0]:
            t = time.perf_counter()
            if kind == "checkout":
                loan_actions.checkout(librarian, school, world["teachers"][0], barcode)
            else:
                loan_actions.checkin(librarian, school, barcode)
            samples.append(time.perf_counter() - t)
        stats = _stats(samples, time.perf_counter() - started)
        stats["cpu_ms"] = 1000 * (time.process_time() - cpu) / len(samples)
        rows.append({"what": f"service {kind}", "clients": 1, **stats})
    connections.close_all()  # the clients are forked: no shared connection

    def jobs(kind: str, n: int, **extra: Any) -> list[dict[str, Any]]:
        return [
            {
                **base,
                **extra,
                "kind": kind,
                "patron": world["teachers"][c],
                "items": world["items"][c],
                "ids": world["ids"][c],
            }
            for c in range(n)
        ]

    # The raw SQL floor.
    for n in CLIENTS:
        for kind in ("checkout", "checkin"):
            rows.append(
                {"what": f"raw SQL {kind}", "clients": n, **_parallel(raw_client, jobs(kind, n))}
            )

    # (b) the API, beside the trivial endpoint on the same server.
    port = _free_port()
    server = _server(port, workers, threads)
    try:
        # Warm every worker (URL resolver, ninja's schemas, the circulation API's imports).
        for n in range(4 * workers * threads):
            _http(port, "GET", f"/bench/pk/{world['ids'][0][n % ops]}", world["token"])
            _http(port, "GET", f"/api/v1/items/{world['items'][0][n % ops]}", world["token"])
        for n in CLIENTS:
            http_extra = {"port": port, "token": world["token"]}
            rows.append(
                {
                    "what": "trivial PK read",
                    "clients": n,
                    **_served(server, api_client, jobs("read", n, **http_extra)),
                }
            )
            for kind in ("checkout", "checkin"):
                rows.append(
                    {
                        "what": f"API {kind}",
                        "clients": n,
                        **_served(server, api_client, jobs(kind, n, **http_extra)),
                    }
                )
        class_rows = _bench_class_sets(world, server, port, class_sets) if class_sets else []
        rows.extend(class_rows)
    finally:
        server.terminate()
        server.wait(timeout=30)
    result = {
        "vendor": vendor,
        "workers": workers,
        "threads": threads,
        "ops": ops,
        "rows": rows,
        "load": [load_before, os.getloadavg()[0]],
        "cpus": os.cpu_count(),
    }
    print("RESULT " + json.dumps(result), flush=True)


def _bench_class_sets(
    world: dict[str, Any], server: Any, port: int, repeat: int
) -> list[dict[str, Any]]:
    """One request lends 28 copies (the system picks them); one request takes them back."""
    from django.db import connections

    record, teacher, group = _class_set_world(world["school"], world["municipality"], CLASS_SET)
    connections.close_all()
    out: dict[str, list[float]] = {"class set out (28)": [], "class set back (28)": []}
    cpu = dict.fromkeys(out, 0.0)
    for _ in range(repeat):
        before = _tree_cpu(server.pid)
        t = time.perf_counter()
        status, body = _http(
            port,
            "POST",
            "/api/v1/circulation/class-sets",
            world["token"],
            {"patron": teacher, "group": group, "record": record, "count": CLASS_SET},
        )
        out["class set out (28)"].append(time.perf_counter() - t)
        cpu["class set out (28)"] += _tree_cpu(server.pid) - before
        if status != 201:
            return [
                {
                    "what": "class set",
                    "clients": 1,
                    "n": 0,
                    "rate": 0,
                    "p50": 0,
                    "p99": 0,
                    "error": body.decode()[:300],
                }
            ]
        lent = json.loads(body)
        barcodes = [loan["item"] for loan in lent["loans"]]
        before = _tree_cpu(server.pid)
        t = time.perf_counter()
        status, body = _http(
            port,
            "POST",
            "/api/v1/circulation/class-sets/return",
            world["token"],
            {"items": barcodes},
        )
        out["class set back (28)"].append(time.perf_counter() - t)
        cpu["class set back (28)"] += _tree_cpu(server.pid) - before
        assert status == 200, body
    return [
        {
            "what": name,
            "clients": 1,
            **_stats(samples, sum(samples)),
            "cpu_ms": 1000 * cpu[name] / len(samples),
        }
        for name, samples in out.items()
    ]


# --- The parent: a database at a time, each in a process of its own ---------------------------


def _run(command: list[str], env: dict[str, str]) -> dict[str, Any] | None:
    process = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    for line in process.stdout.splitlines():
        if line.startswith("RESULT "):
            result: dict[str, Any] = json.loads(line[len("RESULT ") :])
            return result
    print(process.stdout[-3000:], process.stderr[-5000:], sep="\n", file=sys.stderr)
    return None


def _print(result: dict[str, Any]) -> None:
    vendor = result["vendor"]
    load = result.get("load", [0, 0])
    print(
        f"\n{vendor}: gunicorn ThreadWorker {result['workers']} × {result.get('threads')} threads, "
        f"{result['ops']} requests a client a "
        f"row; load average {load[0]:.1f} before, {load[1]:.1f} after ({result.get('cpus')} CPUs)"
    )
    print(
        f"{'':24} {'clients':>7} {'ops/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms':>7} "
        f"{'errors':>6}"
    )
    for row in result["rows"]:
        cpu = f"{row['cpu_ms']:>7.2f}" if "cpu_ms" in row else f"{'':>7}"
        print(
            f"{row['what']:24} {row['clients']:>7} {row['rate']:>9.1f} {row['p50']:>8.2f} "
            f"{row['p99']:>8.2f} {cpu} {row.get('errors', 0):>6}"
            + (f"  {row['error']}" if row.get("error") else "")
        )
    print(
        "  CPU ms: per request, of this process (service), of the client processes (raw SQL: "
        "with SQLite all the database work, with PostgreSQL none of the server's), or of "
        "gunicorn's master and workers (API, class sets; not the database server's)."
    )
    by = {(r["what"], r["clients"]): r for r in result["rows"]}
    for n in CLIENTS:
        api, floor, raw = (
            by.get(("API checkout", n)),
            by.get(("trivial PK read", n)),
            by.get(("raw SQL checkout", n)),
        )
        if api and floor and floor["rate"] and raw and raw["rate"]:
            of_floor = 100 * api["rate"] / floor["rate"]
            of_raw = 100 * api["rate"] / raw["rate"]
            print(
                f"  {n} client(s): API checkout at {of_floor:.0f} % of the trivial endpoint's "
                f"rate, {of_raw:.0f} % of raw SQL's"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ops", type=int, default=100, help="requests a client makes a row")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (make run: 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads a worker (make run: 4)")
    parser.add_argument("--class-sets", type=int, default=10, help="class sets to lend (0: none)")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.ops, args.workers, args.threads, args.class_sets)
        return
    me = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        *("--ops", str(args.ops), "--workers", str(args.workers), "--threads", str(args.threads)),
        *("--class-sets", str(args.class_sets)),
    ]
    with tempfile.TemporaryDirectory(prefix="reol-bench-circ-") as tmp:
        if not args.skip_sqlite:
            env = dict(os.environ, REOL_VAR_DIR=str(Path(tmp) / "sqlite"))
            env.pop("REOL_DATABASE_URL", None)
            if result := _run(me, env):
                _print(result)
        if not args.skip_postgres:
            env = dict(os.environ, REOL_VAR_DIR=str(Path(tmp) / "pg"))
            if result := _run([sys.executable, "-m", "tests.pgcluster", "--", *me], env):
                _print(result)


if __name__ == "__main__":
    main()
