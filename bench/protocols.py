"""SIP2, SRU and OAI-PMH, each beside its baseline measured in the same run on the same data.

    .venv/bin/python bench/protocols.py [--records 20000] [--ops 50] [--skip-sqlite]
                                        [--skip-postgres] [--only sip2|sru|oai ...]
                                        [--sip2-workers 2] [--sip2-threads 4] [--data DIR]

For each database (a fresh SQLite file; a throwaway PostgreSQL cluster from tests.pgcluster) a
worker process migrates, imports ``--records`` records of ``bench/dataset.py`` (with their 952
copies) into one school, builds the search index, then starts gunicorn as ``make run`` does
(``WORKERS`` × ``THREADS`` threaded workers) and ``reol sip2`` with as many workers and threads
(``--sip2-workers``/``--sip2-threads`` to try others) and measures:

* SIP2 checkout round trip (11 → 12, one socket a terminal, logged in once), 1 and 20
  terminals, beside the same checkout through the REST API (``POST /api/v1/circulation/
  checkout``, one client a process). Target: SIP2 no slower than the API. Also the servers'
  CPU time a checkout (their processes' user + system time over the run, from ``/proc``),
  which others' load on a shared machine changes far less than the wall clock.
* SRU searchRetrieve (``dc.title=<word>``, 20 records, MARCXML) beside the search API
  (``GET /api/v1/search?q=title:<word>``) for the same words, the two in turn, three passes.
  Target: SRU p95 ≤ 2× the API's. Also the CPU time of each, in this process through Django's
  test client (no HTTP), word by word in turn.
* With ``BENCH_SRU_DUMP=PATH`` in the environment, SRU's answers for fixed words and the
  OAI-PMH harvest are written to ``PATH.sqlite`` / ``PATH.postgresql`` first, to compare two
  versions byte for byte.
* OAI-PMH ListRecords in marc21, the whole repository following resumption tokens, beside a bare
  read of the same rows (``id, marc``) through the ORM. Target: ≥ 2,000 records/s.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PIN = "2468"
WORKERS, THREADS = 2, 4  # make run's (Makefile)
TERMINAL_PASSWORD = "bench-secret"  # noqa: S105 - a benchmark's throwaway terminal


def stats(samples: list[float], wall: float | None = None) -> dict[str, float]:
    ordered = sorted(samples)
    if not ordered:
        return {"n": 0, "p50": 0.0, "p95": 0.0, "p99": 0.0, "rate": 0.0}
    pick = lambda q: ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000  # noqa: E731
    return {
        "n": len(ordered),
        "p50": pick(0.5),
        "p95": pick(0.95),
        "p99": pick(0.99),
        "rate": len(ordered) / wall if wall else 0.0,
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(root: int) -> float:
    """User + system CPU time of ``root`` and every process under it (threads included)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        parents[pid] = int(fields[1])
        times[pid] = (int(fields[11]) + int(fields[12])) / tick
    total = 0.0
    for pid, seconds in times.items():
        walk = pid
        while walk > 1 and walk != root:
            walk = parents.get(walk, 0)
        total += seconds if walk == root else 0.0
    return total


def get(port: int, path: str, token: str = "", body: Any = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    payload = None
    if body is not None:
        payload = json.dumps(body)
        headers["Content-Type"] = "application/json"
    connection.request("POST" if body is not None else "GET", path, body=payload, headers=headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, data


# --- Clients (processes of their own) ------------------------------------------------------


def sip_frame(body: str, sequence: int) -> bytes:
    data = f"{body}AY{sequence % 10}AZ".encode()
    return data + f"{(-sum(data)) & 0xFFFF:04X}\r".encode()


def sip_client(job: dict[str, Any], barrier: Any, out: Any) -> None:
    sock = socket.create_connection(("127.0.0.1", job["sip_port"]), timeout=60)
    sock.sendall(sip_frame(f"9300CN{job['login']}|CO{job['password']}|CPbench|", 0))
    answer = b""
    while not answer.endswith(b"\r"):
        answer += sock.recv(4096)
    assert answer.startswith(b"941"), answer
    # The patron identifies themselves first, as at a kiosk (63 with the PIN): the PIN's
    # Argon2 check (~0.1 s of CPU, once a session) is not a checkout's, and the API's checkout
    # checks no PIN. Measured with it inside, twenty terminals' first checkouts queued their
    # twenty hashes on two cores: that was the p99 of 1.9 s.
    now = time.strftime("%Y%m%d    %H%M%S")
    sock.sendall(sip_frame(f"63001{now}{' ' * 10}AObench|AA{job['patron']}|AD{PIN}|", 1))
    answer = b""
    while not answer.endswith(b"\r"):
        answer += sock.recv(65536)
    assert answer.startswith(b"64"), answer
    barrier.wait()
    samples, errors = [], 0
    started = time.perf_counter()
    for n, barcode in enumerate(job["items"]):
        now = time.strftime("%Y%m%d    %H%M%S")
        frame = sip_frame(
            f"11NN{now}{' ' * 18}AObench|AA{job['patron']}|AB{barcode}|AC|AD{PIN}|", n + 2
        )
        t = time.perf_counter()
        sock.sendall(frame)
        answer = b""
        while not answer.endswith(b"\r"):
            answer += sock.recv(65536)
        samples.append(time.perf_counter() - t)
        errors += 0 if answer.startswith(b"121") else 1
    out.put({"samples": samples, "start": started, "end": time.perf_counter(), "errors": errors})
    sock.close()


def api_client(job: dict[str, Any], barrier: Any, out: Any) -> None:
    barrier.wait()
    samples, errors = [], 0
    started = time.perf_counter()
    for barcode in job["items"]:
        t = time.perf_counter()
        status, _ = get(
            job["port"],
            "/api/v1/circulation/checkout",
            job["token"],
            {"patron": job["patron"], "item": barcode},
        )
        samples.append(time.perf_counter() - t)
        errors += 0 if status == 201 else 1
    out.put({"samples": samples, "start": started, "end": time.perf_counter(), "errors": errors})


def parallel(target: Any, jobs: list[dict[str, Any]], server: int) -> dict[str, float]:
    """Run the clients, and the server's (``server``'s process tree) CPU time a request."""
    context = multiprocessing.get_context("spawn")
    barrier, out = context.Barrier(len(jobs) + 1), context.Queue()
    processes = [context.Process(target=target, args=(job, barrier, out)) for job in jobs]
    for process in processes:
        process.start()
    barrier.wait(timeout=600)  # every client is connected (and signed in): the clock starts
    cpu = cpu_seconds(server)
    results = [out.get(timeout=600) for _ in processes]
    cpu = cpu_seconds(server) - cpu
    for process in processes:
        process.join()
    wall = max(r["end"] for r in results) - min(r["start"] for r in results)
    row = stats([s for r in results for s in r["samples"]], wall)
    row["errors"] = sum(r["errors"] for r in results)
    row["cpu_ms"] = cpu * 1000 / max(1, row["n"])
    return row


# --- The worker: one database ----------------------------------------------------------------


def setup(records: int, terminals: int, ops: int) -> dict[str, Any]:
    from django.core.management import call_command

    from bench import dataset
    from reol.catalog import importer, search
    from reol.catalog import services as catalog
    from reol.catalog.tests.helpers import book
    from reol.circulation.actions import rules as circulation
    from reol.core import services
    from reol.core.permissions import SYSTEM
    from reol.protocols import services as protocols

    call_command("migrate", verbosity=0, interactive=False)
    municipality = services.create_municipality(SYSTEM, code="bench", name="Bench")
    school = services.create_school(SYSTEM, municipality=municipality, code="bench", name="Bench")
    librarian = services.create_person(
        SYSTEM, school, username="bib", role="librarian", first_name="Bib"
    )
    _token, secret = services.create_api_token(SYSTEM, librarian)
    circulation.adopt_default_rules(SYSTEM, school)
    for rule in school.loan_rules.filter(patron_category="staff"):
        circulation.save_rule(SYSTEM, school, rule, max_loans=10_000)
    # --data keeps the written file too: both databases import the same one, and writing
    # 1,000,000 records takes minutes of its own.
    kept = os.environ.get("BENCH_MARC_FILE")
    with tempfile.TemporaryDirectory(prefix="reol-bench-marc-") as scratch:
        marc = Path(kept) if kept else Path(scratch) / "records.mrc"
        if not marc.exists():
            dataset.write(f"{marc}.part", records)
            os.replace(f"{marc}.part", marc)
        with open(marc, "rb") as stream:
            importer.import_marc(SYSTEM, school, stream)
    search.reindex()
    protocols.add_terminal(SYSTEM, school, login="bench", password=TERMINAL_PASSWORD)
    jobs = []
    for n in range(terminals):
        patron = services.create_person(
            SYSTEM,
            school,
            username=f"laerer{n}",
            role="teacher",
            first_name=f"Lærer {n}",
            card_barcode=f"CARD{n:04d}",
            pin=PIN,
        )
        record = catalog.create_record(SYSTEM, municipality, book(f"Bog {n}", control=f"b{n}"))
        sip_copies = catalog.add_items(SYSTEM, record, school, count=ops)
        api_copies = catalog.add_items(SYSTEM, record, school, count=ops)
        jobs.append(
            {
                "patron": patron.card_barcode,
                "sip": [c.barcode for c in sip_copies],
                "api": [c.barcode for c in api_copies],
            }
        )
    return {"token": secret, "jobs": jobs}


def start(command: list[str], ready: Any) -> subprocess.Popen[bytes]:
    env = dict(os.environ, REOL_STATIC_MANIFEST="0", DJANGO_SETTINGS_MODULE="reol.settings")
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    deadline = time.time() + 90
    while time.time() < deadline:
        if ready():
            return process
        time.sleep(0.3)
    process.kill()
    raise SystemExit(f"{command[0]} did not start")


def _http_up(port: int) -> bool:
    try:
        return get(port, "/api/v1/health")[0] == 200
    except OSError:
        return False


def _tcp_up(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


SEARCH_PATHS = {
    "search API": "/api/v1/search?size=20&municipality=bench&q=title:{w}",
    "SRU searchRetrieve": "/sru/bench/?version=1.2&operation=searchRetrieve"
    "&maximumRecords=20&recordSchema=marcxml&query=dc.title%3D{w}",
}


def search_words() -> list[str]:
    from reol.catalog.models import Record

    words = []
    for title in Record.objects.order_by("?").values_list("title", flat=True)[:400]:
        found = [w for w in re.findall(r"\w{4,}", title)]
        if found:
            words.append(found[0])
    return words[:200]


def bench_search_cpu() -> list[dict[str, Any]]:
    """CPU time a request of each, in this process (Django's test client, no HTTP)."""
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    words = search_words()
    samples: dict[str, list[float]] = {name: [] for name in SEARCH_PATHS}
    for rep in range(2):  # the first pass warms the process up; the second is measured
        for word in words:
            for name, path in SEARCH_PATHS.items():
                t = time.process_time()
                response = client.get(path.format(w=urllib.parse.quote(word)))
                if rep:
                    samples[name].append(time.process_time() - t)
                assert response.status_code == 200, (name, response.status_code)
    api, sru = (stats(samples[name]) for name in SEARCH_PATHS)
    return [
        {"what": "search API CPU, in process", **api},
        {"what": "SRU CPU, in process", **sru},
        {"what": "SRU/API CPU p95", "ratio": sru["p95"] / api["p95"]},
    ]


def dump_sru(path: str) -> None:
    """Every SRU answer for fixed words (the first word of the first 300 titles by id; MARCXML,
    then as escaped strings, then Dublin Core), then the OAI-PMH harvest, into ``path``, to
    compare two versions of the code byte for byte (``cmp``): a faster writer must write the
    same XML."""
    from django.test import Client

    from reol.catalog.models import Record

    client = Client(HTTP_HOST="127.0.0.1")
    titles = Record.objects.order_by("pk").values_list("title", flat=True)[:300]
    words = [found[0] for found in (re.findall(r"\w{4,}", t) for t in titles) if found]
    with open(path, "wb") as out:
        for extra in ("", "&recordPacking=string", "&recordSchema=dc"):
            for word in words:
                url = SEARCH_PATHS["SRU searchRetrieve"].format(w=urllib.parse.quote(word))
                out.write(client.get(url + extra).content + b"\n")
        # The OAI-PMH harvest in marc21, less what differs from run to run (the response's
        # date; the tokens, signed with a time stamp).
        path = "/oai/bench/?verb=ListRecords&metadataPrefix=marc21"
        while path:
            body = b"".join(client.get(path).streaming_content)
            token = re.search(rb"<resumptionToken[^>]*>([^<]+)</resumptionToken>", body)
            body = re.sub(rb"<responseDate>[^<]*</responseDate>", b"", body)
            body = re.sub(rb'resumptionToken="[^"]*"', b"", body)  # echoed in <request>
            out.write(re.sub(rb"(<resumptionToken[^>]*>)[^<]+(</resumptionToken>)", rb"\1\2", body))
            path = ""
            if token:
                quoted = urllib.parse.quote(token.group(1).decode())
                path = f"/oai/bench/?verb=ListRecords&resumptionToken={quoted}"


def bench_search(port: int) -> list[dict[str, Any]]:
    words = search_words()
    paths = SEARCH_PATHS
    # The two in turn, word by word, so a busy machine slows both alike; three passes, each
    # with its own ratio of the p95s (on a shared machine the ratio is the figure to read).
    rows = []
    for word in words[:20]:  # the servers' first requests (imports, connections) unmeasured
        for path in paths.values():
            get(port, path.format(w=urllib.parse.quote(word)))
    for run in range(1, 4):
        samples: dict[str, list[float]] = {name: [] for name in paths}
        for word in words:
            for name, path in paths.items():
                t = time.perf_counter()
                status, _ = get(port, path.format(w=urllib.parse.quote(word)))
                samples[name].append(time.perf_counter() - t)
                assert status == 200, (name, status)
        api, sru = (stats(samples[name]) for name in paths)
        rows.append({"what": f"search API, pass {run}", **api})
        rows.append({"what": f"SRU searchRetrieve, pass {run}", **sru})
        rows.append({"what": f"SRU/API p95, pass {run}", "ratio": sru["p95"] / api["p95"]})
    return rows


def bench_oai(port: int) -> list[dict[str, Any]]:
    from reol.catalog.models import Record

    t = time.perf_counter()
    count = sum(1 for _ in Record.objects.values_list("id", "marc").iterator(chunk_size=2000))
    bare = time.perf_counter() - t
    t = time.perf_counter()
    harvested = 0
    path = "/oai/bench/?verb=ListRecords&metadataPrefix=marc21"
    while True:
        status, body = get(port, path)
        assert status == 200, status
        harvested += body.count(b"<record>")
        token = re.search(rb"<resumptionToken[^>]*>([^<]+)</resumptionToken>", body)
        if not token:
            break
        path = "/oai/bench/?verb=ListRecords&resumptionToken=" + urllib.parse.quote(
            token.group(1).decode()
        )
    wall = time.perf_counter() - t
    return [
        {"what": "bare ORM read (id, marc)", "n": count, "rate": count / bare},
        {"what": "OAI-PMH ListRecords marc21", "n": harvested, "rate": harvested / wall},
    ]


def worker(records: int, ops: int, only: list[str], sip2: tuple[int, int]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reol.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    kept = Path(settings.VAR_DIR) / "bench-world.json"
    if kept.exists():  # --data: a database this benchmark prepared before (same --records)
        world = json.loads(kept.read_text())
        assert world["records"] == records, f"{kept} holds {world['records']} records"
    else:
        t = time.perf_counter()
        world = {**setup(records, 20, ops), "records": records}
        world["setup_s"] = time.perf_counter() - t
        kept.write_text(json.dumps(world))
    connection.close()
    port, sip_port = free_port(), free_port()
    web = start(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "reol.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--worker-class",
            "reol.server.ThreadWorker",
            "--workers",
            str(WORKERS),
            "--threads",
            str(THREADS),
            "--log-level",
            "warning",
        ],
        lambda: _http_up(port),
    )
    sip = start(
        [
            str(Path(sys.executable).parent / "reol"),
            "sip2",
            "--port",
            str(sip_port),
            "--workers",
            str(sip2[0]),
            "--threads",
            str(sip2[1]),
        ],
        lambda: _tcp_up(sip_port),
    )
    rows: list[dict[str, Any]] = [
        {"what": "servers", "note": f"gunicorn {WORKERS}×{THREADS}, sip2 {sip2[0]}×{sip2[1]}"},
        {"what": "setup", "note": f"{world.get('setup_s', 0):.0f} s (import, index, patrons)"},
    ]
    try:
        if not only or "sip2" in only:
            rows += bench_sip2(world, port, sip_port, ops, {"web": web.pid, "sip2": sip.pid})
        if os.environ.get("BENCH_SRU_DUMP"):
            dump_sru(os.environ["BENCH_SRU_DUMP"] + f".{connection.vendor}")
        if not only or "sru" in only:
            rows += bench_search(port)
            rows += bench_search_cpu()
        if not only or "oai" in only:
            rows += bench_oai(port)
    finally:
        web.terminate()
        sip.terminate()
        web.wait(30)
        sip.wait(30)
    print("RESULT " + json.dumps({"vendor": connection.vendor, "records": records, "rows": rows}))


def bench_sip2(
    world: dict[str, Any], port: int, sip_port: int, ops: int, servers: dict[str, int]
) -> list[dict[str, Any]]:
    terminals = len(world["jobs"])
    rows: list[dict[str, Any]] = []
    half = ops // 2  # the first half of each patron's copies for 1 client, then the rest
    for clients in (1, terminals):
        part = slice(None, half) if clients == 1 else slice(half, None)
        common = {"port": port, "sip_port": sip_port, "token": world["token"]}
        sip_jobs, api_jobs = [], []
        for j in world["jobs"][:clients]:
            sip_jobs.append(
                {
                    **common,
                    "login": "bench",
                    "password": TERMINAL_PASSWORD,
                    "patron": j["patron"],
                    "items": j["sip"][part],
                }
            )
            api_jobs.append({**common, "patron": j["patron"], "items": j["api"][part]})
        api = parallel(api_client, api_jobs, servers["web"])
        rows.append({"what": "API checkout", "clients": clients, **api})
        sip2 = parallel(sip_client, sip_jobs, servers["sip2"])
        rows.append({"what": "SIP2 checkout", "clients": clients, **sip2})
    return rows


def show(result: dict[str, Any]) -> None:
    print(f"\n{result['vendor']}, {result['records']} records:")
    for row in result["rows"]:
        if "note" in row:
            print(f"  {row['what']:28} {row['note']}")
        elif "clients" in row:
            print(
                f"  {row['what']:28} {row['clients']:>3} clients  p50 {row['p50']:7.2f} ms  "
                f"p99 {row['p99']:7.2f} ms  {row['rate']:8.1f}/s  "
                f"CPU {row['cpu_ms']:6.2f} ms/req  errors {row['errors']}"
            )
        elif "ratio" in row:
            print(f"  {row['what']:28} {row['ratio']:.2f}×")
        elif "p95" in row:
            print(f"  {row['what']:28} p50 {row['p50']:7.2f} ms  p95 {row['p95']:7.2f} ms")
        else:
            print(f"  {row['what']:28} {row['n']:>8} records  {row['rate']:10.0f} records/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--ops", type=int, default=50, help="checkouts a terminal makes")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument(
        "--only",
        action="append",
        choices=("sip2", "sru", "oai"),
        default=[],
        help="measure only this protocol (repeatable)",
    )
    parser.add_argument("--sip2-workers", type=int, default=WORKERS)
    parser.add_argument("--sip2-threads", type=int, default=THREADS)
    parser.add_argument(
        "--data",
        type=Path,
        help="keep the SQLite database (and search index) in this directory and reuse it on "
        "the next run with the same --records: an import of 1,000,000 records takes minutes",
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.records, args.ops, args.only, (args.sip2_workers, args.sip2_threads))
        return
    me = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        "--records",
        str(args.records),
        "--ops",
        str(args.ops),
        f"--sip2-workers={args.sip2_workers}",
        f"--sip2-threads={args.sip2_threads}",
        *[f"--only={name}" for name in args.only],
    ]
    with tempfile.TemporaryDirectory(prefix="reol-bench-protocols-") as tmp:
        if args.data:
            args.data.mkdir(parents=True, exist_ok=True)
            marc = args.data.resolve() / f"records-{args.records}.mrc"
            os.environ["BENCH_MARC_FILE"] = str(marc)
        runs = []
        if not args.skip_sqlite:
            sqlite_dir = args.data.resolve() if args.data else Path(tmp) / "sqlite"
            env = dict(os.environ, REOL_VAR_DIR=str(sqlite_dir))
            env.pop("REOL_DATABASE_URL", None)
            runs.append((me, env))
        if not args.skip_postgres:
            env = dict(os.environ, REOL_VAR_DIR=str(Path(tmp) / "pg"))
            runs.append(([sys.executable, "-m", "tests.pgcluster", "--", *me], env))
        for command, env in runs:
            done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
            lines = [x for x in done.stdout.splitlines() if x.startswith("RESULT ")]
            if lines:
                show(json.loads(lines[-1][len("RESULT ") :]))
            else:
                print(done.stdout[-3000:], done.stderr[-5000:], sep="\n", file=sys.stderr)


if __name__ == "__main__":
    main()
